"""Public deployment: listens on every interface behind bearer-token authentication."""
import os

from mcp.server.auth.settings import AuthSettings
from mcp.server.fastmcp import FastMCP
from pydantic import AnyHttpUrl

from .tokens import IntrospectionTokenVerifier

mcp = FastMCP(  # ok: mcp-server-bind-all-interfaces
    "billing",
    host="0.0.0.0",
    port=8000,
    token_verifier=IntrospectionTokenVerifier(os.environ["INTROSPECTION_URL"]),
    auth=AuthSettings(
        issuer_url=AnyHttpUrl("https://auth.acme.dev"),
        resource_server_url=AnyHttpUrl("https://billing-mcp.acme.dev"),
        required_scopes=["billing:read"],
    ),
)

if __name__ == "__main__":
    mcp.run(transport="streamable-http")
