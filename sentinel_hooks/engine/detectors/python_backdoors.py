"""Backdoors: code hidden as an encoded payload and run (``exec(base64.b64decode(...))``), code fetched at
run time and run or imported, reverse shells (a socket wired to a shell) and listeners opened inside a tool
or at import time.

Decoded and fetched code is found through the values a name was given in its function; shells and
listeners from the calls one function (or the module body) makes, on the whole tree of the file.
"""
from __future__ import annotations

import ast
import re
from typing import TYPE_CHECKING, Iterable, Iterator, Optional

from sentinel_hooks.engine import python_tree
from sentinel_hooks.engine.detectors import detector
from sentinel_hooks.engine.detectors.python_ast import Analysis, Scope, analysis_of, import_aliases, \
    lookup, make_hit, passes, qualified_name, scoped_calls, survives_deep_nesting
from sentinel_hooks.engine.detectors.python_full_analysis import full_analysis, gated_analysis, whole_files
from sentinel_hooks.engine.detectors.python_sinks import (CONNECT_GATE, DECODE_OR_FETCH_GATE, EVAL_FUNCS, EXEC_GATE,
                                                          REVERSE_SHELL_GATE, SOCKET_GATE)
from sentinel_hooks.engine.hits import Hit
from sentinel_hooks.engine.text_gate import Gate
from sentinel_hooks.findings import Confidence

if TYPE_CHECKING:
    from sentinel_hooks.engine.rule import Rule
    from sentinel_hooks.engine.units import TextUnit

DECODERS = {"base64.b64decode", "base64.b32decode", "base64.b16decode", "base64.b85decode", "base64.a85decode",
            "base64.urlsafe_b64decode", "base64.decodebytes", "base64.decodestring", "zlib.decompress",
            "gzip.decompress", "bz2.decompress", "lzma.decompress", "marshal.loads", "bytes.fromhex",
            "binascii.unhexlify", "binascii.a2b_base64", "binascii.a2b_hex", "codecs.decode"}
FETCHES = {"requests.get", "requests.post", "requests.request", "httpx.get", "httpx.post", "httpx.request",
           "urllib.request.urlopen", "urlopen", "urllib2.urlopen", "urllib.request.urlretrieve", "urlretrieve"}
CODE_RUNNERS = EVAL_FUNCS | {"runpy.run_path", "runpy.run_module", "importlib.import_module", "__import__",
                             "builtins.__import__"}
IMPORT_RUNNERS = {"exec_module", "run_path", "import_module", "__import__", "load_module", "spec_from_file_location"}
SHELLS = re.compile(r"(?:^|/)(?:ba|z|da|k)?sh$|cmd(?:\.exe)?$|powershell(?:\.exe)?$|-i$")
LISTEN_GATE = Gate(re.compile(r"\.accept\(|\.serve_forever\(|\.handle_request\(|start_server\("),
                   (".accept(", ".serve_forever(", ".handle_request(", "start_server("), anchored=True)
SPAWNS = {"pty.spawn", "os.execv", "os.execl", "os.execve", "os.execvp", "os.execlp", "os.system", "subprocess.call",
          "subprocess.run", "subprocess.Popen", "subprocess.check_call", "subprocess.check_output"}
SERVING_GATE = Gate(re.compile(r"\.bind\(|Server\b|start_server"), (".bind(", "Server", "start_server"))
DEPTH = 5


def _origin_calls(node: ast.expr, scope: Scope, analysis: Analysis, depth: int = 0,
                  seen: Optional[set[str]] = None) -> Iterator[str]:
    """Qualified names of the calls a value was computed with, through local assignments."""
    seen = set() if seen is None else seen
    for n in ast.walk(node):
        if isinstance(n, ast.Call):
            name = qualified_name(n.func, analysis.aliases)
            if isinstance(n.func, ast.Attribute) and n.func.attr == "fromhex":
                name = "bytes.fromhex"
            if name:
                yield name
        elif isinstance(n, ast.Name) and depth < DEPTH and n.id not in seen:
            seen.add(n.id)
            for value in lookup(n.id, scope):
                yield from _origin_calls(value, scope, analysis, depth + 1, seen)


def _is_codec_decode(call_names: set[str], node: ast.expr) -> bool:
    return any(isinstance(n, ast.Constant) and isinstance(n.value, str) and
               n.value.lower().replace("-", "_") in ("rot13", "rot_13", "hex", "base64", "zlib", "bz2", "uu")
               for n in ast.walk(node))


