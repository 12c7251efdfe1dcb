"""The Python syntax-tree detectors: what they report, what they leave alone, and where."""
from __future__ import annotations

import textwrap

import pytest

from sentinel_hooks.engine import detectors, python_tree
from sentinel_hooks.engine.detectors import python_ast
from sentinel_hooks.engine.detectors.python_sinks import EVAL_GATE, SQL_GATE
from sentinel_hooks.engine.matcher import Engine
from sentinel_hooks.engine.units import TextUnit
from sentinel_hooks.findings import Confidence

from python_detector_kit import TOOL_HEADER, hits, lines, make_rule


def test_all_checks_are_registered():
    for name in ("python-eval", "python-shell", "python-sql", "python-deserialization", "python-torch-load",
                 "python-path-traversal", "python-ssrf", "python-markup"):
        assert name in detectors.REGISTRY


# ---------------------------------------------------------------------------------- eval / exec


def test_eval_of_tool_argument_is_high_confidence_and_split_by_input():
    src = TOOL_HEADER + """
@mcp.tool()
def calc(expression: str) -> str:
    return str(eval(expression))

def helper(expression):
    return eval(f"({expression})")
"""
    tool = hits("python-eval", src, input="tool")
    other = hits("python-eval", src, input="other")
    assert [h.line for h in tool] == [7] and tool[0].confidence == Confidence.HIGH
    assert [h.line for h in other] == [10] and other[0].confidence == Confidence.MEDIUM


def test_eval_leaves_literals_comments_strings_and_lookalikes_alone():
    src = '''
import ast, re
PATTERN = re.compile(r"a+")
# eval(user_input)
DOC = "eval(expression) is dangerous"
def f(model, text):
    """Calls eval(text)? No."""
    model.eval()
    ast.literal_eval(text)
    eval("1 + 2")
    exec("x = 1", {})
    return compile(text)  # not the builtin: it needs three arguments
'''
    assert hits("python-eval", src) == []


def test_eval_of_a_shadowed_name_is_not_the_builtin():
    src = """
from mylib.expressions import eval
def f(text):
    return eval(text)
"""
    assert hits("python-eval", src) == []


def test_exec_of_compile_is_reported_once_at_compile():
    src = """
def run(source):
    code = compile("prefix\\n" + source, "<plugin>", "exec")
    exec(compile(source, "<x>", "exec"))
    exec(code)
"""
    assert lines("python-eval", src) == [3, 4]
    assert all("compile" in h.content for h in hits("python-eval", src))


def test_eval_of_a_plain_variable_is_low_confidence_and_skipped_in_tests():
    src = """
def f(expr):
    return eval(expr)
"""
    assert [h.confidence for h in hits("python-eval", src)] == [Confidence.LOW]
    assert hits("python-eval", src, path="tests/test_expr.py") == []


# ---------------------------------------------------------------------------------- shell


def test_shell_reports_built_commands_only():
    src = """
import os, shlex, subprocess
from subprocess import Popen as P
def run(name, user_cmd):
    subprocess.run(["git", "log", name])
    subprocess.run("make clean", shell=True)
    cmd = "ls -la"
    subprocess.check_output(cmd, shell=True)
    subprocess.run(f"git log {shlex.quote(name)}", shell=True)
    subprocess.run(f"git log {name}")
    os.system("tar czf out.tgz " + name)
    P("echo %s" % name, shell=True)
    os.popen(user_cmd)
"""
    found = hits("python-shell", src)
    assert [h.line for h in found] == [11, 12, 13]
    assert [h.confidence for h in found] == [Confidence.MEDIUM, Confidence.MEDIUM, Confidence.LOW]


def test_shell_with_tool_input_is_critical_material():
    src = TOOL_HEADER + """
import subprocess
@mcp.tool()
def ping(host: str, count: int = 1) -> str:
    line = f"ping -c {count} {host}"
    return subprocess.check_output(line, shell=True, text=True)

@mcp.tool()
def ping_count(count: int) -> str:
    return subprocess.check_output(f"ping -c {count} localhost", shell=True, text=True)
"""
    assert lines("python-shell", src, input="tool") == [9]
    assert lines("python-shell", src, input="other") == [13]  # an int parameter cannot inject


