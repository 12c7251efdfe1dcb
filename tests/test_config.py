from pathlib import Path

import pytest

from sentinel_hooks.config import discover, load_yaml_config, parse_config
from sentinel_hooks.errors import ConfigError


def test_yaml_config_kebab_and_snake_keys(tmp_path: Path):
    f = tmp_path / ".mcp-sentinel.yaml"
    f.write_text("severity-threshold: HIGH\nexclude_dirs: [build]\nexit-codes: {high: 0}\n")
    cfg = load_yaml_config(f)
    assert cfg.severity_threshold == "high"
    assert cfg.exclude_dirs == ["build"]
    assert cfg.exit_codes["high"] == 0 and cfg.exit_codes["critical"] == 3


def test_unknown_key_is_named(tmp_path: Path):
    with pytest.raises(ConfigError, match="unknown key 'severity-treshold'"):
        parse_config({"severity-treshold": "low"}, "cfg")


def test_nested_unknown_key_is_named():
    with pytest.raises(ConfigError, match="exit-codes.fatal"):
        parse_config({"exit-codes": {"fatal": 1}}, "cfg")


@pytest.mark.parametrize("data, message", [
    (["a", "b"], "expected a mapping"),
    ({"exclude-dirs": "build"}, "exclude-dirs"),
    ({"severity-threshold": "severe"}, "unknown severity"),
    ({"timeout": -1}, "timeout"),
])
def test_invalid_values(data, message):
    with pytest.raises(ConfigError, match=message):
        parse_config(data, "cfg")


def test_yaml_alias_bomb_is_refused(tmp_path: Path):
    f = tmp_path / "bomb.yaml"
    f.write_text('a: &a ["x","x"]\nb: &b [*a,*a]\nc: [*b,*b]\n')
    with pytest.raises(ConfigError, match="aliases are not allowed"):
        load_yaml_config(f)


def test_pyproject_section_is_found(tmp_path: Path):
    (tmp_path / "pyproject.toml").write_text('[tool.mcp-sentinel]\nseverity-threshold = "medium"\n')
    cfg, source = discover(tmp_path, None)
    assert cfg.severity_threshold == "medium" and source == tmp_path / "pyproject.toml"


def test_yaml_file_wins_over_pyproject(tmp_path: Path):
    (tmp_path / "pyproject.toml").write_text('[tool.mcp-sentinel]\nseverity-threshold = "medium"\n')
    (tmp_path / ".mcp-sentinel.yaml").write_text("severity-threshold: critical\n")
    cfg, _ = discover(tmp_path, None)
    assert cfg.severity_threshold == "critical"


def test_explicit_missing_config_is_an_error(tmp_path: Path):
    with pytest.raises(ConfigError, match="not found"):
        discover(tmp_path, tmp_path / "nope.yaml")


def test_invalid_toml_is_a_config_error(tmp_path: Path):
    (tmp_path / "pyproject.toml").write_text("[tool.mcp-sentinel\n")
    with pytest.raises(ConfigError, match="invalid TOML"):
        discover(tmp_path, None)


def test_validated_config_is_cached_by_content(tmp_path: Path, monkeypatch):
    from sentinel_hooks import config_model

    (tmp_path / ".mcp-sentinel.yaml").write_text("severity-threshold: high\n")
    cache = tmp_path / "cache"
    first, _ = discover(tmp_path, None, cache)
    calls = []
    monkeypatch.setattr(config_model, "validate", lambda *a: calls.append(a))
    second, _ = discover(tmp_path, None, cache)
    assert first == second and calls == []  # served from the cache
    (tmp_path / ".mcp-sentinel.yaml").write_text("severity-threshold: low\n")
    monkeypatch.undo()
    third, _ = discover(tmp_path, None, cache)
    assert third.severity_threshold == "low"


def test_corrupt_config_cache_entry_is_ignored(tmp_path: Path):
    (tmp_path / ".mcp-sentinel.yaml").write_text("severity-threshold: high\n")
    cache = tmp_path / "cache"
    discover(tmp_path, None, cache)
    for entry in (cache / "config").glob("*.json"):
        entry.write_text("{not json")
    cfg, _ = discover(tmp_path, None, cache)
    assert cfg.severity_threshold == "high"


def test_the_file_model_is_built_from_settings_so_keys_and_defaults_cannot_drift_apart():
    from sentinel_hooks import config_model, errors
    from sentinel_hooks.config import Settings
    from sentinel_hooks.records import fields

    assert list(config_model.FileConfig.model_fields) == [f.name for f in fields(Settings)]
    assert Settings.from_model(config_model.validate(None, "x")) == Settings()
    assert Settings().exit_codes == errors.SEVERITY_EXIT_CODES == {"critical": 3, "high": 4, "medium": 5, "low": 6}


@pytest.mark.parametrize("error", [None, IsADirectoryError, PermissionError], ids=["linux", "macos", "windows"])
def test_a_folder_given_as_config_is_a_config_error_on_every_system(tmp_path: Path, monkeypatch, error):
    """Linux opens a folder (its stat then says so), macOS raises IsADirectoryError and Windows
    PermissionError, which used to end as a file-system error (exit 8) there."""
    import os

    from sentinel_hooks import policy_files

    folder = tmp_path / "cfg.yaml"
    folder.mkdir()
    real_open = os.open

    def open_as_on(path, flags, *args):
        if error is not None and os.path.isdir(path):
            raise error(13 if error is PermissionError else 21, "cannot open", str(path))
        return real_open(path, flags, *args)

    monkeypatch.setattr(policy_files.os, "open", open_as_on)
    with pytest.raises(ConfigError, match="is a directory") as caught:
        discover(tmp_path, folder)
    assert caught.value.exit_code == 2