@detector("python-decoded-exec")
@survives_deep_nesting
@whole_files
def decoded_exec(unit: TextUnit, rule: Rule) -> Iterable[Hit]:
    """exec/eval/compile (or an import) of a payload decoded at run time, or of code fetched over the network."""
    analysis = analysis_of(unit, EXEC_GATE, DECODE_OR_FETCH_GATE)  # the runners' functions are candidates
    if analysis is None:
        return
    fetched_to_disk = {id(s) for s, c, n in scoped_calls(analysis) if n.rsplit(".", 1)[-1] in ("urlretrieve",)}
    for scope, call, name in scoped_calls(analysis):
        last = name.rsplit(".", 1)[-1] if name else ""
        if name not in CODE_RUNNERS and last not in IMPORT_RUNNERS:
            continue
        if "." not in name and name in analysis.shadowed:
            continue
        if not call.args:
            continue
        origins = set(_origin_calls(call.args[0], scope, analysis))
        decoded = origins & DECODERS
        if "codecs.decode" in decoded and not _is_codec_decode(origins, call.args[0]) and not any(
                _is_codec_decode(origins, v) for v in _values(call.args[0], scope)):
            decoded.discard("codecs.decode")
        fetched = {o for o in origins if o in FETCHES or o.rsplit(".", 1)[-1] in ("urlopen", "urlretrieve")}
        if fetched or (last in IMPORT_RUNNERS and id(scope) in fetched_to_disk):
            yield make_hit(analysis, call, f"{last}() runs code fetched over the network", Confidence.HIGH, False)
        elif decoded and last not in ("import_module", "__import__"):
            what = ", ".join(sorted(d.rsplit(".", 1)[-1] for d in decoded))
            yield make_hit(analysis, call, f"{last}() runs a payload decoded at run time ({what})",
                           Confidence.HIGH, False)


def _values(node: ast.expr, scope: Scope) -> list[ast.expr]:
    return lookup(node.id, scope) if isinstance(node, ast.Name) else []


# --------------------------------------------------------------------------------------------
# reverse shells and listeners: what one function (or the module body) does


def _blocks(tree: ast.Module) -> Iterator[tuple[ast.AST, list[ast.AST]]]:
    """The module body and every function, each with its own nodes (nested functions excluded)."""
    todo: list[ast.AST] = [tree]
    while todo:
        owner = todo.pop()
        own: list[ast.AST] = []
        stack = list(ast.iter_child_nodes(owner))
        while stack:
            n = stack.pop()
            if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)):
                todo.append(n)
                continue
            if owner is tree and _is_main_guard(n):
                continue  # the script's own start-up, not code run at import
            own.append(n)
            stack.extend(ast.iter_child_nodes(n))
        yield owner, own


def _is_main_guard(node: ast.AST) -> bool:
    return isinstance(node, ast.If) and "__main__" in ast.unparse(node.test) and "__name__" in ast.unparse(node.test)


def _calls(nodes: list[ast.AST], aliases: dict[str, str]) -> list[tuple[ast.Call, str]]:
    return [(n, qualified_name(n.func, aliases) or (n.func.attr if isinstance(n.func, ast.Attribute) else ""))
            for n in nodes if isinstance(n, ast.Call)]


def _shell_literal(nodes: list[ast.AST]) -> bool:
    return any(isinstance(n, ast.Constant) and isinstance(n.value, str) and SHELLS.search(n.value.strip())
               for n in nodes)


def _all_aliases(unit: TextUnit, analysis: Analysis) -> dict[str, str]:
    """The imports of every statement of the analysed tree (``analysis.aliases`` leaves out those of
    functions outside the candidates)."""
    key = "python_backdoors.analysed_aliases"
    if key not in unit.memo:
        unit.memo[key] = import_aliases(analysis.module.node)[0]
    return unit.memo[key]


def _tree_and_aliases(unit: TextUnit) -> Optional[tuple[ast.Module, dict[str, str]]]:
    tree = python_tree.tree_of(unit)
    if tree is None:
        return None
    key = "python_backdoors.aliases"
    if key not in unit.memo:
        unit.memo[key] = import_aliases(tree)[0]
    return tree, unit.memo[key]


