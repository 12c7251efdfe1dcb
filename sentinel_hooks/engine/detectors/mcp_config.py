"""Detectors for MCP client configuration files (claude_desktop_config.json, .cursor/mcp.json,
.vscode/mcp.json, .mcp.json, cline_mcp_settings.json, mcp_config.json, .gemini/settings.json, ...).

The file is parsed once with the position-aware JSONC parser; each detector walks the server
entries and reports the exact key or value at fault.
"""
from __future__ import annotations

import posixpath
import re
import shlex
from sentinel_hooks.records import record
from typing import TYPE_CHECKING, Iterable, Iterator, Optional
from urllib.parse import urlsplit

from sentinel_hooks.engine import jsonc
from sentinel_hooks.engine.detectors import detector
from sentinel_hooks.engine.filters import is_placeholder, is_test_path, shannon_entropy
from sentinel_hooks.engine.hits import Hit
from sentinel_hooks.engine.jsonc import Node
from sentinel_hooks.engine.patterns import lazy
from sentinel_hooks.engine.units import TextUnit
from sentinel_hooks.findings import Confidence, Severity

if TYPE_CHECKING:
    from sentinel_hooks.engine.rule import Rule

CLIENT_CONFIG_NAMES = {
    "claude_desktop_config.json", "mcp.json", ".mcp.json", "cline_mcp_settings.json", "mcp_config.json",
    "mcp_settings.json", "settings.json", "settings.local.json", ".claude.json",
}
SERVER_CONTAINERS = ("mcpServers", "servers", "context_servers")
MAX_CONFIG_CHARS = 1_000_000  # client configurations are small; larger JSON is data, not settings
_SERVER_KEYS = ("command", "url", "serverUrl", "httpUrl")
_SERVER_VALUE_KINDS = ("string", "object")


@record
class Server:
    name: str
    node: Node

    def field(self, key: str) -> Optional[Node]:
        return self.node.get(key)

    def string(self, key: str) -> Optional[str]:
        value = self.node.get(key)
        return value.text if value is not None else None


@record
class Argument:
    """One word of a server's launch command and the JSON string it came from."""

    word: str
    node: Node


# -- the configuration model ---------------------------------------------------------------------

def config_root(unit: TextUnit) -> Optional[Node]:
    """The parsed file, or None when it is not JSON (cached per unit)."""
    if "jsonc_root" not in unit.memo:
        text = unit.full_text()
        unit.memo["jsonc_root"] = jsonc.try_parse(text) if len(text) <= MAX_CONFIG_CHARS else None
    return unit.memo["jsonc_root"]


def _containers(root: Node) -> Iterator[Node]:
    for key in SERVER_CONTAINERS:
        node = root.get(key)
        if node is not None and node.kind == "object":
            yield node
    mcp = root.get("mcp")
    if mcp is not None and mcp.get("servers") is not None and mcp.get("servers").kind == "object":
        yield mcp.get("servers")
    projects = root.get("projects")
    for member in projects.members() if projects is not None else []:
        nested = member.value.get("mcpServers")
        if nested is not None and nested.kind == "object":
            yield nested


def _looks_like_server(node: Node) -> bool:
    return node.kind == "object" and any(
        node.get(k) is not None and node.get(k).kind in _SERVER_VALUE_KINDS for k in _SERVER_KEYS)


def servers(unit: TextUnit) -> list[Server]:
    """The MCP server entries of a client configuration file, [] for any other file."""
    if "mcp_servers" in unit.memo:
        return unit.memo["mcp_servers"]
    found: list[Server] = []
    root = config_root(unit) if "servers" in unit.full_text().lower() else None
    if root is not None and root.kind == "object":
        known = posixpath.basename(unit.path) in CLIENT_CONFIG_NAMES
        for container in _containers(root):
            entries = [Server(m.name, m.value) for m in container.members() if m.value.kind == "object"]
            if known or any(_looks_like_server(s.node) for s in entries):
                found.extend(entries)
    unit.memo["mcp_servers"] = found
    return found


