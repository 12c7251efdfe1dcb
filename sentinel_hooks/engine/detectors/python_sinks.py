"""What the Python checks look for: the calls that are sinks, the sanitisers and propagators of
taint, the decorators and request fields that bring input from the outside world, and the cheap text
gates that let a file skip parsing when it cannot hold a hit."""
from __future__ import annotations

import re
from typing import Callable, Container, Iterator, Optional, Union

from sentinel_hooks.engine.patterns import lazy
from sentinel_hooks.records import record
from sentinel_hooks.engine.text_gate import AllOf, Found, Gate

# Cheap text tests that skip parsing a file that cannot hold a hit of the check.
# a literal first argument (not an f-string) cannot be a finding, so such calls do not count here
EVAL_TEXT = lazy(r"(?<![\w.])(?:eval|exec|compile)\s*\(\s*(?![rRbBuU]{0,2}[\"'])")
SHELL_TEXT = lazy(r"shell\s*=\s*True|system\s*\(|popen|getoutput|getstatusoutput|subprocess_shell|"
                  r"[\"'](?:-c|/[cC]|-[Cc]ommand|-lc|-ic)[\"']")
INPUT_TEXT = lazy(r"@[\w.]*\b(?:tool|call_tool|resource|prompt|route|api_route|websocket)\b|"
                  r"@[\w.]+\.(?:get|post|put|delete|patch)\s*\(\s*[rRuU]?[\"']/|"
                  r"\brequest\.(?:args|form|json|values|files|get_json|query_params|path_params|params|data|"
                  r"body|GET|POST|FILES|COOKIES|META|match_info|query|url|headers|cookies)\b|\barguments\s*(?:\[|\.get\b)|"
                  r"\.(?:add_tool|from_function)\s*\(|inputSchema[\"']\s*:")
CONTENT_LIMIT = 200

LITERAL, BUILT, OPAQUE = "literal", "built", "opaque"

TOOL_DECORATORS = {"tool", "call_tool", "resource", "prompt"}
ROUTE_DECORATORS = {"route", "get", "post", "put", "delete", "patch", "api_route", "websocket"}
UNTAINTED_PARAMS = {"self", "cls", "ctx", "context"}
SAFE_ANNOTATIONS = {"int", "float", "bool", "Context"}
REQUEST_FIELDS = {"args", "form", "values", "json", "get_json", "query_params", "path_params", "GET",
                  "POST", "data", "files", "cookies", "body", "query", "match_info", "headers", "arguments",
                  "FILES", "COOKIES", "META", "form", "stream"}

SANITIZERS = {"shlex.quote", "pipes.quote", "quote", "int", "float", "bool", "len",
              "os.path.basename", "secure_filename", "werkzeug.utils.secure_filename", "re.escape",
              "html.escape", "escape", "markupsafe.escape", "bleach.clean", "hashlib.sha256",
              "uuid.UUID", "abs"}
PROPAGATORS = {"os.path.join", "os.path.abspath", "os.path.normpath", "os.path.expanduser",
               "os.path.expandvars", "os.path.realpath", "pathlib.Path", "Path", "pathlib.PurePath",
               "PurePath", "str", "bytes", "os.fspath", "urllib.parse.urljoin", "urljoin",
               "posixpath.join", "f",
               # wrappers and encodings: the value comes back out (or is carried along)
               "urllib.parse.quote", "urllib.parse.quote_plus", "urllib.parse.unquote",
               "urllib.parse.unquote_plus", "urllib.parse.unquote_to_bytes", "urllib.parse.urlencode",
               "unquote", "unquote_plus", "quote_plus", "base64.b64encode", "base64.b64decode",
               "base64.urlsafe_b64encode", "base64.urlsafe_b64decode", "base64.b32encode", "base64.b32decode",
               "base64.b16encode", "base64.b16decode", "base64.b85encode", "base64.b85decode",
               "base64.encodebytes", "base64.decodebytes", "base64.standard_b64encode",
               "base64.standard_b64decode", "binascii.hexlify", "binascii.unhexlify", "binascii.a2b_base64",
               "binascii.b2a_base64", "codecs.encode", "codecs.decode", "zlib.compress", "zlib.decompress",
               "gzip.compress", "gzip.decompress", "bz2.compress", "bz2.decompress", "lzma.compress",
               "lzma.decompress", "html.unescape", "json.loads", "json.dumps", "list", "tuple", "dict", "set",
               "sorted", "reversed", "copy.copy", "copy.deepcopy", "textwrap.dedent", "bytearray"}
