"""Imports datasets shipped as archives: from a path the caller names or a URL it downloads."""
import shutil
import tarfile
import zipfile

import requests
from mcp.server.fastmcp import FastMCP

mcp = FastMCP("datasets")
DATA_DIR = "/srv/datasets"


@mcp.tool()
def import_archive(archive_path: str) -> str:
    """Import a dataset archive into the data folder."""
    with tarfile.open(archive_path) as tar:  # expect: python-path-traversal
        tar.extractall(DATA_DIR)  # expect: python-archive-extraction
    return "imported"


@mcp.tool()
def import_remote(url: str) -> str:
    """Download a dataset archive and import it."""
    local = "/tmp/dataset.tar.gz"
    with open(local, "wb") as fh:
        fh.write(requests.get("https://datasets.example.org/latest.tar.gz", timeout=30).content)
    shutil.unpack_archive(local, DATA_DIR)  # ok: python-archive-extraction
    response = requests.get("https://datasets.example.org/extra.tar", timeout=30)
    import io
    archive = tarfile.open(fileobj=io.BytesIO(response.content))
    archive.extractall(DATA_DIR)  # expect: python-archive-extraction
    return "imported"


@mcp.tool()
def import_checked(archive_path: str) -> str:
    """Import with the data filter of Python 3.12."""
    with tarfile.open(archive_path) as tar:  # expect: python-path-traversal
        tar.extractall(DATA_DIR, filter="data")  # ok: python-archive-extraction
    return "imported"


@mcp.tool()
def import_zip(archive_path: str) -> str:
    """zipfile drops .. and absolute member names itself."""
    with zipfile.ZipFile(archive_path) as zf:  # expect: python-path-traversal
        zf.extractall(DATA_DIR)  # ok: python-archive-extraction
    return "imported"


@mcp.tool()
def unpack_upload(upload: str) -> str:
    """Unpack an uploaded archive."""
    shutil.unpack_archive(upload, DATA_DIR)  # expect: python-archive-extraction
    return "ok"