def test_shell_sanitised_tool_input_is_not_tool_input():
    src = TOOL_HEADER + """
import shlex, subprocess
@mcp.tool()
def grep(pattern: str) -> str:
    safe = shlex.quote(pattern)
    return subprocess.check_output(f"rg {safe} /srv", shell=True, text=True)
"""
    assert hits("python-shell", src) == []


# ---------------------------------------------------------------------------------- SQL


def test_sql_built_strings_versus_bound_parameters():
    src = """
def q(cur, name, table, ids):
    cur.execute("SELECT * FROM users WHERE name = %s", (name,))
    query = "SELECT * FROM users"
    cur.execute(query)
    cur.execute(f"SELECT * FROM users WHERE name = '{name}'")
    sql = "SELECT * FROM users WHERE name = '%s'" % name
    cur.execute(sql)
    cur.execute(f"SELECT count(*) FROM {table}")
    marks = ",".join("?" * len(ids))
    cur.execute(f"SELECT * FROM users WHERE id IN ({marks})", ids)
    executor.execute(f"job {name}")
"""
    found = hits("python-sql", src)
    assert [h.line for h in found] == [6, 8, 9]
    assert [h.confidence for h in found] == [Confidence.HIGH, Confidence.HIGH, Confidence.MEDIUM]


def test_sqlalchemy_text_with_fstring():
    src = """
from sqlalchemy import text
def q(conn, author):
    conn.execute(text(f"SELECT * FROM notes WHERE author = '{author}'"))
    conn.execute(text("SELECT * FROM notes WHERE author = :a"), {"a": author})
"""
    (hit,) = hits("python-sql", src)  # reported at text(), not again at the execute() around it
    assert hit.line == 4 and hit.content.startswith("text(f")


# ---------------------------------------------------------------------------------- deserialisation


def test_yaml_loaders():
    src = """
import yaml
from yaml import SafeLoader
def f(text, loader):
    yaml.load(text)
    yaml.load(text, Loader=yaml.Loader)
    yaml.load(text, Loader=SafeLoader)
    yaml.load(text, yaml.CSafeLoader)
    yaml.safe_load(text)
    yaml.unsafe_load(text)
    yaml.load(text, Loader=loader)
"""
    assert lines("python-deserialization", src) == [5, 6, 10]


def test_pickle_confidence_follows_where_the_bytes_come_from():
    src = """
import pickle
import cPickle
def f(sock, path, obj):
    pickle.loads(sock.recv(4096))
    with open(path, "rb") as fh:
        pickle.load(fh)
    pickle.loads(pickle.dumps(obj))
    pickle.loads(b"\\x80\\x04N.")
    cPickle.loads(path)
"""
    found = hits("python-deserialization", src)
    assert [(h.line, h.confidence) for h in found] == [
        (5, Confidence.HIGH), (7, Confidence.MEDIUM), (10, Confidence.MEDIUM)]


def test_torch_load_weights_only():
    src = """
import torch
torch.load("a.pt")
torch.load("a.pt", weights_only=True)
torch.load("a.pt", weights_only=False)
"""
    found = hits("python-torch-load", src)
    assert [(h.line, h.confidence) for h in found] == [(3, Confidence.MEDIUM), (5, Confidence.HIGH)]


# ---------------------------------------------------------------------------------- paths and URLs


def test_path_traversal_needs_tool_input_and_no_containment_check():
    src = TOOL_HEADER + """
import os
from pathlib import Path
ROOT = Path("/srv")

@mcp.tool()
def read(path: str) -> str:
    return open(os.path.join(ROOT, path)).read()

@mcp.tool()
def read_checked(path: str) -> str:
    p = (ROOT / path).resolve()
    if not p.is_relative_to(ROOT):
        raise ValueError(path)
    return p.read_text()

@mcp.tool()
def read_name(name: str) -> str:
    return (ROOT / os.path.basename(name)).read_text()

def not_a_tool(path):
    return open(path).read()

@mcp.tool()
def read_via_helper(path: str) -> str:
    return open(resolve_inside_root(path)).read()
"""
    assert lines("python-path-traversal", src) == [11]


