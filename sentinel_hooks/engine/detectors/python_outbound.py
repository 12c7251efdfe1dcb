"""What the exfiltration and capability checks share: outbound sends (HTTP, e-mail, sockets, DNS) and
where they go, and which values carry secret data (the whole environment, credential files).

``carries_secret_data`` is the local predicate for the "secret data" label; it follows a value through
the assignments of its function (and subscript stores, ``append``/``update``) a few steps deep.
"""
from __future__ import annotations

import ast
import ipaddress
import re
from sentinel_hooks.records import record
from typing import Iterator, Optional
from urllib.parse import urlsplit

from sentinel_hooks.engine import constant_eval
from sentinel_hooks.engine.credential_paths import CREDENTIAL_TEXT
from sentinel_hooks.engine.python_scopes import own_nodes
from sentinel_hooks.engine.detectors.python_ast import Analysis, Scope, first_argument, is_client, lookup, \
    qualified_name
from sentinel_hooks.engine.detectors.python_sinks import HTTP_FUNCS, HTTP_METHODS

HTTP_SENDING_METHODS = {"post", "put", "patch"}
SMTP_SENDS = {"sendmail", "send_message"}
SOCKET_SENDS = {"send", "sendall", "sendto"}
SOCKET_FACTORIES = {"socket.socket", "socket.create_connection", "socket.socketpair"}
DNS_LOOKUPS = {"socket.gethostbyname", "socket.gethostbyname_ex", "socket.getaddrinfo", "dns.resolver.resolve",
               "dns.resolver.query", "resolver.resolve", "resolver.query"}
LOCAL_HOSTS = {"localhost", "127.0.0.1", "0.0.0.0", "::1", "[::1]", "host.docker.internal"}
# hosts that exist to collect what is sent to them (request bins, chat webhooks, tunnels, paste sites)
COLLECTOR_HOST = re.compile(r"(?i)(?:^|\.)(?:webhook\.site|requestbin\.\w+|pipedream\.net|ngrok(?:-free)?\.\w+|"
                            r"ngrok\.io|interact\.sh|oast\.\w+|burpcollaborator\.net|pastebin\.com|"
                            r"hastebin\.com|transfer\.sh|discord(?:app)?\.com|api\.telegram\.org|"
                            r"hooks\.slack\.com|beeceptor\.com|requestcatcher\.com|canarytokens\.com)$")
READ_CALLS = {"read", "read_text", "read_bytes", "readlines", "readline", "load", "dotenv_values",
              "dotenv.dotenv_values", "open", "io.open", "check_output", "subprocess.check_output",
              "subprocess.run", "getoutput", "subprocess.getoutput"}
ENV_WHOLE_METHODS = {"copy", "items", "keys", "values"}
SECRET_VARIABLE = re.compile(r"(?i)(?:^|_)(?:key|token|secret|password|passwd|pat|credentials?)(?:$|_)")
# words of variable names that say what kind of secret, not whose
GENERIC_VARIABLE_WORDS = {"api", "key", "keys", "token", "secret", "access", "password", "passwd", "auth", "id",
                          "client", "private", "bearer", "pat", "credential", "credentials", "app", "user", "personal",
                          "llm", "model", "service", "server", "mcp", "my", "default", "prod", "dev", "v1", "v2",
                          "webhook", "bot", "admin", "root", "master", "session", "refresh", "oauth", "signing"}
DEPTH = 5


@record
class Send:
    """One outbound send: its call, the family (http, email, socket, dns), the fixed host when the code
    names one (None when it is computed) and the values that leave."""

    call: ast.Call
    family: str
    host: Optional[str]
    payload: list[ast.expr]
    sends_data: bool  # a body, a message or a send (not only a URL fetch)


