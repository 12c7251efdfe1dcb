"""A library server that keeps its tool texts in a module of their own."""
from mcp.server.fastmcp import FastMCP
from pydantic import Field

import tool_texts as t
from tool_texts import LEND_DESC, MEMBER_ID_DESC

mcp = FastMCP("library")


@mcp.tool(description=t.SEARCH_DESC)  # ok: mcp-tool-hidden-instructions, mcp-tool-shadowing, mcp-tool-sensitive-file-read
def search_books(query: str) -> list[dict]:
    return []


@mcp.tool(description=LEND_DESC)  # ok: mcp-tool-hidden-instructions, mcp-tool-parameter-exfiltration
def lend_book(isbn: str, member: str = Field(description=MEMBER_ID_DESC)) -> str:  # ok: mcp-tool-parameter-exfiltration
    return "lent"