SANITIZER_METHODS = {"isdigit", "isalnum", "isidentifier", "hexdigest"}

EVAL_FUNCS = {"eval", "exec", "compile", "builtins.eval", "builtins.exec", "builtins.compile"}
# argument lists that run a shell on their command string: ["sh", "-c", cmd], ["cmd", "/c", cmd]
LIST_SHELLS = {"sh", "bash", "zsh", "dash", "ksh", "fish", "cmd", "cmd.exe", "powershell", "pwsh",
               "powershell.exe"}
SHELL_FLAGS = {"-c", "/c", "/C", "-Command", "-command", "-lc", "-ic"}
EXEC_LIST_CALLS = {"asyncio.create_subprocess_exec", "os.execvp", "os.execv", "os.execlp", "os.spawnvp"}
SUBPROCESS_SHELL_OPTIONAL = {"subprocess.run", "subprocess.call", "subprocess.check_call",
                             "subprocess.check_output", "subprocess.Popen"}
ALWAYS_SHELL = {"os.system", "os.popen", "subprocess.getoutput", "subprocess.getstatusoutput",
                "commands.getoutput", "commands.getstatusoutput", "asyncio.create_subprocess_shell",
                "popen2.popen2", "popen2.popen3"}
SQL_METHODS = {"execute", "executemany", "executescript", "exec_driver_sql", "raw", "mogrify",
               "fetch", "fetchrow", "fetchval", "read_sql", "read_sql_query"}
SQL_FUNCS = {"sqlalchemy.text", "sqlalchemy.sql.text", "sqlalchemy.sql.expression.text", "text",
             "pandas.read_sql", "pandas.read_sql_query"}
SQL_WORDS = lazy(r"(?i)\b(?:select\b[\s\S]{0,400}?\bfrom|insert\s+(?:or\s+\w+\s+)?into|update\b[\s\S]{0,200}?\bset|"
                 r"delete\s+from|replace\s+into|create\s+(?:table|index|view|database)|drop\s+"
                 r"(?:table|index|view|database)|alter\s+table|truncate\s+table|pragma\s|attach\s)")
NUMERIC_FUNCS = {"int", "float", "len", "min", "max", "round", "abs", "sum"}
SQL_VALUE_CONTEXT = lazy(r"""(?:['"%]|\b(?:like|in\s*\(|values\s*\()|[=<>]\s*)$""", re.I)
PICKLE_LIKE = {"pickle.load", "pickle.loads", "pickle.Unpickler", "cPickle.load", "cPickle.loads",
               "cPickle.Unpickler", "_pickle.load", "_pickle.loads", "_pickle.Unpickler", "dill.load",
               "dill.loads", "cloudpickle.load", "cloudpickle.loads", "joblib.load",
               "pandas.read_pickle", "jsonpickle.decode", "jsonpickle.unpickler.decode"}
WEAKER_DESERIALIZERS = {"marshal.load", "marshal.loads", "shelve.open"}
YAML_LOADS = {"yaml.load", "yaml.load_all"}
YAML_UNSAFE = {"yaml.unsafe_load", "yaml.unsafe_load_all"}
YAML_SAFE_LOADERS = {"SafeLoader", "CSafeLoader", "BaseLoader", "CBaseLoader", "FullLoader", "CFullLoader"}
NETWORK_ATTRS = {"recv", "read", "content", "body", "data", "get_data", "payload"}
PATH_FUNCS = {"open", "io.open", "codecs.open", "aiofiles.open", "os.open", "os.remove", "os.unlink",
              "os.rmdir", "os.removedirs", "os.listdir", "os.scandir", "os.makedirs", "os.mkdir",
              "os.rename", "os.replace", "os.chmod", "os.walk", "shutil.copy", "shutil.copyfile",
              "shutil.copy2", "shutil.copytree", "shutil.rmtree", "shutil.move", "send_file",
              "flask.send_file", "FileResponse", "starlette.responses.FileResponse",
              "fastapi.responses.FileResponse", "tarfile.open", "zipfile.ZipFile",
              # a repository opened or created at a path: git reads and writes everything under it
              "git.Repo", "git.Repo.init", "git.repo.base.Repo", "git.repo.Repo"}
