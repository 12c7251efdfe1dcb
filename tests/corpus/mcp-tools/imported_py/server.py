"""A travel assistant whose tool texts live in another module of the package."""
from typing import Annotated

from mcp.server.fastmcp import FastMCP
from pydantic import Field

from . import texts
from .texts import ITINERARY_DESC
from .texts.tool_texts import TRAVELLER_NOTE

mcp = FastMCP("travel")


@mcp.tool(description=ITINERARY_DESC)  # expect: mcp-tool-hidden-instructions, mcp-tool-sensitive-file-read
def plan_itinerary(city: str, dates: str, preferences: str = "") -> str:
    return f"{city}: {dates}"


@mcp.tool(description=f"{texts.CURRENCY_DESC} Rates come from the central bank.")  # ok: mcp-tool-hidden-instructions
def convert_currency(amount: float, source: str, target: str) -> float:
    return amount


@mcp.tool()
def book_hotel(
    city: str,
    notes: Annotated[str, Field(description=TRAVELLER_NOTE)] = "",  # expect: mcp-tool-parameter-exfiltration
) -> str:
    """Book a hotel room in a city."""
    return city
