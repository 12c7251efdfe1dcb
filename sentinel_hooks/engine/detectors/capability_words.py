"""The words by which a tool's name, description or parameters disclose a capability's family.

A family is disclosed when one of its words starts a word of that text (``fetch`` matches "fetches",
``download`` matches "downloading"); snake_case and camelCase names are split into words first. The
vocabulary is data: extend a family here, the check reads nothing else.
"""
from __future__ import annotations

CAPABILITY_WORDS: dict[str, tuple[str, ...]] = {
    "network": ("send", "sent", "post", "upload", "http", "url", "uri", "link", "webhook", "hook", "email", "e-mail",
                "mail", "fetch", "download", "request", "api", "web", "internet", "online", "remote", "server",
                "endpoint", "network", "notify", "notification", "publish", "submit", "report", "forward",
                "share", "sync", "transmit", "slack", "discord", "telegram", "sms", "message", "chat",
                "telemetry", "analytics", "backup", "cloud", "service", "external", "host", "socket", "dns",
                "connect", "push", "broadcast", "deliver", "export"),
    "file_write": ("write", "writ", "save", "create", "delete", "remove", "erase", "overwrite", "modify", "edit",
                   "update", "append", "store", "persist", "move", "rename", "copy", "file", "disk", "mkdir",
                   "directory", "folder", "cache", "log", "record", "output", "export", "generate", "install",
                   "clean", "unlink", "truncate", "extract", "unzip", "download"),
    "execution": ("run", "execut", "command", "shell", "process", "script", "launch", "spawn", "invoke",
                  "eval", "code", "program", "terminal", "cli", "bash", "subprocess", "system", "start",
                  "install", "build", "compile", "test", "git", "docker", "npm", "pip"),
    "secrets": ("credential", "token", "key", "secret", "password", "passwd", "environment", "env", "auth",
                "login", "ssh", "aws", "config", "keychain", "cookie", "session", "certificate", "private",
                "sensitive", "variable"),
    # reading the whole environment is disclosed by words of the environment, not by "password" or "key":
    # a password generator that reads os.environ says nothing of it
    "environment": ("environment", "environ", "env", "variable", "config", "setting"),
}

# how a finding names each family
CAPABILITY_PHRASES: dict[str, str] = {
    "network": "send data over the network",
    "file_write": "write or delete files",
    "execution": "run programs",
    "secrets": "read secrets",
    "environment": "read the whole environment",
}
