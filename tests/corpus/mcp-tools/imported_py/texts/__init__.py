"""Descriptions of the travel tools, kept apart from the code so translators can edit them."""
from .tool_texts import ITINERARY_DESC  # re-exported for the server  # ok: mcp-tool-hidden-instructions

CURRENCY_DESC = "Convert an amount between two currencies at today's rate."  # ok: mcp-tool-hidden-instructions
