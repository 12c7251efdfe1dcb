"""Archive slip: untrusted tar archives extracted without a member filter."""
from __future__ import annotations

from python_detector_kit import TOOL_HEADER, lines

CHECK = "python-archive-extraction"


def test_tar_from_tool_input_extracted_without_filter():
    source = TOOL_HEADER + """
import tarfile

@mcp.tool()
def unpack(archive: str) -> str:
    with tarfile.open(archive) as tar:
        tar.extractall("/srv/out")
        tar.extract("member", "/srv/out")
    return "ok"
"""
    assert lines(CHECK, source) == [10, 11]


def test_downloaded_archive_and_unpack_archive():
    source = """
import io, shutil, tarfile, requests

def update():
    response = requests.get("https://example.org/pkg.tar.gz", timeout=10)
    tarfile.open(fileobj=io.BytesIO(response.content)).extractall("/srv/pkg")
    path, _ = urllib.request.urlretrieve("https://example.org/b.tar")
    shutil.unpack_archive(path, "/srv/b")
"""
    assert lines(CHECK, source) == [6, 8]


def test_filters_member_lists_checks_zipfile_and_local_archives_are_not_reported():
    source = TOOL_HEADER + """
import os, tarfile, zipfile

@mcp.tool()
def a(archive: str) -> None:
    with tarfile.open(archive) as tar:
        tar.extractall("/srv/out", filter="data")

@mcp.tool()
def b(archive: str) -> None:
    with tarfile.open(archive) as tar:
        tar.extractall("/srv/out", members=safe_members(tar))

@mcp.tool()
def c(archive: str) -> None:
    with tarfile.open(archive) as tar:
        for m in tar.getmembers():
            if not os.path.realpath(os.path.join("/srv/out", m.name)).startswith("/srv/out/"):
                raise ValueError(m.name)
        tar.extractall("/srv/out")

@mcp.tool()
def d(archive: str) -> None:
    zipfile.ZipFile(archive).extractall("/srv/out")

def e():
    tarfile.open("/opt/bundled.tar").extractall("/srv/out")
"""
    assert lines(CHECK, source) == []
