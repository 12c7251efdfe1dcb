"""Server settings with inline suppression markers, well and badly formed."""
import os

TIMEOUT = int(os.environ.get("TIMEOUT", "30"))  # mcp-sentinel: ignore[]  expect: malformed-suppression
RETRIES = 3  # mcp-sentinel: ignore[ , ]  expect: malformed-suppression
BACKOFF = 0.5  # mcp-sentinel: ignore[python-eval-dynamic]  ok: malformed-suppression
LIMIT = 100  # mcp-sentinel: ignore  ok: malformed-suppression
