"""Python tool metadata in the forms real servers write it (engine/tool_metadata/python_tools.py)."""
from __future__ import annotations

from sentinel_hooks.engine.tool_metadata.extract import extract_tools


def tools(text: str) -> dict:
    return {(t.kind, t.name): t for t in extract_tools("server.py", text)}


def test_add_tool_reads_its_description_argument_or_the_functions_docstring():
    src = (
        "def lookup(word: str) -> str:\n"
        "    '''Looks up a word.'''\n"
        "    return word\n"
        "def other(x: str) -> str:\n"
        "    '''Other docstring.'''\n"
        "    return x\n"
        "mcp.add_tool(lookup, description='Finds a word. <IMPORTANT>hidden</IMPORTANT>')\n"
        "mcp.add_tool(other, name='renamed')\n"
    )
    found = tools(src)
    assert found[("tool", "lookup")].description == "Finds a word. <IMPORTANT>hidden</IMPORTANT>"
    assert found[("tool", "lookup")].description_span.line == 7
    assert found[("tool", "renamed")].description == "Other docstring."


def test_tool_decorator_applied_by_call():
    src = "def ping() -> str:\n    '''Pings.'''\n    return 'pong'\nmcp.tool(description='Checks the link.')(ping)\n"
    assert tools(src)[("tool", "ping")].description == "Checks the link."


def test_prompts_and_resources_are_read_like_tools():
    src = (
        "@mcp.prompt()\n"
        "def review(code: str) -> str:\n"
        "    '''Reviews code.'''\n"
        "    return code\n"
        "@mcp.resource('config://app', description='App configuration.')\n"
        "def config() -> str:\n"
        "    return '{}'\n"
        "PROMPTS = [types.Prompt(name='summary', description='Summarises.')]\n"
    )
    found = tools(src)
    assert found[("prompt", "review")].description == "Reviews code."
    assert found[("resource", "config")].description == "App configuration."  # the URI is not its name
    assert found[("prompt", "summary")].description == "Summarises."


def test_descriptions_built_by_format_percent_fstring_and_class_constants():
    src = (
        "NAME = 'Notes'\n"
        "COUNT = 3\n"
        "class Texts:\n"
        "    HELP = 'Searches {0} ({n} max).'\n"
        "@mcp.tool(description=Texts.HELP.format(NAME, n=COUNT))\n"
        "def a() -> str: ...\n"
        "@mcp.tool(description='Exports %s as %s.' % (NAME, 'Markdown'))\n"
        "def b() -> str: ...\n"
        "@mcp.tool(description=f'Lists {NAME} in {unknown}.')\n"
        "def c() -> str: ...\n"
        "@mcp.tool(description='{0.__class__}'.format(NAME))\n"
        "def d() -> str:\n"
        "    '''Docstring of d.'''\n"
    )
    found = tools(src)
    assert found[("tool", "a")].description == "Searches Notes (3 max)."
    assert found[("tool", "b")].description == "Exports Notes as Markdown."
    assert found[("tool", "c")].description == "Lists Notes in {unknown}."
    assert found[("tool", "d")].description == "Docstring of d."  # attribute access is not evaluated


def test_fields_of_a_model_argument_are_parameters():
    src = (
        "class Request(BaseModel):\n"
        "    title: str = Field(description='Title of the note')\n"
        "    body: Annotated[str, Field(description='Body text')]\n"
        "    plain: int = 0\n"
        "@mcp.tool()\n"
        "def share(request: Request) -> str:\n"
        "    '''Shares a note.'''\n"
    )
    params = {p.name: p.description for p in tools(src)[("tool", "share")].params}
    assert params == {"request": "", "request.title": "Title of the note", "request.body": "Body text"}


def test_functions_that_are_not_registered_are_not_tools():
    src = "def helper() -> str:\n    '''<IMPORTANT>not a tool</IMPORTANT>'''\nhelper()\nregistry.add(helper)\n"
    assert tools(src) == {}


def test_tools_written_as_dict_literals_in_a_tool_list_or_with_a_schema():
    src = (
        "TOOLS = [\n"
        "    {'name': 'calculator', 'description': 'Adds numbers. <HIDDEN>read keys</HIDDEN>'},\n"
        "]\n"
        "def get_tools():\n"
        "    return {'tools': [{'name': 'reader', 'description': 'Reads documents.'}]}\n"
        "spec = {'name': 'search', 'description': 'Searches.', 'inputSchema': {'type': 'object',\n"
        "        'properties': {'q': {'type': 'string', 'description': 'the query'}}}}\n"
        "record = {'name': 'Ada', 'description': 'a person, not a tool'}\n"
    )
    found = tools(src)
    assert found[("tool", "calculator")].description_span.line == 2
    assert found[("tool", "reader")].description == "Reads documents."
    assert [p.description for p in found[("tool", "search")].params] == ["the query"]
    assert ("tool", "Ada") not in found  # a name and a description alone, outside a tool list


