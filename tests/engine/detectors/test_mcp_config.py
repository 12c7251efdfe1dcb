"""The JSONC parser, the MCP client-configuration detectors, the file-context detector and the
dependency-manifest detectors, through their functions and through the engine."""
from __future__ import annotations

from pathlib import Path

import pytest

from sentinel_hooks.engine import jsonc
from sentinel_hooks.engine.detectors import manifests, mcp_config
from sentinel_hooks.engine.detectors.mcp_config import Argument
from sentinel_hooks.engine.matcher import Engine
from sentinel_hooks.engine.rules import build_ruleset
from sentinel_hooks.engine.units import TextUnit

RULES_DIR = Path(__file__).resolve().parents[3] / "sentinel_hooks" / "rules"
ENGINE = Engine(build_ruleset([RULES_DIR / "mcp-config.yaml", RULES_DIR / "supply-chain.yaml"], [], builtin=False))


def findings(path: str, text: str, rule_id: str | None = None) -> list:
    found = ENGINE.scan(TextUnit(path=path, text=text))
    return [f for f in found if rule_id is None or f.rule_id == rule_id]


def words(*items: str) -> list[Argument]:
    node = jsonc.parse('"x"')
    return [Argument(w, node) for w in items]


# -- the parser ------------------------------------------------------------------------------------

def test_parser_records_positions_of_keys_and_values():
    root = jsonc.parse('{\n  "a": {\n    "key": "value"\n  }\n}')
    member = root.get("a").members()[0]
    assert (member.key.line, member.key.column, member.key.end_column) == (3, 5, 10)
    assert (member.value.line, member.value.column, member.value.end_column) == (3, 12, 19)
    assert member.value.text == "value"


def test_parser_accepts_comments_trailing_commas_single_quotes_and_bare_keys():
    text = "// head\n{\n  /* block */ servers: {'x': {\"args\": [1, true, null,],},},\n}\n"
    root = jsonc.parse(text)
    server = root.get("servers").get("x")
    assert [n.value for n in server.get("args").items()] == ["1", True, None]
    assert root.get("servers").line == 3


def test_parser_decodes_escapes_and_keeps_the_raw_token():
    node = jsonc.parse('"a\\"b\\u0041"')
    assert node.text == 'a"bA'
    assert node.raw == '"a\\"b\\u0041"'


@pytest.mark.parametrize("text", ['{"a": }', '{"a" 1}', '[1, 2', '{"a": "unterminated}', "{} extra", ""])
def test_parser_rejects_text_that_is_not_json(text):
    with pytest.raises(jsonc.JsoncError):
        jsonc.parse(text)
    assert jsonc.try_parse(text) is None


def test_parser_refuses_absurd_nesting_without_crashing():
    assert jsonc.try_parse("[" * 5000 + "]" * 5000) is None


def test_duplicate_keys_resolve_to_the_last_value():
    assert jsonc.parse('{"a": 1, "a": 2}').get("a").value == "2"


# -- which files hold MCP servers ------------------------------------------------------------------

def servers_of(path: str, text: str) -> list[str]:
    return [s.name for s in mcp_config.servers(TextUnit(path=path, text=text))]


def test_servers_found_in_every_client_layout():
    assert servers_of("claude_desktop_config.json", '{"mcpServers": {"a": {"command": "x"}}}') == ["a"]
    assert servers_of(".vscode/mcp.json", '{"servers": {"b": {"type": "http", "url": "https://h"}}}') == ["b"]
    assert servers_of(".vscode/settings.json", '{"mcp": {"servers": {"c": {"command": "x"}}}}') == ["c"]
    assert servers_of(".claude.json", '{"projects": {"/p": {"mcpServers": {"d": {"command": "x"}}}}}') == ["d"]


def test_other_json_counts_only_when_its_entries_look_like_servers():
    assert servers_of("ops/agents.json", '{"mcpServers": {"a": {"command": "node"}}}') == ["a"]
    assert servers_of("ops/hosts.json", '{"servers": {"db1": {"ip": "10.0.0.1"}}}') == []
    assert servers_of("openapi.json", '{"servers": [{"url": "http://api.acme.io"}]}') == []