def outbound_send(call: ast.Call, name: str, scope: Scope, analysis: Analysis) -> Optional[Send]:
    """The send ``call`` makes, or None when it is no outbound send this module knows."""
    method = call.func.attr if isinstance(call.func, ast.Attribute) else ""
    args = [*call.args, *(k.value for k in call.keywords)]
    if name in HTTP_FUNCS or (method in HTTP_METHODS and is_client(call.func.value)):  # type: ignore[attr-defined]
        verb = name.rsplit(".", 1)[-1] if name in HTTP_FUNCS else method
        url = first_argument(call, "url", position=1) if verb == "request" else first_argument(call, "url", "uri")
        if isinstance(url, ast.Call) and qualified_name(url.func, analysis.aliases).endswith("Request"):
            args += [*url.args, *(k.value for k in url.keywords)]
            url = first_argument(url, "url")
        body = any(k.arg in ("data", "json", "files", "content", "body") for k in call.keywords)
        return Send(call, "http", fixed_host(url, scope) if url is not None else None, args,
                    body or verb in HTTP_SENDING_METHODS)
    if method in SMTP_SENDS:
        return Send(call, "email", _smtp_host(call.func.value, scope, analysis), args, True)  # type: ignore
    if method in SOCKET_SENDS and _is_socket(call.func.value, scope, analysis):  # type: ignore[attr-defined]
        return Send(call, "socket", _socket_host(call, scope, analysis), args, True)
    if name in DNS_LOOKUPS or (method in ("resolve", "query") and "dns" in name):
        host = first_argument(call, "host", "qname", "hostname")
        if host is not None and isinstance(host, (ast.JoinedStr, ast.BinOp)):
            suffix = _constant_suffix(host)
            if suffix and "." in suffix:
                return Send(call, "dns", suffix.strip("."), [host], True)
    return None


def fixed_host(url: ast.expr, scope: Scope, depth: int = 0) -> Optional[str]:
    """The host a URL expression names in its constant text, e.g. ``f"https://evil.tld/?d={x}"``."""
    if isinstance(url, ast.Name) and depth < DEPTH:
        values = lookup(url.id, scope)
        hosts = {fixed_host(v, scope, depth + 1) for v in values}
        return hosts.pop() if len(hosts) == 1 else None
    prefix = _constant_prefix(url, scope, depth)
    if "://" not in prefix:
        return None
    rest = prefix.split("://", 1)[1]
    if not re.search(r"[/?#:]", rest):
        return None  # the host may continue past the constant text
    try:
        host = urlsplit(prefix).hostname
    except ValueError:
        return None
    return host or None


def _constant_prefix(node: ast.expr, scope: Scope, depth: int = 0) -> str:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        out = ""
        for v in node.values:
            if not (isinstance(v, ast.Constant) and isinstance(v.value, str)):
                if isinstance(v, ast.FormattedValue) and isinstance(v.value, ast.Name) and depth < DEPTH:
                    inner = _constant_prefix(v.value, scope, depth + 1)
                    if inner and constant_eval.is_constant(v.value, lambda n: lookup(n, scope)):
                        out += inner
                        continue
                break
            out += v.value
        return out
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left = _constant_prefix(node.left, scope, depth + 1)
        return left + _constant_prefix(node.right, scope, depth + 1) if constant_eval.is_constant(
            node.left, lambda n: lookup(n, scope)) else left
    if isinstance(node, ast.Name) and depth < DEPTH:
        values = lookup(node.id, scope)
        if len(values) == 1:
            return _constant_prefix(values[0], scope, depth + 1)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format":
        return _constant_prefix(node.func.value, scope, depth + 1).split("{", 1)[0]
    return ""


def _constant_suffix(node: ast.expr) -> str:
    if isinstance(node, ast.JoinedStr) and node.values and isinstance(node.values[-1], ast.Constant):
        return str(node.values[-1].value) if any(isinstance(v, ast.FormattedValue) for v in node.values) else ""
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add) and isinstance(node.right, ast.Constant):
        return str(node.right.value)
    return ""


def is_external(host: Optional[str]) -> bool:
    """A fixed host outside this machine and its private networks."""
    if not host:
        return False
    host = host.lower().strip("[]")
    if host in LOCAL_HOSTS or host.endswith((".local", ".localhost", ".internal")):
        return False
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return "." in host
    return not (address.is_private or address.is_loopback or address.is_link_local or address.is_unspecified)


