"""Reading an article's text files: UTF-8, with the faults named by byte offset and line."""

from __future__ import annotations

from pathlib import Path

from pubpipe.errors import ArticleError


def read_text_file(path: Path) -> str:
    """Read a UTF-8 text file. A BOM and CRLF line ends are accepted (pandoc ignores them); bytes
    that are not UTF-8 and NUL bytes are refused with their offset, since they are nearly always a
    file saved in the wrong encoding or not a text file at all."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ArticleError(f"cannot read the file: {exc.strerror}", path=path) from None
    nul = data.find(b"\x00")
    if nul >= 0:
        raise ArticleError(
            f"NUL byte at byte offset {nul}",
            path=path,
            line=data.count(b"\n", 0, nul) + 1,
            hint="this does not look like a text file; save it again as plain UTF-8 text",
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise ArticleError(
            f"not valid UTF-8: byte 0x{data[exc.start]:02x} at byte offset {exc.start}",
            path=path,
            line=line,
            hint="save the file as UTF-8 (in most editors: 'Save with encoding' → UTF-8)",
        ) from None
    return text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