def test_zed_command_objects_are_read():
    text = '{"context_servers": {"z": {"command": {"path": "npx", "args": ["-y", "zed-pkg"]}}}}'
    [f] = findings("settings.json", text, "mcp-config-unpinned-package")
    assert "'zed-pkg'" in f.message


def test_command_line_in_command_and_windows_cmd_wrapper_are_split():
    unit = TextUnit(path="mcp.json", text='{"mcpServers": {"a": {"command": "cmd", "args": ["/c", "npx", "-y", "pkg"]},'
                                          ' "b": {"command": "npx -y other@1.0.0"}}}')
    a, b = mcp_config.servers(unit)
    assert [w.word for w in mcp_config.launch_words(a)] == ["npx", "-y", "pkg"]
    assert [w.word for w in mcp_config.launch_words(b)] == ["npx", "-y", "other@1.0.0"]


# -- secrets ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("key,expected", [
    ("GITHUB_PERSONAL_ACCESS_TOKEN", True), ("apiKey", True), ("X-Api-Key", True), ("Authorization", True),
    ("PGPASSWORD", True), ("CLIENT_SECRET", True), ("TOKEN_URL", False), ("MAX_TOKENS", False),
    ("AWS_ACCESS_KEY_ID", False), ("SSH_KEY_PATH", False), ("AUTHOR", False), ("LOG_LEVEL", False),
])
def test_credential_key_names(key, expected):
    assert mcp_config.is_credential_key(key) is expected


@pytest.mark.parametrize("value,expected", [
    ("q8Vn2LxR7tYb4KcW9mZs", True), ("Bearer 7fJk2mQp9XvL3rTz", True), ("${env:TOKEN}", False),
    ("${input:api-key}", False), ("Bearer ${TOKEN}", False), ("$GITHUB_TOKEN", False), ("", False),
    ("<your-token>", False), ("your_api_key_here", False), ("xxxxxxxxxxxx", False), ("8080", False),
    ("true", False), ("op://vault/item/field", False),
])
def test_literal_secret_values(value, expected):
    assert mcp_config.is_literal_secret(value) is expected


@pytest.mark.parametrize("key,value,expected", [
    ("SORT_KEY", "created_at", False), ("KEY", "Zt4Kq9Wm2Lx7Rb3V", True), ("AUTH", "oauth2", False),
    ("DB_PASSWORD", "hunter2x", True), ("PASSWORD_HINT", "ask the admin", False),
])
def test_weak_credential_names_need_random_values(key, value, expected):
    assert mcp_config.is_credential_pair(key, value) is expected


def test_secret_finding_points_at_the_value_and_is_redacted():
    text = '{\n  "mcpServers": {\n    "a": {\n      "command": "node",\n      "env": {"API_TOKEN": "q8Vn2LxR7tYb4KcW9mZs"}\n    }\n  }\n}'
    [f] = findings("mcp.json", text, "mcp-config-plaintext-secret")
    assert (f.line, f.column, f.end_column) == (5, 29, 49)
    assert "q8Vn2LxR7tYb4KcW9mZs" not in f.snippet


def test_secret_in_container_env_option_and_cli_flag():
    text = ('{"mcpServers": {"a": {"command": "docker", "args": ["run", "-e", "API_KEY=q8Vn2LxR7tYb4KcW9mZs", '
            '"-e", "OTHER_TOKEN", "img:1"]}, "b": {"command": "node", "args": ["s.js", "--api-key", "Zt4Kq9Wm2Lx7Rb"]}}}')
    assert len(findings("mcp.json", text, "mcp-config-plaintext-secret")) == 2


def test_secret_rule_is_quiet_in_files_that_are_not_mcp_configs():
    assert not findings("settings.json", '{"servers": {"db": {"host": "x", "password": "q8Vn2LxR7tYb4KcW9mZs"}}}',
                        "mcp-config-plaintext-secret")


# -- unpinned packages -----------------------------------------------------------------------------