PATH_METHODS = {"read_text", "read_bytes", "write_text", "write_bytes", "open", "unlink", "rmdir",
                "mkdir", "iterdir", "glob", "rglob", "rename", "touch"}
PATH_GUARD_ATTRS = {"is_relative_to", "relative_to", "commonpath", "commonprefix", "startswith",
                    "safe_join", "secure_filename"}
GUARD_NAME = lazy(r"(?i)safe|valid|allow|within|contain|sanitiz|ensure|verify|check(?!out)|inside|jail")  # not git checkout
HTTP_FUNCS = {f"{lib}.{verb}" for lib in ("requests", "httpx")
              for verb in ("get", "post", "put", "delete", "patch", "head", "options", "request", "stream")}
HTTP_FUNCS |= {"urllib.request.urlopen", "urllib.request.Request", "urllib2.urlopen", "aiohttp.request",
               "urlopen"}
HTTP_METHODS = {"get", "post", "put", "delete", "patch", "head", "options", "request", "stream", "ws_connect"}
CLIENT_NAME = lazy(r"(?i)(?:^|_)(?:session|sess|client|http|httpx|aiohttp|requests)$")
# clients of caches, databases, queues and cloud SDKs: their get()/request() take keys, not URLs
NON_HTTP_CLIENT = lazy(r"(?i)memcache|redis|mongo|(?:^|_)(?:db|kv|s3|es|sql)(?:_|$)|database|sqlite|postgres|"
                       r"mysql|cache|dynamo|boto|kafka|sqs|sns|ldap|smtp|ftp|ssh|grpc|qdrant|pinecone|chroma|"
                       r"elastic|neo4j|etcd|consul|docker|kube|k8s|openai|anthropic|llm")
URL_GUARD_NAME = lazy(r"(?i)allow|whitelist|trusted|permitted|approved")
URL_GUARD_CALLS = {"urlparse", "urlsplit", "urllib.parse.urlparse", "urllib.parse.urlsplit", "httpx.URL",
                   "yarl.URL", "URL", "ipaddress.ip_address"}
FIXED_HOST = lazy(r"^[A-Za-z][A-Za-z0-9+.-]*://[^/?#]+[/?#]")
# cheap text tests before any parsing: a file without such a call cannot hold a finding of the check
DESERIALIZATION_TEXT = lazy(r"\b(?:loads?|Unpickler|unsafe_load(?:_all)?|full_load|load_all|read_pickle|"
                            r"decode)\s*\(|shelve\s*\.\s*open")
TORCH_TEXT = lazy(r"\bload\s*\(")  # the rule's keyword already requires "torch"
MARKUP_TEXT = lazy(r"\b(?:Markup|mark_safe)\s*\(")
# Lines that may hold a sink of the checks that need no tool input, one pattern per check. Functions
# without such a line of a check whose gate passes are not analysed (python_prune); files that show
# tool or request input get everything.
_SINK_MODULES = ("pickle", "cPickle", "_pickle", "dill", "cloudpickle", "joblib", "marshal", "shelve", "yaml",
                 "jsonpickle")
_IMPORTED_MODULES = "|".join(_SINK_MODULES + ("torch",))
_SINK_IMPORT_ALIAS = lazy(r"\b(?:from\s+(?:" + _IMPORTED_MODULES + r")[\w.]*\s+import|import\s+(?:"
                          + _IMPORTED_MODULES + r")[\w.]*\s+as)\b")