def launch_words(server: Server) -> list[Argument]:
    """``command`` and ``args`` as one list of words; a command line in ``command`` is split."""
    words: list[Argument] = []
    command = server.field("command")
    args = server.field("args")
    if command is not None and command.kind == "object":  # Zed: "command": {"path": ..., "args": [...]}
        command, args = command.get("path"), command.get("args")
    if command is not None and command.kind == "string":
        try:
            parts = shlex.split(command.text, posix=True) if " " in command.text.strip() else [command.text]
        except ValueError:
            parts = command.text.split()
        words.extend(Argument(p, command) for p in parts)
    if args is not None:
        words.extend(Argument(item.text, item) for item in args.items() if item.kind == "string")
    if words and program_name(words[0].word) == "cmd" and len(words) > 1 and words[1].word.lower() in ("/c", "/k"):
        words = words[2:]
    return words


def program_name(word: str) -> str:
    name = word.replace("\\", "/").rsplit("/", 1)[-1].lower()
    for suffix in (".cmd", ".exe", ".bat", ".ps1"):
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name


def _hit(node: Node, message: str = "", secret: Optional[str] = None,
         confidence: Optional[Confidence] = None, content: Optional[str] = None) -> Hit:
    column, end_column = node.column, node.end_column
    if node.kind == "string" and node.line == node.end_line and node.raw[:1] in "\"'" and len(node.raw) > 2:
        column, end_column = column + 1, end_column - 1  # the text inside the quotes
    return Hit(node.line, column, node.end_line, end_column, content or node.raw or str(node.value),
               secret=secret, message=message, confidence=confidence)


# -- plaintext secrets ---------------------------------------------------------------------------

_SECRET_WORDS = {"token", "secret", "password", "passwd", "pwd", "apikey", "authorization", "credential",
                 "credentials", "bearer", "passphrase", "privatekey"}
_WEAK_SECRET_WORDS = {"key", "auth", "pat", "cookie"}  # these also name non-secrets (SORT_KEY, AUTH=oauth)
_NOT_SECRET_WORDS = {"path", "file", "dir", "url", "uri", "endpoint", "host", "port", "type", "mode", "id",
                     "name", "user", "username", "limit", "max", "min", "count", "region", "header", "expiry",
                     "expires", "ttl", "length", "size", "format", "version", "enabled", "required", "public",
                     "env", "var", "scope", "scopes", "provider", "method", "location", "store", "field",
                     "prefix", "timeout", "tokens", "budget", "issuer", "audience", "algorithm", "kind",
                     "cache", "idempotency", "sort", "partition", "primary", "foreign", "dedup", "dedupe",
                     "publishable", "anon"}
