"""Turning the bytes of an input file into text: encodings, BOMs, cut files and binary files."""

from __future__ import annotations

import codecs
from dataclasses import dataclass, field

from reader.core.model import Diagnostic

# How much of a file is sniffed for binary content: enough to catch images, archives, PDFs.
_SNIFF_BYTES = 8192
# Share of control characters above which decoded text is treated as binary rather than prose.
_MAX_CONTROL_SHARE = 0.05
_NOT_CONTROL = bytes(b for b in range(256) if b >= 0x20 or b in b"\t\n\r\f\x1a")
"""Every byte but the control codes prose does not hold (it may hold tabs, line ends, form feeds
and DOS's end of file, 0x1a)."""


@dataclass(slots=True)
class Decoded:
    """The text of one file (None when it could not be read) and what was noticed on the way."""

    text: str | None
    encoding: str | None
    diagnostics: list[Diagnostic] = field(default_factory=list)


def _control_share(text: str) -> float:
    sample = text[:_SNIFF_BYTES]
    if not sample:
        return 0.0
    # The sample's UTF-8 bytes with every byte but the control codes deleted: a byte below 0x20
    # is one of them there. A loop over the characters took 500 us a file (most of the time of
    # reading a folder of Markdown posts), a regular expression 60, this 10.
    controls = sample.encode("utf-8", "surrogatepass").translate(None, _NOT_CONTROL)
    return len(controls) / len(sample)


def _decode_allowing_cut_end(data: bytes, encoding: str) -> tuple[str, int] | None:
    """Decode strictly; if only an incomplete character at the very end is wrong, drop it.

    Returns (text, number of bytes dropped at the end) or None when the bytes are not in this
    encoding.
    """
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    try:
        text = decoder.decode(data, final=False)
    except UnicodeDecodeError:
        return None
    pending, _ = decoder.getstate()
    return text, len(pending)


def _line_of_end(text: str) -> int:
    return text.count("\n") + 1 if not text.endswith("\n") else text.count("\n")


SNIFF_BYTES = _SNIFF_BYTES
_NUL_REASON = "it contains NUL bytes (binary data, or UTF-16 text without a byte-order mark)"


def binary_head_diagnostic(head: bytes, source: str) -> Decoded | None:
    """The binary-file error when a file's first bytes already show it is not text, else None
    (lets a reader refuse a large binary file without reading all of it)."""
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return None
    if b"\x00" in head[:_SNIFF_BYTES]:
        return _binary(source, _NUL_REASON)
    return None


def decode_bytes(data: bytes, source: str) -> Decoded:
    """Decode a file's bytes: UTF-8 (with or without BOM), UTF-16 with BOM, or GB18030/GBK.

    Never raises. Binary content gives text None and an error diagnostic; a file cut in the
    middle of a character keeps everything before the cut and gets a warning.
    """
    if not data:
        return Decoded(
            "",
            "utf-8",
            [Diagnostic(source, None, "warning", "The file is empty, so it contains no posts.")],
        )

    for bom, encoding in ((codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")):
        if data.startswith(bom) and not data.startswith(codecs.BOM_UTF8):
            decoded = _decode_allowing_cut_end(data[len(bom) :], encoding)
            if decoded is not None:
                return _finish(decoded, encoding, source)

    if b"\x00" in data[:_SNIFF_BYTES]:
        return _binary(source, _NUL_REASON)

    body = data[len(codecs.BOM_UTF8) :] if data.startswith(codecs.BOM_UTF8) else data
    for encoding in ("utf-8", "gb18030"):
        decoded = _decode_allowing_cut_end(body, encoding)
        if decoded is not None:
            if _control_share(decoded[0]) > _MAX_CONTROL_SHARE:
                return _binary(source, "most of its bytes are not text characters")
            result = _finish(decoded, encoding, source)
            if encoding == "gb18030":
                result.diagnostics.insert(
                    0,
                    Diagnostic(
                        source,
                        None,
                        "info",
                        "The file is not UTF-8; it was read as GB18030/GBK "
                        "(Chinese legacy encoding).",
                    ),
                )
            return result

    text = body.decode("utf-8", errors="replace")
    if _control_share(text) > _MAX_CONTROL_SHARE:
        return _binary(source, "most of its bytes are not text characters")
    diagnostics = []
    for number, line in enumerate(text.split("\n"), start=1):
        if "\ufffd" in line:
            diagnostics.append(
                Diagnostic(
                    source,
                    number,
                    "warning",
                    f"Line {number} has bytes that are neither UTF-8 nor GB18030; they are "
                    "shown as \ufffd. Re-save the file as UTF-8 to keep those characters.",
                )
            )
    return Decoded(text, "utf-8", diagnostics)


def _finish(decoded: tuple[str, int], encoding: str, source: str) -> Decoded:
    text, dropped = decoded
    diagnostics = []
    if dropped:
        line = _line_of_end(text)
        diagnostics.append(
            Diagnostic(
                source,
                line,
                "warning",
                f"The file ends in the middle of a character (the last {dropped} byte(s) of line "
                f"{line} are an incomplete {encoding.upper()} sequence, probably a cut download); "
                "everything before them was read.",
            )
        )
    return Decoded(text, encoding, diagnostics)


def _binary(source: str, reason: str) -> Decoded:
    return Decoded(
        None,
        None,
        [
            Diagnostic(
                source,
                None,
                "error",
                f"Could not read this file as text because {reason}; it looks like a binary file. "
                "Give a saved page (.txt) or a Markdown file (.md) instead.",
            )
        ],
    )