def test_path_traversal_behind_checks_that_take_no_path():
    """A check named like one but given nothing (``_verify_license()``), or a prefix test of SQL text,
    does not guard the file path; a prefix test against a folder does."""
    src = TOOL_HEADER + """
@mcp.tool()
def read_note(path: str) -> str:
    _verify_license()
    return open(path).read()

@mcp.tool()
def export(query: str, out: str) -> str:
    if not query.upper().startswith(("SELECT", "WITH")):
        return "no"
    open(out, "w").write(query)

@mcp.tool()
def read_shared(path: str) -> str:
    if not os.path.realpath(path).startswith("/srv/shared/"):
        return "no"
    return open(path).read()

@mcp.tool()
def read_checked(path: str) -> str:
    check_inside_root(path)
    return open(path).read()
"""
    assert lines("python-path-traversal", src) == [8, 14]


def test_repository_opened_at_input_path_and_checkout_is_no_check():
    src = """
import git
@server.call_tool()
async def handle(name, arguments):
    repo = git.Repo(arguments["repo_path"])
    return git_checkout(repo, arguments["branch"])

@server.call_tool()
async def handle_checked(name, arguments):
    check_repo_path(arguments["repo_path"])
    return git.Repo(arguments["repo_path"]).git.status()
"""
    assert lines("python-path-traversal", src) == [5]


def test_path_traversal_from_request_args_and_call_tool_arguments():
    src = """
from flask import request
def download():
    name = request.args.get("file")
    return open("/srv/files/" + name).read()

@server.call_tool()
async def handle(name, arguments):
    with open(arguments["path"]) as fh:
        return fh.read()
"""
    assert lines("python-path-traversal", src) == [5, 9]


def test_ssrf_only_when_input_picks_the_host():
    src = TOOL_HEADER + """
import httpx, requests
from urllib.parse import urlsplit

@mcp.tool()
async def fetch(url: str, owner: str) -> str:
    requests.get(url)
    requests.get(f"https://api.github.com/repos/{owner}")
    requests.get(f"{url}/status")
    async with httpx.AsyncClient() as client:
        await client.get("https://" + url)
    return "ok"

@mcp.tool()
def fetch_checked(url: str) -> str:
    if urlsplit(url).hostname not in {"example.com"}:
        raise ValueError(url)
    return requests.get(url).text
"""
    assert lines("python-ssrf", src) == [10, 12, 14]


# ---------------------------------------------------------------------------------- markup


def test_markup_of_built_strings():
    src = """
from markupsafe import Markup
from django.utils.safestring import mark_safe
def f(name):
    Markup(f"<b>{name}</b>")
    mark_safe("<i>" + name + "</i>")
    Markup("<b>{}</b>").format(name)
    Markup("<hr>")
"""
    assert lines("python-markup", src) == [5, 6]


# ---------------------------------------------------------------------------------- files and windows


def test_unparsable_files_produce_no_hits():
    py2 = """
import os
def run(cmd):
    print "running", cmd
    os.system("sh -c " + cmd)
"""
    assert hits("python-shell", py2) == []


def test_hit_spans_the_call_in_character_columns():
    src = 'x = "ünï"; os.system("rm " + x + y)\n'
    unit = TextUnit(path="a.py", text="import os\n" + src)
    (hit,) = detectors.REGISTRY["python-shell"](unit, make_rule("python-shell"))
    assert (hit.line, hit.end_line) == (2, 2)
    line = unit.line_text(2)
    assert line[hit.column - 1:hit.end_column - 1] == 'os.system("rm " + x + y)' == hit.content