@pytest.mark.parametrize("argv,spec", [
    (("npx", "-y", "@scope/pkg", "/tmp"), "@scope/pkg"),
    (("npx", "--yes", "--package=tool", "tool-cli"), "tool"),
    (("pnpm", "dlx", "pkg@latest"), "pkg@latest"),
    (("uvx", "--python", "3.12", "mcp-server-fetch"), "mcp-server-fetch"),
    (("uvx", "--from", "git+https://github.com/a/b", "cmd"), "git+https://github.com/a/b"),
    (("pipx", "run", "--spec", "tool==1.0", "tool"), "tool==1.0"),
    (("uv", "tool", "run", "ruff"), "ruff"),
])
def test_package_runs_find_the_package(argv, spec):
    assert [r.spec for r in mcp_config.package_runs(words(*argv))] == [spec]


def test_package_runs_ignore_other_programs():
    assert list(mcp_config.package_runs(words("node", "server.js"))) == []
    assert list(mcp_config.package_runs(words("pnpm", "install"))) == []


@pytest.mark.parametrize("spec,pinned", [
    ("@modelcontextprotocol/server-filesystem@2025.8.21", True), ("pkg@1.2.3", True), ("pkg@1.2.3-beta.1", True),
    ("pkg", False), ("pkg@latest", False), ("pkg@^1.2.0", False), ("@scope/pkg", False),
    ("github:acme/tool", False), ("github:acme/tool#4d2c9a1e7b3f", True),
])
def test_npm_spec_pins(spec, pinned):
    assert mcp_config.npm_spec_pinned(spec) is pinned


@pytest.mark.parametrize("spec,pinned", [
    ("mcp-server-fetch==2025.4.7", True), ("mcp-server-fetch@2025.4.7", True), ("tool[extra]==1.0", True),
    ("mcp-server-fetch", False), ("mcp-server-fetch>=1.0", False), ("mcp-server-fetch@latest", False),
    ("tool==1.*", False), ("git+https://github.com/a/b", False), ("git+https://github.com/a/b@v1.2.0", True),
])
def test_pypi_spec_pins(spec, pinned):
    assert mcp_config.pypi_spec_pinned(spec) is pinned


def test_local_scripts_run_through_npx_are_not_packages():
    text = '{"mcpServers": {"a": {"command": "npx", "args": ["./bin/server.js"]}}}'
    assert not findings("mcp.json", text, "mcp-config-unpinned-package")


# -- plain HTTP, approval, containers, debug --------------------------------------------------------

@pytest.mark.parametrize("url,flagged", [
    ("http://mcp.acme.io/sse", True), ("http://10.1.2.3:8080/mcp", True), ("https://mcp.acme.io", False),
    ("http://localhost:3000/mcp", False), ("http://127.0.0.1:8000", False), ("http://[::1]:9000/mcp", False),
    ("http://app.localhost/mcp", False), ("http://${HOST}/mcp", False),
])
def test_plain_http_remote(url, flagged):
    assert mcp_config.plain_http_remote(url) is flagged


def test_long_approval_list_is_reported_with_low_confidence():
    tools = ", ".join(f'"t{i}"' for i in range(12))
    text = '{"mcpServers": {"a": {"command": "node", "alwaysAllow": [' + tools + "]}}}"
    [f] = findings("cline_mcp_settings.json", text, "mcp-config-auto-approve")
    assert f.confidence.name == "LOW"


def test_client_wide_auto_approval_settings():
    assert findings(".vscode/settings.json", '{"chat.tools.autoApprove": true}', "mcp-config-auto-approve")
    assert not findings(".vscode/settings.json", '{"chat.tools.autoApprove": false}', "mcp-config-auto-approve")


@pytest.mark.parametrize("flag,value,flagged", [
    ("--privileged", None, True), ("--cap-add", "SYS_ADMIN", True), ("--cap-add", "CAP_SYS_ADMIN", True),
    ("--cap-add", "NET_BIND_SERVICE", False), ("-v", "/:/host:ro", True), ("-v", "/var/run/docker.sock:/s", True),
    ("-v", "/home/me/data:/data", False), ("--mount", "type=bind,source=/,target=/host", True),
    ("--pid", "host", True), ("--security-opt", "seccomp=unconfined", True), ("--network", "host", False),
])
def test_container_problems(flag, value, flagged):
    assert (mcp_config.container_problem(flag, value) is not None) is flagged


