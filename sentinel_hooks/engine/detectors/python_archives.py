"""Archive slip: a tar archive that comes from tool input or was downloaded, extracted with
``extractall``/``extract`` without ``filter="data"`` (or ``"tar"``), without a member filter and without
a containment check of member paths in the function; and ``shutil.unpack_archive`` of such an archive.

``zipfile``'s own ``extract``/``extractall`` drop ``..`` and absolute paths, so they are not reported.
"""
from __future__ import annotations

import ast
import re
from typing import TYPE_CHECKING, Iterable, Optional

from sentinel_hooks.engine.detectors import detector
from sentinel_hooks.engine.detectors.python_ast import Analysis, Scope, first_argument, is_tainted, \
    keyword, lookup, make_hit, passes, qualified_name, scoped_calls, survives_deep_nesting
from sentinel_hooks.engine.detectors.python_full_analysis import full_analysis, gated_analysis, whole_files
from sentinel_hooks.engine.detectors.python_sinks import INPUT_GATE, NETWORK_ATTRS
from sentinel_hooks.engine.hits import Hit
from sentinel_hooks.engine.text_gate import Gate
from sentinel_hooks.findings import Confidence

if TYPE_CHECKING:
    from sentinel_hooks.engine.rule import Rule
    from sentinel_hooks.engine.units import TextUnit

TAR_OPENERS = {"tarfile.open", "tarfile.TarFile", "tarfile.TarFile.open", "tarfile.TarFile.gzopen",
               "tarfile.TarFile.taropen"}
ZIP_OPENERS = {"zipfile.ZipFile"}
DOWNLOADS = {"requests.get", "httpx.get", "urllib.request.urlopen", "urlopen", "urllib.request.urlretrieve",
             "urlretrieve", "hf_hub_download", "huggingface_hub.hf_hub_download", "wget.download"}
SAFE_FILTERS = {"data", "tar", "data_filter", "tar_filter", "tarfile.data_filter", "tarfile.tar_filter"}
ARCHIVE_GATE = Gate(re.compile(r"extractall|\.extract\(|unpack_archive"), ("extractall", ".extract(", "unpack_archive"),
                    anchored=True)
DOWNLOAD_GATE = Gate(re.compile(r"requests|httpx|urlopen|urlretrieve|hf_hub_download|wget"),
                     ("requests", "httpx", "urlopen", "urlretrieve", "hf_hub_download", "wget"), anchored=True)
DEPTH = 5


@detector("python-archive-extraction")
@survives_deep_nesting
@whole_files
def archive_extraction(unit: TextUnit, rule: Rule) -> Iterable[Hit]:
    if passes(unit, INPUT_GATE):
        analysis = gated_analysis(unit, ARCHIVE_GATE)
    else:  # without tool input only a download makes an archive untrusted
        analysis = full_analysis(unit, ARCHIVE_GATE, DOWNLOAD_GATE)
    if analysis is None:
        return
    for scope, call, name in scoped_calls(analysis):
        if scope.path_guarded:
            continue  # members are checked (startswith, is_relative_to, commonpath, "..")
        method = call.func.attr if isinstance(call.func, ast.Attribute) else ""
        if name == "shutil.unpack_archive":
            archive = first_argument(call, "filename")
            if archive is None or _safe_filter(call) or not _untrusted(archive, scope, analysis):
                continue
            yield make_hit(analysis, call, "shutil.unpack_archive() of an untrusted archive without filter='data'",
                           Confidence.HIGH, is_tainted(archive, scope.tainted, analysis.aliases))
        elif method in ("extractall", "extract"):
            opener = _opener(call.func.value, scope, analysis)  # type: ignore[attr-defined]
            if opener is None or qualified_name(opener.func, analysis.aliases) not in TAR_OPENERS:
                continue
            if _safe_filter(call) or keyword(call, "members") is not None:
                continue
            source = [*opener.args, *(k.value for k in opener.keywords if k.arg in ("name", "fileobj"))]
            if not any(_untrusted(s, scope, analysis) for s in source):
                continue
            yield make_hit(analysis, call, f"tarfile {method}() of an untrusted archive without filter='data' "
                           "lets member paths escape the destination", Confidence.HIGH,
                           any(is_tainted(s, scope.tainted, analysis.aliases) for s in source))


def _safe_filter(call: ast.Call) -> bool:
    value = keyword(call, "filter")
    if isinstance(value, ast.Constant):
        return value.value in SAFE_FILTERS
    if isinstance(value, (ast.Attribute, ast.Name)):
        text = value.attr if isinstance(value, ast.Attribute) else value.id
        return text in SAFE_FILTERS or "filter" in text
    return value is not None  # a filter function of its own


def _opener(node: ast.expr, scope: Scope, analysis: Analysis, depth: int = 0) -> Optional[ast.Call]:
    if isinstance(node, ast.Call):
        name = qualified_name(node.func, analysis.aliases)
        return node if name in TAR_OPENERS or name in ZIP_OPENERS else None
    if isinstance(node, ast.Name) and depth < DEPTH:
        for value in lookup(node.id, scope):
            found = _opener(value, scope, analysis, depth + 1)
            if found is not None:
                return found
    return None


def _untrusted(node: ast.expr, scope: Scope, analysis: Analysis, depth: int = 0) -> bool:
    """Tool or request input, or bytes downloaded in this function."""
    if is_tainted(node, scope.tainted, analysis.aliases):
        return True
    if depth >= DEPTH:
        return False
    for n in ast.walk(node):
        if isinstance(n, ast.Call):
            name = qualified_name(n.func, analysis.aliases)
            if name in DOWNLOADS or name.rsplit(".", 1)[-1] in ("urlretrieve", "hf_hub_download"):
                return True
        elif isinstance(n, ast.Attribute) and n.attr in NETWORK_ATTRS and n.attr not in ("read", "data") and \
                _downloaded(n.value, scope, analysis, depth):
            return True
        elif isinstance(n, ast.Name):
            if any(_untrusted(v, scope, analysis, depth + 1) for v in lookup(n.id, scope)):
                return True
    return False


def _downloaded(node: ast.expr, scope: Scope, analysis: Analysis, depth: int) -> bool:
    values = lookup(node.id, scope) if isinstance(node, ast.Name) else [node]
    return any(isinstance(v, ast.Call) and (qualified_name(v.func, analysis.aliases) in DOWNLOADS or (
        isinstance(v.func, ast.Attribute) and v.func.attr in ("get", "post") and
        "client" in ast.unparse(v.func.value).lower())) for v in values) and depth < DEPTH