@detector("python-reverse-shell")
@survives_deep_nesting
@whole_files
def reverse_shells(unit: TextUnit, rule: Rule) -> Iterable[Hit]:
    """A socket connected out and wired to a shell: its descriptors duplicated onto stdin/stdout, or a
    shell spawned with the socket as its input."""
    analysis = analysis_of(unit, SOCKET_GATE, CONNECT_GATE, REVERSE_SHELL_GATE)
    if analysis is None:
        return
    # the functions that open a socket are candidates of the analysis, which holds every one of them
    tree, aliases = analysis.module.node, _all_aliases(unit, analysis)
    for _owner, nodes in _blocks(tree):
        calls = _calls(nodes, aliases)
        names = {n for _, n in calls}
        if not names & {"socket.socket", "socket.create_connection"}:
            continue
        if not any(n.endswith("connect") or n == "socket.create_connection" for n in names):
            continue
        dup = "os.dup2" in names
        spawns = [c for c, n in calls if n in SPAWNS and _shell_literal(list(ast.walk(c)))]
        target = next((c for c in spawns if dup or "fileno" in ast.unparse(c)), None)
        if target is None:
            continue
        yield make_hit(analysis, target, "a shell is wired to an outbound socket (reverse shell)", Confidence.HIGH,
                       False)


@detector("python-hidden-listener")
@survives_deep_nesting
@whole_files
def hidden_listeners(unit: TextUnit, rule: Rule) -> Iterable[Hit]:
    """A socket accepting connections or an http.server/socketserver started inside an MCP tool or at
    import time (not under ``if __name__ == "__main__"``), directly or in a thread of the module body."""
    if not (passes(unit, LISTEN_GATE) and passes(unit, SERVING_GATE)):
        return
    analysis = gated_analysis(unit)
    if analysis is None:
        return
    aliases = analysis.aliases
    main_guarded = _main_guarded_lines(analysis.module.node)
    for scope in analysis.scopes:
        if scope is not analysis.module and not scope.is_entry:
            continue
        where = "an MCP tool" if scope.is_entry else "import time"
        calls = [(c, _callee(c, aliases)) for c in scope.calls if scope.is_entry or c.lineno not in main_guarded]
        listener = _listener_call(calls)
        if listener is not None:
            yield make_hit(analysis, listener, f"a network listener is started at {where}", Confidence.HIGH, False)
            continue
        for call, name in calls:  # threading.Thread(target=serve) of a function that listens
            target = next((k.value for k in call.keywords if k.arg == "target"), None) if name.endswith(
                "Thread") else None
            if isinstance(target, ast.Name) and _function_listens(unit, analysis, target.id):
                yield make_hit(analysis, call, f"a network listener is started at {where}", Confidence.HIGH, False)


def _callee(call: ast.Call, aliases: dict[str, str]) -> str:
    return qualified_name(call.func, aliases) or (call.func.attr if isinstance(call.func, ast.Attribute) else "")


def _main_guarded_lines(module: ast.AST) -> set[int]:
    lines: set[int] = set()
    for node in getattr(module, "body", []):
        if _is_main_guard(node):
            lines.update(range(node.lineno, (node.end_lineno or node.lineno) + 1))
    return lines


def _function_listens(unit: TextUnit, analysis: Analysis, name: str) -> bool:
    """Whether the module's function ``name`` listens (from the whole tree: the analysis may have left
    that function out)."""
    found = _tree_and_aliases(unit)
    if found is None:
        return False
    tree, aliases = found
    for owner, nodes in _blocks(tree):
        if isinstance(owner, (ast.FunctionDef, ast.AsyncFunctionDef)) and owner.name == name:
            return _listener_call(_calls(nodes, aliases)) is not None
    return False


def _listener_call(calls: list[tuple[ast.Call, str]]) -> Optional[ast.Call]:
    names = {n for _, n in calls}
    for call, name in calls:
        last = name.rsplit(".", 1)[-1]
        if last in ("serve_forever", "handle_request") and any("Server" in n for n in names):
            return call
        if last == "accept" and any(n.endswith("bind") for n in names) and "socket.socket" in names:
            return call
        if name in ("asyncio.start_server",):
            return call
    return None


# --------------------------------------------------------------------------------------------
# persistence: the code installs itself (or a key) where it runs again or lets someone in

PERSISTENCE_PATH = re.compile(r"(?i)authorized_keys|\.(?:bashrc|zshrc|bash_profile|profile|zprofile)$|"
                              r"/etc/(?:cron|rc\.local|profile\.d|sudoers|systemd|init\.d|ld\.so\.preload)|"
                              r"\.config/(?:systemd|autostart)|LaunchAgents|LaunchDaemons|"
                              r"Start Menu[/\\]Programs[/\\]Startup|CurrentVersion[/\\]+Run")
