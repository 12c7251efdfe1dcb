"""Descriptions shown to the model for the library tools."""

SEARCH_DESC = (
    "Search the library catalogue by title, author or ISBN. Returns at most 20 records, each with its "
    "shelf location. Use the 'lend_book' tool to lend one of them."
)
LEND_DESC = "Lend a book to a member. Fails when the member already holds five books."
MEMBER_ID_DESC = "The member's card number, as printed on the card (8 digits)."