# The same tests, tried only where a literal every match starts with occurs (engine/text_gate.py).
EVAL_GATE = Gate(EVAL_TEXT, ("eval", "exec", "compile"), anchored=True)
# every quoted flag starts with a quote and a dash or slash: four scans of the text instead of fourteen
SHELL_GATE = Gate(SHELL_TEXT, ("shell", "system", "popen", "getoutput", "getstatusoutput", "subprocess_shell")
                  + tuple(q + lead for q in "\"'" for lead in "-/"), anchored=True)
INPUT_GATE = Gate(INPUT_TEXT, ("@", "request.", "arguments", ".add_tool", ".from_function", "inputSchema"),
                  anchored=True)
SQL_GATE = Gate(SQL_WORDS, ("select", "insert", "update", "delete", "replace", "create", "drop", "alter",
                            "truncate", "pragma", "attach"), ignore_case=True, anchored=True)
DESERIALIZATION_CALL_GATE = Gate(DESERIALIZATION_TEXT, ("load", "Unpickler", "unsafe_load", "full_load",
                                                        "read_pickle", "decode", "shelve"), anchored=True)
# Every deserialiser the check knows is named through its module (``pickle.loads``, ``from pickle import
# loads``, ``import pandas as pd``), so a file that never names one of these modules as a word holds
# no hit of the check, however often it calls ``json.loads`` or ``.decode()``.
_DESERIALIZER_MODULES = sorted({name.split(".")[0] for name in PICKLE_LIKE | WEAKER_DESERIALIZERS | YAML_LOADS
                                | YAML_UNSAFE})
DESERIALIZER_MODULE_GATE = Gate(lazy(r"(?<![\w.])(?:" + "|".join(_DESERIALIZER_MODULES) + r")\b"),
                                tuple(_DESERIALIZER_MODULES), anchored=True)
DESERIALIZATION_GATE = AllOf((DESERIALIZATION_CALL_GATE, DESERIALIZER_MODULE_GATE))
TORCH_GATE = Gate(TORCH_TEXT, ("load",), anchored=True)
MARKUP_GATE = Gate(MARKUP_TEXT, ("Markup", "mark_safe"), anchored=True)
EVAL_SINK = Gate(lazy(r"(?<![\w.])(?:eval|exec|compile)\s*\("), ("eval", "exec", "compile"), anchored=True)
SHELL_SINK = Gate(lazy(r"shell\s*=|system\s*\(|popen|getoutput|getstatusoutput|subprocess_shell"),
                  ("shell", "system", "popen", "getoutput", "getstatusoutput", "subprocess_shell"), anchored=True)
SQL_SINK = Gate(lazy(r"(?<=\.)(?:execute\w*|exec_driver_sql|raw|mogrify|fetch\w*)\s*\(|\b(?:text|read_sql\w*)\s*\("),
                ("exec", "raw", "mogrify", "fetch", "text", "read_sql"), anchored=True)
DESERIALIZATION_SINK = Gate(lazy(r"\b(?:" + "|".join(_SINK_MODULES) + r"|Unpickler|read_pickle)\b"),
                            _SINK_MODULES + ("Unpickler", "read_pickle"), anchored=True)
TORCH_SINK = Gate(lazy(r"\btorch\b"), ("torch",), anchored=True)
MARKUP_SINK = Gate(lazy(r"\b(?:Markup|mark_safe|SafeString)\b"), ("Markup", "mark_safe", "SafeString"), anchored=True)
SINK_IMPORT_GATE = Gate(_SINK_IMPORT_ALIAS, _SINK_MODULES + ("torch",))  # the module name lies inside the match


def renaming_import(modules: str) -> Gate:
    """``from MODULE import NAME as OTHER`` (parenthesised or continued over lines too) of one of
    ``modules`` (an alternation): a name the check knows may be called under another."""
    return Gate(lazy(r"\bfrom\s+(?:" + modules + r")\b[\w.]*\s+import\s+(?:\([^)]*|(?:[^\n;\\]|\\[\s\S])*)\bas\b"),
                ("from",), anchored=True)


