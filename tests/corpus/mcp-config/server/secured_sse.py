"""SSE transport with DNS-rebinding protection, bound to loopback, CORS limited to our web client."""
import os

import uvicorn
from mcp.server.lowlevel import Server
from mcp.server.sse import SseServerTransport
from mcp.server.transport_security import TransportSecuritySettings
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.routing import Mount

server = Server("inventory")
security = TransportSecuritySettings(
    enable_dns_rebinding_protection=True,
    allowed_hosts=["127.0.0.1:8765", "localhost:8765"],
    allowed_origins=["http://localhost:5173"],
)
sse = SseServerTransport("/messages/", security_settings=security)  # ok: mcp-server-missing-origin-check

middleware = [Middleware(CORSMiddleware, allow_origins=["http://localhost:5173"])]  # ok: mcp-server-cors-wildcard
app = Starlette(routes=[Mount("/messages/", app=sse.handle_post_message)], middleware=middleware,
                debug=os.environ.get("INVENTORY_DEBUG") == "1")  # ok: mcp-server-debug-mode

# The docs once suggested CORSMiddleware(allow_origins=["*"]); we no longer do that.  ok: mcp-server-cors-wildcard

if __name__ == "__main__":
    uvicorn.run(app, host="127.0.0.1", port=8765)  # ok: mcp-server-bind-all-interfaces
