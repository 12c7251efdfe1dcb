"""Scanning one file of a full scan: read it into fragments (in bounded, overlapping chunks when large),
consult the result cache, run the engine on the fragments' units. Used in-process and inside worker
processes alike."""
from __future__ import annotations

import re
from typing import Iterator, Optional

from sentinel_hooks import digests
from sentinel_hooks.cache import ResultCache
from sentinel_hooks.engine.matcher import Engine
from sentinel_hooks.engine.units import units_of
from sentinel_hooks.findings import Finding, to_dict
from sentinel_hooks.records import field, record
from sentinel_hooks.sources import skips
from sentinel_hooks.sources.fragment import Fragment
from sentinel_hooks.sources.files import BINARY_SNIFF, FileEntry, decode, is_binary, open_regular
from sentinel_hooks.sources.modules import DirectoryModules, scan_root

DEFAULT_CHUNK = 32 * 1024 * 1024
OVERLAP = 64 * 1024  # a match up to this long is found even when it straddles a chunk boundary
LONE_CR = re.compile(rb"\r(?!\n)")


@record
class FileOutcome:
    path: str
    findings: list[Finding] = field(default_factory=list)
    scanned: bool = False
    bytes: int = 0
    skip_reason: Optional[str] = None
    not_analysed: Optional[str] = None  # scanned, but a structure-aware check could not analyse it: why
    error: Optional[str] = None
    cached: bool = False


def _char_boundary(data: bytes, pos: int) -> int:
    """Move ``pos`` back so that cutting ``data`` there does not split a UTF-8 sequence."""
    pos = min(pos, len(data))
    if pos < len(data):
        while pos > 0 and (data[pos] & 0xC0) == 0x80:
            pos -= 1
        return pos
    i = pos - 1  # cutting at the end: step back over an incomplete trailing sequence
    while i > 0 and pos - i < 4 and (data[i] & 0xC0) == 0x80:
        i -= 1
    if i >= 0:
        lead = data[i]
        need = 2 if lead >> 5 == 0b110 else 3 if lead >> 4 == 0b1110 else 4 if lead >> 3 == 0b11110 else 1
        if pos - i < need:
            return i
    return pos


def chunk_fragments(path: str, fh, first: bytes, chunk_size: int, overlap: int = OVERLAP) -> Iterator[Fragment]:
    """Fragments of at most ``chunk_size`` bytes (plus overlap) covering the file, in file coordinates.

    A chunk ends after its last newline when it has one, else at a character boundary; the next one
    starts ``overlap`` bytes earlier (at a line start where possible), so matches near the boundary
    are seen whole by one fragment. Duplicate findings from the overlap are removed later.
    """
    overlap = min(overlap, chunk_size // 4)
    buf = first
    line = 1          # file line of buf[0]
    column = 1        # file column of buf[0]
    eof = False
    while True:
        while len(buf) < chunk_size and not eof:
            more = fh.read(chunk_size - len(buf))
            if not more:
                eof = True
            buf += more
        if b"\r" in buf:  # lone CRs end lines too (a CR last in the buffer waits for the next read)
            held = 1 if not eof and buf.endswith(b"\r") else 0
            buf = LONE_CR.sub(b"\n", buf[:len(buf) - held]) + buf[len(buf) - held:]
        if eof:
            cut = len(buf)
        else:
            nl = buf.rfind(b"\n", 2 * overlap, chunk_size)
            cut = nl + 1 if nl != -1 else _char_boundary(buf, chunk_size)
        text = decode(buf[:cut]) if line == 1 and column == 1 else buf[:cut].decode("utf-8", "replace")
        yield Fragment(path=path, text=text, first_line=line, first_column=column, partial=True)
        if eof:
            return
        start = max(cut - overlap, 1)
        nl = buf.find(b"\n", start - 1, cut)
        start = nl + 1 if nl != -1 and nl + 1 < cut else _char_boundary(buf, start)
        if start <= 0:
            start = cut  # never stall: continue after this chunk without overlap
        consumed = buf[:start]
        newlines = consumed.count(b"\n")
        if newlines:
            line += newlines
            column = len(consumed[consumed.rfind(b"\n") + 1:].decode("utf-8", "replace")) + 1
        else:
            column += len(consumed.decode("utf-8", "replace"))
        buf = buf[start:]


def scan_file(entry: FileEntry, engine: Engine, cache: Optional[ResultCache],
              chunk_size: int = DEFAULT_CHUNK) -> FileOutcome:
    out = FileOutcome(entry.display_path)
    try:
        fh = open_regular(entry.abs_path)
    except OSError as exc:
        out.error = exc.strerror or str(exc)
        out.skip_reason = skips.UNREADABLE
        return out
    if fh is None:
        out.skip_reason = skips.NOT_REGULAR
        return out
    try:
        with fh:
            head = fh.read(BINARY_SNIFF)
            if is_binary(head):
                out.skip_reason = skips.BINARY
                return out
            if entry.size <= chunk_size:
                data = head + fh.read()
                root = scan_root(entry.abs_path, entry.display_path)
                modules = DirectoryModules(root) if root is not None else None
                key = cache.key(entry.display_path, data) if cache is not None else None
                cached = cache.get_entry(key, modules.unchanged if modules is not None else None) \
                    if cache is not None else None
                if cached is not None:
                    out.findings, out.not_analysed = cached
                    out.cached = True
                else:
                    fragment = Fragment(path=entry.display_path, text=decode(data), modules=modules)
                    (unit,) = units_of(fragment)  # a whole file: one unit
                    out.findings = engine.scan(unit)
                    out.not_analysed = engine.not_analysed(unit)
                    if cache is not None:
                        cache.put(key, [to_dict(f) for f in out.findings], out.not_analysed,
                                  modules.reads if modules is not None else None)
                out.bytes = len(data)
            else:
                key = None
                if cache is not None:
                    digest = digests.blake2b(digest_size=20)
                    digest.update(entry.display_path.encode("utf-8", "surrogateescape") + b"\0")
                    digest.update(head)
                    for block in iter(lambda: fh.read(1 << 20), b""):
                        digest.update(block)
                    key = "big-" + digest.hexdigest()
                    cached = cache.get_entry(key)
                    if cached is not None:
                        out.findings, out.not_analysed = cached
                        out.cached, out.scanned, out.bytes = True, True, entry.size
                        return out
                    fh.seek(len(head))
                seen: set[tuple] = set()
                for fragment in chunk_fragments(entry.display_path, fh, head, chunk_size):
                    for unit in units_of(fragment):
                        for f in engine.scan(unit):  # the overlap reports some findings twice
                            where = (f.rule_id, f.line, f.column, f.end_line, f.end_column)
                            if where not in seen:
                                seen.add(where)
                                out.findings.append(f)
                        out.not_analysed = out.not_analysed or engine.not_analysed(unit)
                out.bytes = entry.size
                if cache is not None and key is not None:
                    cache.put(key, [to_dict(f) for f in out.findings], out.not_analysed)
    except OSError as exc:
        out.error = exc.strerror or str(exc)
        out.skip_reason = skips.UNREADABLE
        out.findings = []
        return out
    out.scanned = True
    return out