# python-decoded-exec (python_backdoors): a code runner and a decoder or a fetch in the same file
EXEC_GATE = Gate(lazy(r"\b(?:exec|eval|compile|exec_module|run_path|import_module|__import__)\b"),
                 ("exec", "eval", "compile", "run_path", "import_module", "__import__"), anchored=True)
DECODE_OR_FETCH_GATE = Gate(lazy(r"b(?:64|32|16|85)decode|a85decode|decodebytes|decompress|marshal\.loads|"
                                 r"fromhex|unhexlify|a2b_|rot_?13|requests\.get|httpx\.get|urlopen|urlretrieve"),
                            ("b64decode", "b32decode", "b16decode", "b85decode", "a85decode", "decodebytes",
                             "decompress", "marshal.loads", "fromhex", "unhexlify", "a2b_", "rot13", "rot_13",
                             "requests.get", "httpx.get", "urlopen", "urlretrieve"), anchored=True)
DECODED_EXEC_GATE = AllOf((EXEC_GATE, DECODE_OR_FETCH_GATE))
# every runner the check knows (eval/exec/compile, runpy, importlib, __import__, loaders) is called by a name
# holding one of these, unless renamed on import
_RUNNER_WORDS = ("eval", "exec", "compile", "run_path", "run_module", "import_module", "__import__", "load_module",
                 "spec_from_file_location")
CODE_RUNNER_SINK = Gate(lazy("|".join(_RUNNER_WORDS)), _RUNNER_WORDS, anchored=True)
RUNNER_IMPORT_GATE = renaming_import(r"importlib|runpy|builtins")

# python-exfiltration (without tool input): a send, a secret source and a fixed destination in the same file
SEND_GATE = Gate(lazy(r"requests|httpx|aiohttp|urlopen|Request|smtplib|sendall|sendto|\.send\(|"
                      r"gethostbyname|getaddrinfo|resolver|\.post\(|\.put\("),
                 ("requests", "httpx", "aiohttp", "urlopen", "Request", "smtplib", "sendall", "sendto", ".send(",
                  "gethostbyname", "getaddrinfo", "resolver", ".post(", ".put("), anchored=True)
# a file without tool input needs a secret source for a hit: the environment as a whole, a credential file,
# or a secret variable read by name
SECRET_GATE = Gate(lazy(r"environ(?:\)|\.copy\(\)|\.items\(\)|\s*[,}\]])|\.ssh\b|\.aws\b|\.env\b|netrc|"
                        r"pgpass|credentials|keychain|id_rsa|id_ed25519|-password|"
                        r"(?:getenv|environ\.get|environ\[)\s*\(?\s*[\"'][A-Z0-9_]*"
                        r"(?:KEY|TOKEN|SECRET|PASSWORD|PASSWD|PAT|CREDENTIALS?)"),
                   ("environ", ".ssh", ".aws", ".env", "netrc", "pgpass", "credentials", "keychain", "id_rsa",
                    "id_ed25519", "-password", "getenv"), anchored=True)
# ... and a fixed destination: a URL literal, a mail server, a socket or a DNS lookup
DESTINATION_GATE = Gate(lazy(r"[\"']https?://(?!localhost|127\.)|smtplib|create_connection|\.connect\(|"
                             r"gethostbyname|getaddrinfo|resolver"),
                        ("http", "smtplib", "create_connection", ".connect(", "gethostbyname", "getaddrinfo",
                         "resolver"))
EXFILTRATION_GATE = AllOf((SECRET_GATE, DESTINATION_GATE, SEND_GATE))  # the rarest first
# a send (python_outbound.outbound_send) is called by its verb or method name: requests.post, client.get,
# urlopen, smtp.sendmail, sock.sendall, socket.getaddrinfo, resolver.resolve, unless renamed on import
_SEND_WORDS = ("get", "post", "put", "delete", "patch", "head", "options", "request", "stream", "ws_connect",
               "urlopen", "Request", "sendmail", "send_message", "send", "sendall", "sendto", "gethostbyname",
               "gethostbyname_ex", "getaddrinfo", "resolve", "query")