def test_privileged_flag_outside_a_container_command_is_ignored():
    text = '{"mcpServers": {"a": {"command": "node", "args": ["s.js", "--privileged"]}}}'
    assert not findings("mcp.json", text, "mcp-config-privileged-container")


def test_debug_env_accepts_booleans_and_namespaces():
    text = '{"mcpServers": {"a": {"command": "node", "env": {"DEBUG": true, "X_DEBUG": "mcp:*", "DEBUGGER": "1"}}}}'
    assert len(findings("mcp.json", text, "mcp-config-debug-env")) == 2


# -- windows of a file -----------------------------------------------------------------------------

def test_window_reports_in_file_coordinates_only_what_it_covers():
    lines = ['{', '  "mcpServers": {', '    "a": {"command": "npx", "args": ["-y", "pkg-a"]},',
             '    "b": {"command": "npx", "args": ["-y", "pkg-b"]}', '  }', '}']
    full = "\n".join(lines)
    window = TextUnit(path="mcp.json", text=lines[3], first_line=4, changed_lines=frozenset({4}),
                      full_text_loader=lambda: full)
    found = [f for f in ENGINE.scan(window) if f.rule_id == "mcp-config-unpinned-package"]
    assert [(f.line, f.column) for f in found] == [(4, 45)]


# -- server code -----------------------------------------------------------------------------------

def test_origin_rule_is_silenced_by_a_check_anywhere_in_the_file():
    code = "sse = SseServerTransport('/m/')\n"
    assert findings("srv.py", code, "mcp-server-missing-origin-check")
    checked = code + "def guard(request):\n    if request.headers.get('origin') not in ALLOWED:\n        raise Denied\n"
    assert not findings("srv.py", checked, "mcp-server-missing-origin-check")


def test_bind_all_spanning_lines_is_reported_at_the_call():
    code = "import uvicorn\n\nuvicorn.run(\n    app,\n    host='0.0.0.0',\n)\n"
    [f] = findings("srv.py", code, "mcp-server-bind-all-interfaces")
    assert (f.line, f.end_line) == (3, 5)


# -- supply chain ----------------------------------------------------------------------------------

@pytest.mark.parametrize("line,flagged", [
    ("RUN curl -fsSL https://x.io/setup.sh \\\n    | bash -", True),
    ("curl -fsSL https://x.io/i.sh | sudo sh", True),
    ("curl -sL https://x.io/i.py | python3", True),
    ("iex (New-Object Net.WebClient).DownloadString('https://x.io/i.ps1')", True),
    ("curl -s https://x.io/data | sh -c 'cat > out'", False),
    ("curl -s https://x.io/a.tgz | tar xz", False),
    ("curl -s https://x.io/a.sh | shasum -a 256", False),
])
def test_pipe_to_shell(line, flagged):
    assert bool(findings("Dockerfile", line, "supply-chain-pipe-to-shell")) is flagged


@pytest.mark.parametrize("line,flagged", [
    ("pip install -i http://pypi.acme.net/simple acme", True),
    ("curl -f http://example.com/health", False),
    ("export PIP_INDEX_URL=http://pypi.acme.net/simple", True),
    ("pip install --index-url http://127.0.0.1:3141/simple acme", False),
])
def test_plain_http_sources_in_scripts(line, flagged):
    assert bool(findings("setup.sh", line, "supply-chain-plain-http-source")) is flagged


@pytest.mark.parametrize("spec,floating", [
    ("*", True), ("latest", True), ("x", True), ("", True), (">=0.0.0", True), ("npm:other@*", True),
    ("^1.2.3", False), ("~5.6", False), ("1.x", False), ("workspace:*", False), ("file:../lib", False),
    ("next", False),
])
def test_npm_floating_versions(spec, floating):
    assert manifests.is_floating_version(spec) is floating