# values whose format a provider rule checks exactly (a GitLab token of the wrong length is not a token)
_PROVIDER_JUDGED_PREFIXES = ("glpat-",)
# digests and UUIDs are what non-secret *_KEY names (cache keys, request ids) usually hold
_HASH_OR_UUID = lazy(r"[0-9a-f]{32}|[0-9a-f]{40}|[0-9a-f]{64}|[0-9A-F]{32}|[0-9A-F]{40}|[0-9A-F]{64}|"
                           r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_SCHEME = lazy(r"(?i)^(?:bearer|basic|token|apikey|api-key|key|digest)\s+")
_REFERENCE = lazy(r"\$\{[^}]*\}|^\$[A-Za-z_][A-Za-z0-9_]*$|^\$env:|^%[A-Za-z_][A-Za-z0-9_]*%$|"
                  r"\{\{.*\}\}|^env:|^op://|^vault:|^secret:|^keychain:")
_CLI_SECRET_FLAG = lazy(r"(?i)^--?(?:[a-z]+-)*(?:api-?key|token|secret|password|passwd|access-key|auth)"
                        r"(?:=(?P<value>.+))?$")
_ENV_FLAGS = {"-e", "--env"}


def key_words(key: str) -> list[str]:
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", key)
    return [w for w in re.split(r"[^a-z0-9]+", spaced.lower()) if w]


def credential_strength(key: str) -> str:
    """'strong' for names that always hold credentials, 'weak' for names that often do, else ''."""
    words = key_words(key)
    joined = "".join(words)
    if not words or any(w in _NOT_SECRET_WORDS for w in words):
        return ""
    if any(w in _SECRET_WORDS for w in words) or joined.endswith(
            ("apikey", "secret", "password", "token", "privatekey", "accesskey", "secretkey")):
        return "strong"
    return "weak" if any(w in _WEAK_SECRET_WORDS for w in words) else ""


def is_credential_key(key: str) -> bool:
    return credential_strength(key) != ""


def looks_random(value: str) -> bool:
    v = _SCHEME.sub("", value.strip())
    return len(v) >= 12 and re.search(r"\d", v) is not None and re.search(r"[A-Za-z]", v) is not None \
        and shannon_entropy(v) >= 3.0


def is_credential_pair(key: str, value: str) -> bool:
    strength = credential_strength(key)
    if not strength or not is_literal_secret(value) or value.strip().startswith(_PROVIDER_JUDGED_PREFIXES):
        return False
    return strength == "strong" or (looks_random(value) and not _HASH_OR_UUID.fullmatch(value.strip()))


def is_literal_secret(value: str) -> bool:
    v = value.strip()
    if _REFERENCE.search(v):
        return False
    v = _SCHEME.sub("", v).strip()
    if len(v) < 6 or re.search(r"\s", v) or re.fullmatch(r"[\d.]+|true|false|yes|no|on|off|none|null", v, re.I):
        return False
    return not is_placeholder(v)


def _secret_hit(unit: TextUnit, node: Node, key: str, where: str) -> Hit:
    confidence = Confidence.LOW if is_test_path(unit.path) else None
    return _hit(node, f"{where} {key!r} holds a literal credential", secret=node.text, confidence=confidence)


@detector("mcp_config_secrets")
def detect_plaintext_secrets(unit: TextUnit, rule: Rule) -> Iterable[Hit]:
    for server in servers(unit):
        for block in ("env", "headers", "requestInit"):
            container = server.field(block)
            if block == "requestInit" and container is not None:
                container = container.get("headers")
            for member in container.members() if container is not None else []:
                value = member.value
                if value.kind == "string" and is_credential_pair(member.name, value.text):
                    yield _secret_hit(unit, value, member.name, "header" if block != "env" else "env")
        yield from _argument_secrets(unit, launch_words(server))


def _argument_secrets(unit: TextUnit, words: list[Argument]) -> Iterator[Hit]:
    for i, arg in enumerate(words):
        if arg.node.kind != "string" or arg.node.text != arg.word:
            continue
        previous = words[i - 1].word if i else ""
        if previous in _ENV_FLAGS and "=" in arg.word:
            key, _, value = arg.word.partition("=")
            if is_credential_pair(key, value):
                yield _secret_hit(unit, arg.node, key, "container env")
            continue
        m = _CLI_SECRET_FLAG.match(previous)
        if m and m.group("value") is None and not arg.word.startswith("-") and is_literal_secret(arg.word):
            yield _secret_hit(unit, arg.node, previous, "option")
            continue
        m = _CLI_SECRET_FLAG.match(arg.word)
        if m and m.group("value") and is_literal_secret(m.group("value")):
            yield _secret_hit(unit, arg.node, arg.word.split("=", 1)[0], "option")


# -- unpinned packages run by npx, bunx, uvx, pipx -----------------------------------------------

_NPM_RUNNERS = {"npx": 0, "bunx": 0, "pnpx": 0}
_NPM_SUBCOMMAND_RUNNERS = {"pnpm": "dlx", "yarn": "dlx", "bun": "x", "npm": "exec"}
_NPM_VALUE_OPTIONS = {"-p", "--package", "-c", "--call", "--registry", "--cache", "--userconfig", "--prefix"}
_PY_VALUE_OPTIONS = {"--from", "--with", "-w", "--python", "-p", "--index-url", "-i", "--extra-index-url",
                     "--index", "--default-index", "--with-requirements", "--with-editable", "--env-file",
                     "--spec", "--pip-args", "--constraints", "-c", "--refresh-package", "--directory",
                     "--find-links", "-f", "--cache-dir", "--python-preference"}
_EXACT_SEMVER = lazy(r"^v?\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$")
_PY_EXACT = lazy(r"^[A-Za-z0-9][A-Za-z0-9._-]*(?:\[[^\]]*\])?\s*(?:===?\s*[0-9][0-9A-Za-z.!+-]*|@\s*v?\d[\w.+!-]*)$")
_GIT_PINNED = lazy(r"(?:@|#)(?:[0-9a-f]{7,40}|v?\d+(?:\.\d+)+[\w.-]*)$")


@record
class PackageRun:
    runner: str
    ecosystem: str
    spec: str
    node: Node


def _first_positional(words: list[Argument], value_options: set[str]) -> tuple[Optional[Argument], dict]:
    options: dict[str, Argument] = {}
    i = 0
    while i < len(words):
        word = words[i].word
        if word == "--":
            return (words[i + 1] if i + 1 < len(words) else None), options
        if word.startswith("-"):
            name, eq, _ = word.partition("=")
            if name in value_options and not eq and i + 1 < len(words):
                options[name] = words[i + 1]
                i += 2
                continue
            if eq:
                options[name] = Argument(word.split("=", 1)[1], words[i].node)
            i += 1
            continue
        return words[i], options
    return None, options


def package_runs(words: list[Argument]) -> Iterator[PackageRun]:
    """The packages a launch command downloads and runs: npx pkg, uvx pkg, pipx run pkg, ..."""
    if not words:
        return
    program = program_name(words[0].word)
    rest = words[1:]
    if program in _NPM_SUBCOMMAND_RUNNERS:
        if not rest or rest[0].word != _NPM_SUBCOMMAND_RUNNERS[program]:
            return
        program, rest = f"{program} {rest[0].word}", rest[1:]
    elif program == "pipx" or program == "uv":
        sub = " ".join(w.word for w in rest[:2])
        if program == "pipx" and rest and rest[0].word == "run":
            rest = rest[1:]
        elif program == "uv" and sub == "tool run":
            rest = rest[2:]
        else:
            return
        program = f"{program} run"
    elif program not in _NPM_RUNNERS and program != "uvx":
        return
    ecosystem = "pypi" if program.startswith(("uv", "pipx")) else "npm"
    value_options = _NPM_VALUE_OPTIONS if ecosystem == "npm" else _PY_VALUE_OPTIONS
    positional, options = _first_positional(rest, value_options)
    explicit = [options[k] for k in ("-p", "--package", "--from", "--spec") if k in options]
    if ecosystem == "pypi" and "-p" in options:
        explicit = [options[k] for k in ("--from", "--spec") if k in options]
    for arg in explicit or ([positional] if positional is not None else []):
        yield PackageRun(program, ecosystem, arg.word, arg.node)


def is_local_spec(spec: str) -> bool:
    return spec.startswith((".", "/", "~", "file:", "\\")) or re.match(r"^[A-Za-z]:[\\/]", spec) is not None \
        or spec.endswith((".js", ".mjs", ".cjs", ".ts", ".py", ".whl", ".tgz", ".tar.gz"))


def npm_spec_pinned(spec: str) -> bool:
    if re.match(r"^(?:git\+|git:|github:|gitlab:|bitbucket:|https?:)", spec) or (
            "/" in spec and not spec.startswith("@")):
        return _GIT_PINNED.search(spec) is not None
    name, _, version = spec[1:].partition("@") if spec.startswith("@") else spec.partition("@")
    return bool(version) and _EXACT_SEMVER.match(version) is not None


def pypi_spec_pinned(spec: str) -> bool:
    if spec.startswith(("git+", "http:", "https:")) or " @ " in spec:
        return _GIT_PINNED.search(spec) is not None
    return _PY_EXACT.match(spec.strip()) is not None


def package_name(spec: str, ecosystem: str) -> str:
    """The registry name in a run spec: ``@scope/pkg@latest`` -> ``@scope/pkg``, ``pkg[x]==1`` -> ``pkg``."""
    if ecosystem == "npm":
        scoped = spec.startswith("@")
        return ("@" if scoped else "") + (spec[1:] if scoped else spec).partition("@")[0]
    return re.split(r"[\[=<>!~@;\s]", spec.strip(), maxsplit=1)[0]


# Manifests an extension or plugin ships to start its own server (not a user's client configuration).
DISTRIBUTION_MANIFEST = re.compile(r"(?:^|/)(?:gemini-extension\.json|\.(?:claude|cursor)-plugin/plugin\.json|"
                                   r"manifest\.json|server\.json)$")


@detector("mcp_config_unpinned_package")
def detect_unpinned_packages(unit: TextUnit, rule: Rule) -> Iterable[Hit]:
    for server in servers(unit):
        for run in package_runs(launch_words(server)):
            if is_local_spec(run.spec):
                continue
            pinned = npm_spec_pinned(run.spec) if run.ecosystem == "npm" else pypi_spec_pinned(run.spec)
            if not pinned:
                hit = _hit(run.node, f"server {server.name!r} runs {run.spec!r} through {run.runner} without "
                                     f"an exact version", content=run.spec)
                hit.extra = {"package": package_name(run.spec, run.ecosystem), "ecosystem": run.ecosystem}
                if DISTRIBUTION_MANIFEST.search(unit.path):
                    hit.severity = Severity.LOW  # an extension's own launcher: it follows its releases
                yield hit


# -- remote servers over plain HTTP --------------------------------------------------------------

_URL_FIELDS = ("url", "serverUrl", "httpUrl")
_BRIDGE_WORDS = ("remote", "proxy", "gateway", "bridge", "adapter")
LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1", "0.0.0.0", "host.docker.internal"}


def is_local_host(host: str) -> bool:
    host = host.lower().strip("[]")
    return host in LOCAL_HOSTS or host.startswith("127.") or host.endswith(".localhost")


def plain_http_remote(url: str) -> bool:
    if not url.strip().lower().startswith("http://"):
        return False
    try:
        host = urlsplit(url.strip()).hostname or ""
    except ValueError:
        return False
    return bool(host) and not is_local_host(host) and "$" not in host and "{" not in host


@detector("mcp_config_plain_http")
def detect_plain_http(unit: TextUnit, rule: Rule) -> Iterable[Hit]:
    for server in servers(unit):
        for key in _URL_FIELDS:
            node = server.field(key)
            if node is not None and node.kind == "string" and plain_http_remote(node.text):
                yield _hit(node, f"server {server.name!r} is reached over plain HTTP")
        words = launch_words(server)
        bridged = any(any(w in run.spec.lower() for w in _BRIDGE_WORDS) for run in package_runs(words))
        for arg in words if bridged else []:
            if arg.node.text == arg.word and plain_http_remote(arg.word):
                yield _hit(arg.node, f"server {server.name!r} is bridged to a remote server over plain HTTP")


# -- automatic approval of tool calls ------------------------------------------------------------

_APPROVAL_LISTS = ("autoApprove", "alwaysAllow")
LONG_APPROVAL_LIST = 10
_GLOBAL_APPROVAL_SETTINGS = ("chat.tools.autoApprove", "chat.tools.global.autoApprove",
                             "enableAllProjectMcpServers")


def _true(node: Optional[Node]) -> bool:
    return node is not None and node.kind == "literal" and node.value is True


@detector("mcp_config_auto_approve")
def detect_auto_approve(unit: TextUnit, rule: Rule) -> Iterable[Hit]:
    for server in servers(unit):
        for key in _APPROVAL_LISTS:
            node = server.field(key)
            if node is None:
                continue
            if _true(node) or (node.kind == "string" and node.text.strip() == "*"):
                yield _hit(node, f"server {server.name!r} approves every tool call without asking")
                continue
            wildcard = next((i for i in node.items() if i.kind == "string" and i.text.strip() in ("*", "all")), None)
            if wildcard is not None:
                yield _hit(wildcard, f"server {server.name!r} approves every tool call without asking")
            elif len(node.items()) >= LONG_APPROVAL_LIST:
                yield _hit(node.items()[0], f"server {server.name!r} approves {len(node.items())} tools without "
                                            f"asking", confidence=Confidence.LOW)
        trust = server.field("trust")
        if _true(trust):
            yield _hit(trust, f"server {server.name!r} is trusted: its tool calls run without confirmation")
    text = unit.full_text()
    if not any(key in text for key in (*_GLOBAL_APPROVAL_SETTINGS, "bypassPermissions")):
        return
    root = config_root(unit)
    if root is None or root.kind != "object":
        return
    for key in _GLOBAL_APPROVAL_SETTINGS:
        node = root.get(key)
        if _true(node):
            yield _hit(node, f"{key} approves tool calls or servers without asking")
    permissions = root.get("permissions")
    mode = permissions.get("defaultMode") if permissions is not None else None
    if mode is not None and mode.text == "bypassPermissions":
        yield _hit(mode, "permissions.defaultMode bypasses every permission prompt")


# -- privileged containers -----------------------------------------------------------------------

_CONTAINER_PROGRAMS = {"docker", "podman", "nerdctl"}
_DANGEROUS_CAPS = {"SYS_ADMIN", "ALL", "SYS_PTRACE", "SYS_MODULE", "NET_ADMIN", "DAC_READ_SEARCH"}
_MOUNT_FLAGS = {"-v", "--volume", "--mount"}
_SOCKET = lazy(r"(?:^|[=,:])/(?:var/)?run/(?:docker|podman/podman|containerd/containerd)\.sock(?:[:,]|$)")


def container_problem(flag: str, value: Optional[str]) -> Optional[str]:
    """Why a `docker run` option weakens isolation, or None."""
    if flag == "--privileged" and value in (None, "true"):
        return "--privileged gives the container full access to the host"
    if flag == "--cap-add" and value and value.upper().removeprefix("CAP_") in _DANGEROUS_CAPS:
        return f"--cap-add {value} grants a host-level capability"
    if flag in ("--pid", "--ipc", "--userns", "--uts") and value == "host":
        return f"{flag}=host shares the host namespace"
    if flag == "--security-opt" and value and re.search(r"(?:seccomp|apparmor)[=:]unconfined|label[=:]disable", value):
        return f"--security-opt {value} disables a confinement profile"
    if flag in _MOUNT_FLAGS and value:
        if _SOCKET.search(value):
            return "the container runtime socket is mounted: the container controls the host"
        source = value.split(":", 1)[0] if flag != "--mount" else \
            next((p.split("=", 1)[1] for p in value.split(",") if p.startswith(("source=", "src="))), "")
        if source == "/":
            return "the host's root file system is mounted into the container"
    return None


@detector("mcp_config_privileged_container")
def detect_privileged_container(unit: TextUnit, rule: Rule) -> Iterable[Hit]:
    for server in servers(unit):
        words = launch_words(server)
        if not words or program_name(words[0].word) not in _CONTAINER_PROGRAMS:
            continue
        for i, arg in enumerate(words[1:], 1):
            flag, eq, value = arg.word.partition("=")
            if not flag.startswith("-") or flag == "-e":
                continue
            if not eq:
                needs_value = flag in _MOUNT_FLAGS or flag in ("--cap-add", "--pid", "--ipc", "--userns", "--uts",
                                                             "--security-opt")
                value = words[i + 1].word if needs_value and i + 1 < len(words) else None
                node = words[i + 1].node if needs_value and i + 1 < len(words) else arg.node
            else:
                node = arg.node
            problem = container_problem(flag, value if (eq or value is not None) else None)
            if problem:
                yield _hit(node, f"server {server.name!r}: {problem}")


# -- debug switched on in a server's environment -------------------------------------------------

_DEBUG_KEY = lazy(r"(?i)^(?:[A-Z0-9]+_)*DEBUG$")
_DEBUG_ON = lazy(r"(?i)^(?:1|true|yes|on|\*|[\w.-]*:\*)$")


@detector("mcp_config_debug_env")
def detect_debug_env(unit: TextUnit, rule: Rule) -> Iterable[Hit]:
    for server in servers(unit):
        env = server.field("env")
        for member in env.members() if env is not None else []:
            value = member.value
            text = value.text if value.kind == "string" else (str(value.value).lower() if value.kind != "object"
                                                              and value.kind != "array" else "")
            if _DEBUG_KEY.match(member.name) and _DEBUG_ON.match(text.strip()):
                yield _hit(value, f"server {server.name!r} runs with {member.name}={text}")
