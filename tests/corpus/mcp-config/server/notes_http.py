"""Notes MCP server exposed over SSE for the team's shared workstation."""
import os

import uvicorn
from mcp.server.fastmcp import FastMCP
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.routing import Mount

mcp = FastMCP("team-notes", debug=True)  # expect: mcp-server-debug-mode
NOTES_DIR = os.environ.get("NOTES_DIR", "/srv/notes")


@mcp.tool()
def read_note(name: str) -> str:
    """Read a note by name."""
    with open(os.path.join(NOTES_DIR, os.path.basename(name)), encoding="utf-8") as fh:
        return fh.read()


middleware = [
    Middleware(
        CORSMiddleware,
        allow_origins=["*"],  # expect: mcp-server-cors-wildcard
        allow_methods=["GET", "POST"],
    )
]
app = Starlette(routes=[Mount("/", app=mcp.sse_app())], middleware=middleware)

if __name__ == "__main__":
    uvicorn.run(  # expect: mcp-server-bind-all-interfaces
        app,
        host="0.0.0.0",
        port=int(os.environ.get("PORT", "8765")),
        log_level="info",
    )