SEND_SINK = Gate(lazy(r"(?<!\w)(?:" + "|".join(sorted(_SEND_WORDS, key=len, reverse=True)) + r")(?!\w)"),
                 _SEND_WORDS, anchored=True)
SEND_IMPORT_GATE = renaming_import(r"requests|httpx|aiohttp|urllib\.request|urllib2|socket|dns")

# python-reverse-shell (python_backdoors): a socket, a connect and a shell in the same file
SOCKET_GATE = Gate(lazy(r"socket"), ("socket",), anchored=True)
CONNECT_GATE = Gate(lazy(r"connect"), ("connect",), anchored=True)
REVERSE_SHELL_GATE = Gate(lazy(r"\bdup2\b|\bpty\b|/bin/(?:ba|z|da|k)?sh\b|cmd\.exe|powershell"),
                          ("dup2", "pty", "/bin/", "cmd.exe", "powershell"), anchored=True)
REVERSE_SHELL_GATES = AllOf((SOCKET_GATE, CONNECT_GATE, REVERSE_SHELL_GATE))
# the block reported opens its socket with socket.socket or socket.create_connection
SOCKET_SINK = Gate(lazy(r"socket|create_connection"), ("socket", "create_connection"), anchored=True)
SOCKET_IMPORT_GATE = renaming_import(r"socket")


@record(frozen=True)
class CheckSinks:
    """A check that may report without tool input: the gate a file passes before the check looks at it,
    the lines that may hold its sinks, and whether an imported name may hide its module
    (``from pickle import loads``), in which case every function is analysed: ``imported_names`` for
    the modules of ``SINK_IMPORT_GATE``, ``import_gate`` for a check's own. ``detector`` names the
    check (its rules' detector)."""

    detector: str
    gate: Union[Gate, AllOf]
    sink: Gate
    imported_names: bool = False
    import_gate: Optional[Gate] = None


# One entry per check gate that ``analysis_of`` is called with; a check reporting only on tool input
# (``INPUT_GATE``) needs none, since such files are analysed whole.
CHECK_SINKS: tuple[CheckSinks, ...] = (
    CheckSinks("python-eval", EVAL_GATE, EVAL_SINK),
    CheckSinks("python-shell", SHELL_GATE, SHELL_SINK),
    CheckSinks("python-sql", SQL_GATE, SQL_SINK),
    CheckSinks("python-deserialization", DESERIALIZATION_GATE, DESERIALIZATION_SINK, imported_names=True),
    CheckSinks("python-torch-load", TORCH_GATE, TORCH_SINK, imported_names=True),
    CheckSinks("python-markup", MARKUP_GATE, MARKUP_SINK),
    CheckSinks("python-decoded-exec", DECODED_EXEC_GATE, CODE_RUNNER_SINK, import_gate=RUNNER_IMPORT_GATE),
    CheckSinks("python-exfiltration", EXFILTRATION_GATE, SEND_SINK, import_gate=SEND_IMPORT_GATE),
    CheckSinks("python-reverse-shell", REVERSE_SHELL_GATES, SOCKET_SINK, import_gate=SOCKET_IMPORT_GATE),
)