def test_window_reports_in_file_coordinates_and_only_inside_the_window():
    full = textwrap.dedent("""
        import os
        def first(name):
            os.system("rm " + name)

        def second(name):
            os.system("ls " + name)
        """)
    full_lines = full.splitlines(keepends=True)
    window = "".join(full_lines[5:7])  # file lines 6-7: `def second` and its call
    unit = TextUnit(path="a.py", text=window, first_line=6, full_text_loader=lambda: full)
    rule = make_rule("python-shell")
    assert [h.line for h in detectors.REGISTRY["python-shell"](unit, rule)] == [4, 7]
    findings = Engine([rule]).scan(unit)
    assert [(f.line, f.snippet) for f in findings] == [(7, 'os.system("ls " + name)')]


def test_the_file_is_parsed_once_for_every_check_every_window_and_the_tool_metadata(monkeypatch):
    from sentinel_hooks.engine import python_tree
    from sentinel_hooks.engine.rules import build_ruleset
    from sentinel_hooks.engine.units import units_of
    from sentinel_hooks.sources.git_diff import window_fragment

    parsed = []
    real = python_tree.parse_lowering
    monkeypatch.setattr(python_tree, "parse_lowering", lambda text: parsed.append(len(text)) or real(text))
    text = ("import os, pickle\nfrom mcp.server.fastmcp import FastMCP\nmcp = FastMCP('x')\n\n"
            + "".join(f"@mcp.tool()\ndef t{i}(y: str) -> str:\n    \"\"\"Tool {i}.\"\"\"\n"
                      f"    os.system('x' + y)\n    return pickle.loads(y)\n\n" for i in range(30)))
    added = list(range(8, text.count("\n"), 12))
    windows = units_of(window_fragment("server.py", text, added, 1, None))
    assert len(windows) == len(added) > 10
    engine = Engine([r for r in build_ruleset([], []) if r.detector])
    findings = [f for unit in windows for f in engine.scan(unit)]
    assert findings and parsed == [len(text)]  # one parse of the whole file, whatever asked for it


@pytest.mark.parametrize("source", ["", "x = 1\n", "def f(:\n"])
def test_trivial_and_broken_sources(source):
    for check in ("python-eval", "python-shell", "python-path-traversal"):
        assert hits(check, source) == []


def test_sql_with_only_numbers_spliced_in_is_not_reported():
    src = """
def tune(conn, version, remaining, step):
    conn.execute(f"PRAGMA user_version={int(version)}")
    conn.execute(f"PRAGMA busy_timeout={min(remaining, step)}")
    limit = 10
    conn.execute(f"SELECT * FROM t LIMIT {limit}")
    conn.execute(f"SELECT * FROM t WHERE id = {version}")
"""
    assert lines("python-sql", src) == [7]


def test_ssrf_ignores_lookups_in_mappings_named_like_sessions():
    src = """
from starlette.requests import Request
def handle(request):
    session_id = request.headers.get("mcp-session-id")
    owner = self._session_owners.get(session_id)
    sessions.get(session_id)
    return self._client.get(session_id)
"""
    assert lines("python-ssrf", src) == [7]


def test_a_unit_without_a_loader_is_parsed_in_its_own_file_coordinates():
    text = 'import os\nos.system("rm " + name)\n'
    unit = TextUnit(path="a.py", text=text, first_line=41)
    (hit,) = detectors.REGISTRY["python-shell"](unit, make_rule("python-shell"))
    assert (hit.line, hit.column, hit.end_line) == (42, 1, 42)
    assert [f.line for f in Engine([make_rule("python-shell")]).scan(unit)] == [42]