PERSISTENCE_COMMANDS = re.compile(r"(?i)^(?:crontab|schtasks|launchctl|systemctl\s+enable|reg\s+add)\b|"
                                  r"^(?:crontab|schtasks|launchctl)$")
PERSISTENCE_GATE = Gate(re.compile(r"authorized_keys|\.(?:bashrc|zshrc|bash_profile|profile|zprofile)\b|/etc/cron|"
                                   r"crontab|rc\.local|sudoers|systemd/|autostart|Launch(?:Agents|Daemons)|"
                                   r"Programs.{1,2}Startup|CurrentVersion.{1,2}Run|schtasks|launchctl|ld\.so\.preload"),
                        ("authorized_keys", ".bashrc", ".zshrc", ".bash_profile", ".profile", ".zprofile", "/etc/cron",
                         "crontab", "rc.local", "sudoers", "systemd/", "autostart", "Launch", "Programs",
                         "CurrentVersion", "schtasks", "launchctl", "ld.so.preload"), anchored=True)
WRITE_OPENERS = {"open", "io.open", "aiofiles.open", "codecs.open"}
WRITE_METHODS = {"write_text", "write_bytes"}
COPIES = {"shutil.copy", "shutil.copy2", "shutil.copyfile", "shutil.move", "os.symlink", "os.rename"}
RUNNERS = {"subprocess.run", "subprocess.call", "subprocess.check_call", "subprocess.check_output",
           "subprocess.Popen", "os.system", "os.popen"}


@detector("python-persistence")
@survives_deep_nesting
@whole_files
def persistence(unit: TextUnit, rule: Rule) -> Iterable[Hit]:
    """Writes to shell start-up files, authorized_keys, cron, systemd or launchd folders, Windows Run keys
    and Startup folders; commands that install cron jobs, scheduled tasks or launch agents."""
    analysis = full_analysis(unit, PERSISTENCE_GATE)
    if analysis is None:
        return
    for scope, call, name in scoped_calls(analysis):
        method = call.func.attr if isinstance(call.func, ast.Attribute) else ""
        target: Optional[ast.expr] = None
        if name in WRITE_OPENERS and _write_mode(call):
            target = call.args[0] if call.args else None
        elif method in WRITE_METHODS:
            target = call.func.value  # type: ignore[attr-defined]
        elif name in COPIES and len(call.args) > 1:
            target = call.args[1]
        elif name in RUNNERS and call.args:
            command = _command_text(call.args[0], scope)
            if command and PERSISTENCE_COMMANDS.search(command) and not re.fullmatch(r"crontab\s+-l\s*", command):
                yield make_hit(analysis, call, f"the code installs a start-up entry ({command.split()[0]})",
                               Confidence.HIGH, False)
            continue
        if target is None:
            continue
        path = _path_text(target, scope)
        if path and PERSISTENCE_PATH.search(path):
            yield make_hit(analysis, call, f"the code writes {path.strip()!r}, where it runs again or lets someone in",
                           Confidence.HIGH, False)


def _write_mode(call: ast.Call) -> bool:
    mode = call.args[1] if len(call.args) > 1 else next((k.value for k in call.keywords if k.arg == "mode"), None)
    return isinstance(mode, ast.Constant) and isinstance(mode.value, str) and bool(set(mode.value) & set("wax+"))


def _path_text(node: ast.expr, scope: Scope, depth: int = 0) -> str:
    """The constant text of a path expression, joined (``Path.home() / ".ssh" / "authorized_keys"``)."""
    parts = []
    for n in ast.walk(node):
        if isinstance(n, ast.Constant) and isinstance(n.value, str):
            parts.append(n.value)
        elif isinstance(n, ast.Name) and depth < DEPTH:
            values = lookup(n.id, scope)
            if len(values) == 1:
                parts.append(_path_text(values[0], scope, depth + 1))
    return "/".join(p for p in parts if p)


def _command_text(node: ast.expr, scope: Scope) -> str:
    if isinstance(node, ast.Name):
        values = lookup(node.id, scope)
        node = values[0] if len(values) == 1 else node
    if isinstance(node, (ast.List, ast.Tuple)):
        return " ".join(e.value for e in node.elts if isinstance(e, ast.Constant) and isinstance(e.value, str))
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value for v in node.values if isinstance(v, ast.Constant) and isinstance(v.value, str))
    return ""