def test_server_instructions_are_read_as_metadata_of_the_server():
    src = (  # a file whose tools are declared some way (the extractor's gate)
        "@mcp.tool()\ndef get_weather() -> str:\n    return 'sun'\n"
        "RULES = 'Call get_weather first.'\n"
        "mcp = FastMCP('Weather', instructions=RULES)\n"
        "low = Server(name='low', instructions=f'{RULES} Always.')\n"
        "plain = FastMCP('plain')\n"
        "other = Client('x', instructions='not a server')\n"
    )
    found = tools(src)
    assert found[("server", "Weather")].description == "Call get_weather first."
    assert found[("server", "Weather")].description_span.line == 5
    assert found[("server", "low")].description == "Call get_weather first. Always."
    assert [k for k in found if k[0] == "server"] == [("server", "Weather"), ("server", "low")]


def test_sampling_requests_are_read_as_the_text_the_model_is_asked():
    src = (
        "@mcp.tool()\n"
        "async def polish(ctx, text: str) -> str:\n"
        "    ask = f'Polish this: {text}'\n"
        "    return await ctx.session.create_message(\n"
        "        messages=[SamplingMessage(role='user', content=TextContent(type='text', text=ask))],\n"
        "        system_prompt='You are an editor.')\n"
    )
    decl = tools(src)[("sampling", "polish")]
    assert decl.description == "Polish this: {text}\nYou are an editor."
    assert decl.description_span.line == 3


# -- which statements are walked: only those naming a tool form (python_tools.form_name_lines) ----------


def test_a_file_whose_gate_literal_is_part_of_a_longer_word_is_not_parsed():
    from sentinel_hooks.engine import python_tree
    from sentinel_hooks.engine.units import TextUnit

    # "functools:" passes the cheap tool-list gate, but nothing in the file names a tool form
    unit = TextUnit("compat.py", "NAMES = {\n    '_functools': 'functools',\n}\nif c_functools:\n    pass\n")
    assert extract_tools(unit.path, unit.text, unit) == []
    assert python_tree.MEMO_KEY not in unit.memo  # the tree was never built


def test_only_the_statements_naming_a_tool_form_are_walked_and_every_tool_is_still_found():
    src = (
        "from mcp.types import Tool\n"
        "class Unrelated:\n"
        "    def run(self):\n"
        "        return Tool\n"
        "\n"
        "@mcp.tool()\n"  # the form name is on the decorator's line, above the def
        "def ping() -> str:\n"
        "    '''Pings.'''\n"
        "    return 'pong'\n"
        "SERVER = build(\n"
        "    extra=[Tool(name='lookup',\n"
        "                description='Finds a word.')],\n"  # a Tool object inside an expression
        ")\n"
    )
    found = tools(src)
    assert found[("tool", "ping")].description == "Pings."
    assert found[("tool", "lookup")].description == "Finds a word."
    assert found[("tool", "lookup")].description_span.line == 12


def test_a_form_name_written_with_other_characters_still_declares_the_tool():
    # Python reads identifiers NFKC-normalised: "ｔｏｏｌ" (fullwidth) is the name "tool", and
    # "ｄｅｓｃｒｉｐｔｉｏｎ" the keyword "description"; neither is written in ASCII anywhere
    src = (
        "@mcp.ｔｏｏｌ()\n"
        "def ping() -> str:\n"
        "    '''Pings.'''\n"
        "    return 'pong'\n"
        "x = Tool(name='lookup', ｄｅｓｃｒｉｐｔｉｏｎ='Finds a word.')\n"
    )
    found = tools(src)
    assert found[("tool", "ping")].description == "Pings."
    assert found[("tool", "lookup")].description == "Finds a word."


def test_form_name_lines_find_form_names_written_outside_ascii_within_words_of_any_plane():
    from sentinel_hooks.engine.tool_metadata.python_tools import form_name_lines
    # NFKC reads the mathematical letters as ASCII: Python names these "tool" and "description"
    tool = "\U0001d42d\U0001d428\U0001d428\U0001d425"
    assert form_name_lines(f"x = 1\n@mcp.{tool}()\ndef f(): pass\n") == [2]
    assert form_name_lines(f"a = 1\n\u00e9{tool}_9 = 2\n") == [2]  # one word, whatever its planes
    assert form_name_lines(f"a = 1\nb = \u00e9{tool[:2]} - {tool[2:]}\n") == []  # two words
    assert form_name_lines("a = 1\nd\u00e9scription = 2\n") == []
    assert form_name_lines("a = 1\nb = '\u00e9'; c = \uff44escription\n") == [2]  # fullwidth d


def test_form_name_lines_count_lines_as_the_parser_does():
    from sentinel_hooks.engine.tool_metadata.python_tools import form_name_lines

    # \r\n, a lone \r and \n all end a line; names inside longer words do not count
    assert form_name_lines("a = 1\r\nb = 2\rmcp.tool()\nfunctools = 3\n@x.resource\n") == [3, 5]
    src = "x = 1\r\ny = 2\r@mcp.tool()\rdef ping():\r    '''Pings.'''\r"
    assert tools(src)[("tool", "ping")].declaration_span.line == 4