def is_collector(host: Optional[str]) -> bool:
    return bool(host) and bool(COLLECTOR_HOST.search(host))  # type: ignore[arg-type]


def _factory_call(node: ast.expr, scope: Scope, analysis: Analysis, names: set[str], depth: int = 0
                  ) -> Optional[ast.Call]:
    """The call among ``names`` that made ``node`` (directly or through local assignments)."""
    if isinstance(node, ast.Call) and qualified_name(node.func, analysis.aliases) in names:
        return node
    if isinstance(node, ast.Name) and depth < DEPTH:
        for value in lookup(node.id, scope):
            found = _factory_call(value, scope, analysis, names, depth + 1)
            if found is not None:
                return found
    return None


def _is_socket(node: ast.expr, scope: Scope, analysis: Analysis) -> bool:
    return _factory_call(node, scope, analysis, SOCKET_FACTORIES) is not None


def _socket_host(call: ast.Call, scope: Scope, analysis: Analysis) -> Optional[str]:
    sock = call.func.value  # type: ignore[attr-defined]
    made = _factory_call(sock, scope, analysis, SOCKET_FACTORIES)
    address: Optional[ast.expr] = None
    if made is not None and made.args and qualified_name(made.func, analysis.aliases) == "socket.create_connection":
        address = made.args[0]
    if call.func.attr == "sendto" and len(call.args) > 1:  # type: ignore[attr-defined]
        address = call.args[1]
    if address is None and isinstance(sock, ast.Name):
        for other in scope.calls:
            if isinstance(other.func, ast.Attribute) and other.func.attr in ("connect", "connect_ex") and \
                    isinstance(other.func.value, ast.Name) and other.func.value.id == sock.id and other.args:
                address = other.args[0]
    return _address_host(address, scope)


def _address_host(address: Optional[ast.expr], scope: Scope) -> Optional[str]:
    if isinstance(address, ast.Name):
        values = lookup(address.id, scope)
        address = values[0] if len(values) == 1 else None
    if isinstance(address, ast.Tuple) and address.elts:
        host = address.elts[0]
        if isinstance(host, ast.Name):
            values = lookup(host.id, scope)
            host = values[0] if len(values) == 1 else host
        if isinstance(host, ast.Constant) and isinstance(host.value, str):
            return host.value
    return None


def _smtp_host(client: ast.expr, scope: Scope, analysis: Analysis) -> Optional[str]:
    made = _factory_call(client, scope, analysis, {"smtplib.SMTP", "smtplib.SMTP_SSL"})
    if made is not None and made.args:
        return _address_host(ast.Tuple([made.args[0]], ast.Load()), scope)
    return None


# --------------------------------------------------------------------------------------------
# the secret data label (local until the taint core exposes one)

_extra_bindings: dict[int, dict[str, list[ast.expr]]] = {}


def container_writes(scope: Scope) -> dict[str, list[ast.expr]]:
    """Values stored into a local container: ``d[k] = v``, ``d.update(v)``, ``xs.append(v)``."""
    key = id(scope.node)
    found = _extra_bindings.get(key)
    if found is not None and found.get("\0node") == [scope.node]:  # type: ignore[comparison-overlap]
        return found
    found = {"\0node": [scope.node]}  # type: ignore[list-item]
    for stmt in own_nodes(scope.node):
        if isinstance(stmt, ast.Assign):
            for target in stmt.targets:
                if isinstance(target, ast.Subscript) and isinstance(target.value, ast.Name):
                    found.setdefault(target.value.id, []).append(stmt.value)
    for call in scope.calls:
        if isinstance(call.func, ast.Attribute) and call.func.attr in ("append", "update", "extend", "add", "write") \
                and isinstance(call.func.value, ast.Name):
            found.setdefault(call.func.value.id, []).extend(call.args)
    if len(_extra_bindings) > 256:
        _extra_bindings.clear()
    _extra_bindings[key] = found
    return found