@pytest.mark.parametrize("spec,unpinned", [
    ("github:acme/tool", True), ("acme/tool", True), ("acme/tool#main", True),
    ("git+https://github.com/acme/tool.git", True), ("acme/tool#v1.2.3", False),
    ("git+ssh://git@github.com/acme/tool.git#4d2c9a1e7b3f5d8c0a6e2b9f1c4d7a3e5b8f0c2d", False),
    ("^1.0.0", False), ("https://registry.acme.io/tool-1.0.0.tgz", False),
])
def test_npm_git_dependencies(spec, unpinned):
    assert manifests.is_unpinned_git(spec) is unpinned


def test_unpinned_requirements_skip_continuations_options_and_in_files():
    text = "httpx \\\n    --hash=sha256:abc\nrequests==2.32.3 \\\n    --hash=sha256:def\n--no-binary :all:\n"
    found = findings("requirements.txt", text, "supply-chain-unpinned-requirement")
    assert [(f.line, f.column) for f in found] == [(1, 1)]
    assert not findings("requirements.in", "httpx\n", "supply-chain-unpinned-requirement")
    assert findings("requirements/dev.txt", "pytest\n", "supply-chain-unpinned-requirement")


def test_poetry_wildcard_only_inside_dependency_tables():
    text = '[tool.poetry.dev-dependencies]\nblack = "*"\n[tool.other]\nx = "*"\n'
    found = findings("pyproject.toml", text, "supply-chain-poetry-wildcard-version")
    assert [(f.line, f.column) for f in found] == [(2, 9)]


def test_an_extension_manifest_launching_its_own_package_unpinned_is_low():
    from sentinel_hooks.findings import Severity

    text = '{"name": "dc", "mcpServers": {"dc": {"command": "npx", "args": ["-y", "@acme/dc-mcp@latest"]}}}\n'
    for path in ("gemini-extension.json", "plugins/claude/.claude-plugin/plugin.json"):
        [f] = findings(path, text, "mcp-config-unpinned-package")
        assert f.severity == Severity.LOW
    [user_config] = findings(".cursor/mcp.json", text, "mcp-config-unpinned-package")
    assert user_config.severity == Severity.MEDIUM


def test_a_monorepo_root_depending_on_its_own_workspace_members_with_star_is_low():
    from sentinel_hooks.findings import Severity

    text = ('{"name": "@acme/servers", "private": true, "workspaces": ["src/*"],\n'
            ' "dependencies": {\n  "@acme/server-notes": "*",\n  "left-pad": "*"}}\n')
    found = {f.snippet: f.severity for f in findings("package.json", text, "supply-chain-npm-floating-version")}
    assert [s for snip, s in found.items() if "@acme" in snip] == [Severity.LOW]
    assert [s for snip, s in found.items() if "left-pad" in snip] == [Severity.MEDIUM]
    no_workspaces = text.replace('"workspaces": ["src/*"],', "")
    assert {f.severity for f in findings("package.json", no_workspaces, "supply-chain-npm-floating-version")} == {
        Severity.MEDIUM}


@pytest.mark.parametrize("spec, ecosystem, name", [
    ("@acme/gh-mcp@latest", "npm", "@acme/gh-mcp"),
    ("@acme/gh-mcp", "npm", "@acme/gh-mcp"),
    ("gh-mcp@next", "npm", "gh-mcp"),
    ("acme-mcp[cli]>=1.0", "pypi", "acme-mcp"),
    ("acme_mcp@latest", "pypi", "acme_mcp"),
])
def test_an_unpinned_run_names_its_package(spec: str, ecosystem: str, name: str):
    assert mcp_config.package_name(spec, ecosystem) == name


def test_the_unpinned_finding_carries_package_and_ecosystem():
    (f,) = findings(".mcp.json", '{"mcpServers": {"dc": {"command": "npx", "args": ["-y", "@acme/dc@latest"]}}}',
                    "mcp-config-unpinned-package")
    assert f.extra["package"] == "@acme/dc" and f.extra["ecosystem"] == "npm"
