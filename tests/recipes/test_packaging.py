"""Items 10-13: the README's install, pre-commit and benchmark recipes, and old Pythons."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from recipes.conftest import CHECKOUT, bash

README = (CHECKOUT / "README.md").read_text(encoding="utf-8")
DISTRIBUTION = "mcp-sentinel-hooks"


def shell_blocks(text: str) -> list[str]:
    """Code blocks and indented command lines of the README."""
    blocks = re.findall(r"```[a-z]*\n(.*?)```", text, flags=re.S)
    blocks += [line for line in text.splitlines() if line.startswith("    ") and "pip install" in line]
    return blocks


def test_distribution_name_and_command():
    pyproject = (CHECKOUT / "pyproject.toml").read_text()
    assert re.search(r'^name = "mcp-sentinel-hooks"$', pyproject, flags=re.M)
    assert 'mcp-sentinel = "sentinel_hooks.cli:main"' in pyproject


def test_the_build_backend_gate_travels_with_the_source_distribution():
    import ast

    try:
        import tomllib
    except ImportError:  # Python 3.10
        import tomli as tomllib

    config = tomllib.loads((CHECKOUT / "pyproject.toml").read_text())
    backend = config["build-system"]
    gate = CHECKOUT / backend["backend-path"][0] / f"{backend['build-backend']}.py"
    assert gate.is_file()
    assert {"path": "build_support", "format": "sdist"} in config["tool"]["poetry"]["include"]
    ast.parse(gate.read_text(), feature_version=(3, 8))  # Python 3.8 can read it


def test_every_readme_install_uses_the_distribution_name():
    installs = [line.strip() for block in shell_blocks(README) for line in block.splitlines()
                if "pip install" in line and "detect-secrets" not in line]
    assert installs
    for line in installs:
        for command in re.findall(r"pip install ([^&;]*)", line):
            named = [t.strip("\"'") for t in command.split() if not t.startswith("-")]
            assert named and all(n.startswith((".", DISTRIBUTION)) for n in named), line


def test_pre_commit_and_ci_snippets_pin_a_commit_not_a_missing_tag():
    assert "v0.1.0" not in README
    revs = re.findall(r"rev: (\S+)", README)
    assert revs and all(re.fullmatch(r"[0-9a-f]{40}", rev) for rev in revs)
    assert "pre-commit autoupdate --freeze" in README
    uses = re.findall(r"uses: mcp-sentinel/mcp-sentinel@(\S+)", README)
    assert uses and all(re.fullmatch(r"[0-9a-f]{40}", u) for u in uses)


def test_benchmark_recipes_run_anywhere(tmp_path):
    """No recipe names a folder of one machine; the peers' virtualenv recipe runs as written."""
    for block in shell_blocks(README) + [(CHECKOUT / "benchmarks" / "detection.py").read_text().split('"""')[1]]:
        assert not re.search(r"(?<![\w$])/work/", block), block
    recipe = next(line.strip() for line in README.splitlines() if "python -m venv" in line and "peers" in line)
    first = recipe.split(" && \"$peers/bin/pip\"")[0]  # create the folder, not install the peers
    proc = bash(f'{first} && test -x "$peers/bin/pip" && echo "$peers"', tmp_path, TMPDIR=str(tmp_path))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip().startswith(str(tmp_path))


def old_python() -> str:
    for candidate in (str(Path.home() / ".pyenv/versions/3.8.18/bin/python"), shutil.which("python3.8")):
        if candidate and subprocess.run([candidate, "--version"], capture_output=True).returncode == 0:
            return candidate
    pytest.skip("no Python 3.8 here (pyenv install 3.8 to run this test)")


@pytest.mark.slow
def test_pip_on_python_38_names_the_python_needed(tmp_path):
    venv = tmp_path / "py38"
    subprocess.run([old_python(), "-m", "venv", str(venv)], check=True, capture_output=True, timeout=300)
    # with pip's build isolation, as `pip install .` runs; nothing needs downloading for the gate
    proc = subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "--no-index", str(CHECKOUT)],
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode != 0
    out = proc.stdout + proc.stderr
    assert "mcp-sentinel-hooks requires Python 3.10 or newer; this is Python 3.8" in out, out[-3000:]
    assert "poetry-core" not in out and "poetry.core" not in out


def test_running_the_checkout_on_python_38_names_the_python_needed(tmp_path):
    proc = subprocess.run([old_python(), "-m", "sentinel_hooks", "--version"], cwd=tmp_path, capture_output=True,
                          text=True, timeout=120, env={**os.environ, "PYTHONPATH": str(CHECKOUT)})
    assert proc.returncode == 1
    assert proc.stderr.startswith("mcp-sentinel requires Python 3.10 or newer; this is Python 3.8")


def test_pre_commit_autoupdate_freeze_pins_the_placeholder_to_a_commit(tmp_path):
    exe = Path(sys.executable).with_name("pre-commit")
    if not exe.exists():
        pytest.skip("pre-commit is not installed (it comes with the test extras)")
    config = re.search(r"```yaml\n(# \.pre-commit-config\.yaml\n.*?)```", README, flags=re.S).group(1)
    # this checkout stands in for the GitHub repository
    (tmp_path / ".pre-commit-config.yaml").write_text(config.replace("https://github.com/mcp-sentinel/mcp-sentinel",
                                                                     str(CHECKOUT)))
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    command = next(line for line in README.splitlines() if line.startswith("pre-commit autoupdate"))
    command = command.split("#")[0].replace("https://github.com/mcp-sentinel/mcp-sentinel", str(CHECKOUT))
    proc = bash(command.replace("pre-commit", str(exe), 1), tmp_path, PRE_COMMIT_HOME=str(tmp_path / "home"))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    head = subprocess.run(["git", "-C", str(CHECKOUT), "rev-parse", "HEAD"], capture_output=True, text=True,
                          check=True).stdout.strip()
    assert f"rev: {head}" in (tmp_path / ".pre-commit-config.yaml").read_text()