def test_deeply_nested_expressions_do_not_break_the_scan():
    chain = " + ".join(["name"] * 600)
    deep = f'import os\n@mcp.tool()\ndef f(name):\n    cmd = "ls " + {chain}\n    os.system(cmd)\n'
    shallow = f'import os\n@mcp.tool()\ndef f(name):\n    os.system("ls " + {chain})\n    return open({chain})\n'
    for src in (deep, shallow):
        for check in ("python-shell", "python-path-traversal", "python-eval", "python-sql"):
            list(detectors.REGISTRY[check](TextUnit(path="a.py", text=src), make_rule(check)))
    unit = TextUnit(path="a.py", text=deep)
    assert list(detectors.REGISTRY["python-shell"](unit, make_rule("python-shell"))) == []
    assert unit.memo[python_tree.NOT_ANALYSED] == python_tree.TOO_DEEP  # given up, not crashed
    analysis = python_ast.analyse(deep)  # parsed; the taint, computed when first asked, gives up
    for _ in range(2):  # and keeps giving up: no check sees a half-computed taint
        with pytest.raises(RecursionError):
            analysis.scopes[-1].tainted


def test_functions_without_a_candidate_sink_are_not_analysed_and_nothing_is_lost():
    src = (
        "import subprocess\n"
        "def quiet(a):\n    b = a * 2\n    return b\n"
        "class Runner:\n"
        "    def ok(self):\n        return 1\n"
        "    def run(self, cmd):\n        return subprocess.run('ls ' + cmd, shell=True)\n"
    )
    pruned = python_ast.analyse(src, python_ast.candidate_offsets(src))
    whole = python_ast.analyse(src)
    names = lambda a: sorted(getattr(s.node, "name", "<module>") for s in a.scopes)  # noqa: E731
    assert names(pruned) == ["<module>", "run"]
    assert names(whole) == ["<module>", "ok", "quiet", "run"]
    assert [h.line for h in hits("python-shell", src)] == [9]


def test_tool_input_files_are_analysed_whole():
    src = "@mcp.tool()\ndef read(name: str):\n    return open(name).read()\n"
    assert python_ast.candidate_offsets(src) is None


def test_names_imported_from_a_deserialiser_module_pick_the_functions_analysed():
    # the imported names hide the module: before, every function of such a file was analysed
    src = (
        "from pickle import loads as restore\n"
        "import yaml as y\n"
        "def load_state(blob):\n    return restore(blob)\n"
        "def load_config(text):\n    return y.load(text)\n"
        "def unrelated(a):\n    return a + 1\n"
    )
    unit = TextUnit(path="state.py", text=src)
    analysis = python_ast.analysis_of(unit, python_ast.DESERIALIZATION_GATE)
    assert sorted(s.name for s in analysis.scopes) == ["<module>", "load_config", "load_state"]
    assert [h.line for h in hits("python-deserialization", src)] == [4, 6]


def test_a_star_import_from_a_deserialiser_module_keeps_every_function():
    src = "from pickle import *\ndef load_state(blob):\n    return loads(blob)\ndef other():\n    return 1\n"
    assert python_ast.candidate_offsets(src) is None


SQL_AND_LITERAL_EVAL = (
    "import pickle\n"
    "def load_rows(cur, table):\n    return cur.execute(f\"SELECT * FROM {table}\")\n"
    "def settings():\n    return eval(\"{'debug': 1}\")\n"  # a constant: the eval check's gate fails
    "def cached(blob):\n    return pickle.dumps(blob)\n"  # no load call: the deserialisation gate fails
)


def test_only_the_sinks_of_checks_whose_gates_pass_pick_the_functions_analysed():
    src = SQL_AND_LITERAL_EVAL
    every = python_ast.candidate_offsets(src)
    sql_only = python_ast.candidate_offsets(src, False, lambda gate: gate is SQL_GATE)
    assert [src.count("\n", 0, o) + 1 for o in sql_only] == [3]
    assert len(every) > len(sql_only)
    unit = TextUnit(path="db.py", text=src)
    analysis = python_ast.analysis_of(unit, SQL_GATE)
    assert sorted(s.name for s in analysis.scopes) == ["<module>", "load_rows"]
    assert [h.line for h in hits("python-sql", src)] == [3]