def candidate_offsets(text: str, input_seen: Optional[bool] = None,
                      gate_passes: Optional[Callable[[Union[Gate, AllOf]], bool]] = None,
                      detectors: Optional[Container[str]] = None,
                      found: Optional[Found] = None) -> Optional[list[int]]:
    """Offsets of the text that may start a sink of a check whose gate passes (``gate_passes``, every
    check without it), ascending; None when every function must be analysed (``input_seen``: the
    result of ``INPUT_GATE`` when the caller has it). With ``detectors`` (the checks whose rules the
    file's keywords selected), the other checks' gates are not tested: they will not run on the file.
    ``found``: the literals of ``text`` with their offsets (``text_gate.LiteralIndex``), when known."""
    if input_seen is None:
        input_seen = INPUT_GATE.search(text)
    if input_seen:
        return None  # tool input reaches broad sinks (open, get)
    checks = [c for c in CHECK_SINKS if (detectors is None or c.detector in detectors)
              and (gate_passes is None or gate_passes(c.gate))]
    if any(c.import_gate is not None and c.import_gate.search(text, None, found) for c in checks):
        return None
    offsets = [c.sink.offsets(text, None, found) for c in checks]
    if any(c.imported_names for c in checks) and SINK_IMPORT_GATE.search(text, None, found):
        names = imported_sink_names(text, found)  # the functions that use a name imported from the modules
        if names is None:
            return None
        offsets.append(_word_offsets(text, names))
    if len(offsets) == 1:
        return offsets[0]
    return sorted({pos for hits in offsets for pos in hits})


_IMPORTED = lazy(r"[ \t]*(?:\((?P<group>[^)]*)\)|(?P<line>(?:[^\n;#\\]|\\\n)+))")
_ALIAS = lazy(r"[ \t]+(\w+)")


def imported_sink_names(text: str, found: Optional[Found] = None) -> Optional[set[str]]:
    """The local names that ``from MODULE import ...`` and ``import MODULE as ...`` of the modules of
    ``SINK_IMPORT_GATE`` bind (``from pickle import loads, Unpickler as U``: loads, U); None for a star
    import or a form not read here, when every function must be analysed. ``found``: the offsets of
    the modules' names in ``text``, when known."""
    names: set[str] = set()
    for m in sink_imports(text, found):
        if m.group().startswith("import"):  # ``import pickle as NAME``
            alias = _ALIAS.match(text, m.end())
            if alias is None:
                return None
            names.add(alias.group(1))
            continue
        rest = _IMPORTED.match(text, m.end())
        if rest is None:
            return None
        listed = rest.group("group") if rest.group("group") is not None else rest.group("line")
        if listed is None:
            return None
        for part in listed.replace("\\\n", " ").split(","):
            words = part.split()
            if len(words) == 1 and words[0].isidentifier():
                names.add(words[0])
            elif len(words) == 3 and words[1] == "as" and words[2].isidentifier():
                names.add(words[2])
            elif words:
                return None  # a star import, a comment inside the brackets: not read here
    return names


def sink_imports(text: str, found: Optional[Found] = None) -> Iterator[re.Match[str]]:
    """The matches of ``_SINK_IMPORT_ALIAS`` in ``text``, those of ``finditer``. With ``found``, the
    pattern is tried only at a ``from`` or ``import`` that whitespace separates from a module's name
    (where every match starts), not searched through the whole text."""
    if found is None or found.text is not text:
        yield from _SINK_IMPORT_ALIAS.finditer(text)
        return
    starts = set()
    for pos in found.offsets_of(SINK_IMPORT_GATE.literals):
        before = pos
        while before and text[before - 1].isspace():
            before -= 1
        if before == pos:
            continue
        if before >= 4 and text.startswith("from", before - 4):
            starts.add(before - 4)
        elif before >= 6 and text.startswith("import", before - 6):
            starts.add(before - 6)
    match, end = _SINK_IMPORT_ALIAS.match, 0
    for start in sorted(starts):
        if start >= end:  # as finditer: the next match starts after the previous one ends
            m = match(text, start)
            if m is not None:
                yield m
                end = m.end()


def _word_offsets(text: str, names: set[str]) -> list[int]:
    """Offsets of ``names`` standing as words in ``text``."""
    if not names:
        return []
    pattern = re.compile(r"(?<!\w)(?:" + "|".join(sorted(map(re.escape, names))) + r")(?!\w)")
    return Gate(pattern, tuple(sorted(names)), anchored=True).offsets(text)


MARKUP_FUNCS = {"Markup", "markupsafe.Markup", "flask.Markup", "jinja2.Markup", "mark_safe",
                "django.utils.safestring.mark_safe", "SafeString", "django.utils.safestring.SafeString"}