def carries_secret_data(node: ast.expr, scope: Scope, analysis: Analysis) -> Optional[str]:
    """What secret the value carries ("the environment", "a credential file"), or None."""
    environment, credential, reads = _secret_marks(node, scope, analysis, 0, set())
    if environment:
        return "the environment"
    return "a credential file" if credential and reads else None


def _secret_marks(node: ast.expr, scope: Scope, analysis: Analysis, depth: int, seen: set[str]
                  ) -> tuple[bool, bool, bool]:
    """(the whole environment, a credential path, a read) found in the value or the values of its names."""
    environment = credential = reads = False
    if depth > DEPTH:
        return environment, credential, reads
    for n in ast.walk(node):
        if isinstance(n, ast.Attribute) and n.attr in ("environ", "environb"):
            if qualified_name(n, analysis.aliases) in ("os.environ", "os.environb") and _whole_environment(n, node):
                return True, credential, reads
        elif isinstance(n, ast.Call):
            callee = qualified_name(n.func, analysis.aliases)
            last = callee.rsplit(".", 1)[-1] if callee else (n.func.attr if isinstance(n.func, ast.Attribute) else "")
            if callee in READ_CALLS or last in READ_CALLS:
                reads = True
        elif isinstance(n, ast.Constant) and isinstance(n.value, str) and CREDENTIAL_TEXT.search(n.value):
            credential = True
        elif isinstance(n, ast.Name) and n.id not in seen:
            seen.add(n.id)
            for value in lookup(n.id, scope) + container_writes(scope).get(n.id, []):
                env, cred, read = _secret_marks(value, scope, analysis, depth + 1, seen)
                if env:
                    return True, credential, reads
                credential, reads = credential or cred, reads or read
    return environment, credential, reads


def foreign_secret_variable(node: ast.expr, host: Optional[str], scope: Scope, analysis: Analysis) -> Optional[str]:
    """The name of a secret environment variable of another vendor than ``host`` that the value carries
    (``OPENAI_API_KEY`` sent to collect.example.io), or None. A variable whose name names no vendor
    (``API_KEY``) or names the host's (``TAVILY_API_KEY`` to api.tavily.com) is how a client authenticates."""
    if not host:
        return None
    host_text = host.lower()
    for name in _environment_variables(node, scope, analysis, 0, set()):
        if not SECRET_VARIABLE.search(name):
            continue
        vendor = [w for w in re.split(r"[_\W]+", name.lower()) if w and w not in GENERIC_VARIABLE_WORDS]
        if vendor and not any(w in host_text for w in vendor):
            return name
    return None


def _environment_variables(node: ast.expr, scope: Scope, analysis: Analysis, depth: int, seen: set[str]
                           ) -> Iterator[str]:
    """Names of the environment variables a value is read from: ``os.environ["X"]``, ``os.getenv("X")``,
    ``os.environ.get("X")``, through local and module assignments."""
    for n in ast.walk(node):
        key: Optional[ast.expr] = None
        if isinstance(n, ast.Subscript) and qualified_name(n.value, analysis.aliases) == "os.environ":
            key = n.slice
        elif isinstance(n, ast.Call) and n.args and qualified_name(n.func, analysis.aliases) in (
                "os.getenv", "os.environ.get"):
            key = n.args[0]
        elif isinstance(n, ast.Name) and depth < DEPTH and n.id not in seen:
            seen.add(n.id)
            for value in lookup(n.id, scope):
                yield from _environment_variables(value, scope, analysis, depth + 1, seen)
        if isinstance(key, ast.Constant) and isinstance(key.value, str):
            yield key.value


def _whole_environment(environ: ast.Attribute, root: ast.expr) -> bool:
    """``os.environ`` used as a whole (``dict(os.environ)``, ``os.environ.copy()``), not one key of it."""
    for parent in ast.walk(root):
        if isinstance(parent, ast.Subscript) and parent.value is environ:
            return False
        if isinstance(parent, ast.Attribute) and parent.value is environ:
            return parent.attr in ENV_WHOLE_METHODS
    return True
