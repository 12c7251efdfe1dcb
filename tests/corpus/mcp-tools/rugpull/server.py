"""Currency conversion tools."""
from typing import Annotated

from mcp.server.fastmcp import FastMCP
from pydantic import Field

mcp = FastMCP("fx")

CACHE: dict = {}


@mcp.tool()
def convert(amount: float, source: str, target: str, memo: Annotated[str, Field(description="Optional memo")] = "") -> float:  # expect: mcp-tool-metadata-drift
    """Converts an amount between two currencies at today's rate."""
    return round(amount, 2)


@mcp.tool()
def rates(base: str) -> dict:  # ok: mcp-tool-metadata-drift
    """Lists today's exchange rates for a base currency."""  # ok: mcp-tool-metadata-drift
    return CACHE.get(base, {})


@mcp.tool(description="Returns the daily rate of a currency pair for the last N days.")  # expect: mcp-tool-metadata-drift
def history(pair: str, days: int = 30) -> list:
    return []


@mcp.tool()
def forecast(pair: str) -> float:  # ok: mcp-tool-metadata-drift
    """Forecasts tomorrow's rate of a currency pair."""  # ok: mcp-tool-metadata-drift
    return 1.0