def test_the_checks_whose_rules_did_not_select_the_file_keep_no_functions():
    src = SQL_AND_LITERAL_EVAL.replace('eval("{', 'eval(f"{')  # the eval check's gate passes too
    gate_passes = lambda gate: gate.search(src, src.lower())  # noqa: E731
    both = python_ast.candidate_offsets(src, False, gate_passes)
    sql_only = python_ast.candidate_offsets(src, False, gate_passes, frozenset({"python-sql"}))
    assert sorted({src.count("\n", 0, o) + 1 for o in both}) == [3, 5]
    assert [src.count("\n", 0, o) + 1 for o in sql_only] == [3]


def test_every_check_with_candidate_sinks_names_a_registered_detector():
    from sentinel_hooks.engine.detectors.python_sinks import CHECK_SINKS
    for check in CHECK_SINKS:
        assert detectors.get(check.detector) is not None


def test_the_engine_tells_the_checks_which_detectors_a_whole_file_selected():
    from sentinel_hooks.engine.rules import build_ruleset
    from sentinel_hooks.engine.units import SELECTED_DETECTORS
    engine = Engine(build_ruleset([], []))
    unit = TextUnit(path="db.py", text=SQL_AND_LITERAL_EVAL)
    engine.scan(unit)
    selected = unit.memo[SELECTED_DETECTORS]
    assert "python-sql" in selected and "python-eval" in selected
    assert "python-reverse-shell" not in selected  # none of its keywords (dup2, pty, /bin/ ...) occur
    window = TextUnit(path="db.py", text=SQL_AND_LITERAL_EVAL, changed_lines=frozenset({3}),
                      full_text_loader=lambda: SQL_AND_LITERAL_EVAL)
    engine.scan(window)
    assert SELECTED_DETECTORS not in window.memo  # a window's keywords do not speak for its file


def test_a_check_whose_gate_fails_gets_no_analysis_another_check_built():
    unit = TextUnit(path="db.py", text=SQL_AND_LITERAL_EVAL)
    assert python_ast.analysis_of(unit, SQL_GATE) is not None
    assert python_ast.analysis_of(unit, EVAL_GATE) is None  # its sinks were not kept


def test_a_shell_run_through_an_argument_list_is_shell_injection_when_input_reaches_it():
    src = TOOL_HEADER + """
import asyncio, subprocess
@mcp.tool()
def grep(pattern: str, other: str):
    cmd = ["sh", "-c"]
    cmd.append(f"grep {pattern} log")
    subprocess.run(cmd)
    subprocess.run(["/bin/bash", "-c", "ls " + other])
    asyncio.create_subprocess_exec("sh", "-c", pattern)
    subprocess.run(["grep", pattern, "log"])
    subprocess.run(["sh", "-c", "ls -l"])
    fixed = ["bash", "-c"]
    fixed.append("make all")
    subprocess.run(fixed)
"""
    assert lines("python-shell", src, input="tool") == [10, 11, 12]
    assert lines("python-shell", src, input="other") == []


def test_a_command_checked_against_an_allow_list_is_not_reported():
    src = TOOL_HEADER + """
import subprocess
COMMANDS = ("uptime", "df -h")
@mcp.tool()
def run(command: str, raw: str):
    if command not in COMMANDS:
        raise ValueError(command)
    subprocess.run(command, shell=True)
    subprocess.run(raw, shell=True)
"""
    assert lines("python-shell", src) == [12]


def test_taint_is_computed_when_a_check_first_asks_and_then_for_the_whole_file():
    src = ("import os\n@mcp.tool()\ndef run(cmd):\n    helper(cmd)\n"
           "def helper(c):\n    os.system(c)\n")
    analysis = python_ast.analyse(src)
    assert all(scope.computed_taint is None for scope in analysis.scopes)  # nothing paid yet
    helper = next(s for s in analysis.scopes if s.name == "helper")
    assert "c" in helper.tainted  # seeded by the tool that calls it
    assert all(scope.computed_taint is not None for scope in analysis.scopes)
    assert [h.line for h in hits("python-shell", src)] == [6]
