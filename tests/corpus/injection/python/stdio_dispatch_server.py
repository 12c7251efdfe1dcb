"""A hand-written stdio MCP server: tools listed as dicts, each call dispatched to handle_<tool name>
(labelled corpus case: the handlers' parameters are tool input)."""
import json
import subprocess
import sys

TOOLS = [
    {"name": "show_log", "description": "Show a log file of the service.",
     "inputSchema": {"type": "object", "properties": {"log_path": {"type": "string"}}, "required": ["log_path"]}},
    {"name": "count_lines", "description": "Count the lines of a text.",
     "inputSchema": {"type": "object", "properties": {"text": {"type": "string"}}, "required": ["text"]}},
    {"name": "disk_usage", "description": "Show the disk usage of a folder.",
     "inputSchema": {"type": "object", "properties": {"folder": {"type": "string"}}, "required": ["folder"]}},
]


async def handle_show_log(log_path):
    with open(log_path) as f:  # expect: python-path-traversal
        return f.read()


async def handle_count_lines(text):
    return str(len(text.splitlines()))


async def handle_disk_usage(folder):
    return subprocess.run("du -sh " + folder, shell=True, capture_output=True, text=True).stdout  # expect: python-shell-injection-tool-input


def read_banner(path):
    with open(path) as f:  # ok: python-path-traversal
        return f.read()


async def dispatch(message):
    handler = globals()[f"handle_{message['params']['name']}"]
    return await handler(**message["params"]["arguments"])


def main():
    for line in sys.stdin:
        message = json.loads(line)
        if message.get("method") == "tools/list":
            print(json.dumps({"jsonrpc": "2.0", "id": message["id"], "result": {"tools": TOOLS}}), flush=True)


if __name__ == "__main__":
    main()
