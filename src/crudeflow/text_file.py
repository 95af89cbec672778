"""The one reader of the user's text files (dataset and fleet CSVs, outage tables, scenario YAML).

A file must be UTF-8 text (a byte-order mark is allowed and dropped), hold no NUL byte and stay under a size
cap; a CSV cell must stay under a length cap. Anything else is refused as one InputError naming the file and
the line, before a parser sees it, so a latin-1 export, a binary file or a 50 MB cell never reaches a
traceback or a runaway allocation.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

from crudeflow.errors import InputError

MAX_FILE_BYTES = 20 * 1024 * 1024  # the built-in dataset's largest table is a few kB
MAX_CELL_CHARS = 100_000  # its longest cell is a few hundred characters


def read_text_file(path: Path, max_bytes: int = MAX_FILE_BYTES) -> str:
    """The text of `path`, checked: at most `max_bytes`, UTF-8 with or without BOM, no NUL byte."""
    try:
        with path.open("rb") as handle:
            data = handle.read(max_bytes + 1)  # never reads more than the cap, whatever the file's size
    except OSError as exc:
        raise InputError(path, f"cannot read the file: {exc.strerror or exc}") from None
    if len(data) > max_bytes:
        raise InputError(path, f"file larger than {_size(max_bytes)}; crudeflow reads files up to that size")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise InputError(path, f"not UTF-8 text (byte 0x{data[exc.start]:02x}); save the file as UTF-8",
                         line=line) from None
    nul = text.find("\x00")
    if nul >= 0:
        raise InputError(path, "a NUL byte: this is a binary file, not text", line=text.count("\n", 0, nul) + 1)
    return text


def csv_records(path: Path) -> tuple[list[str], Iterator[tuple[int, dict[str, str]]]]:
    """The header and the (line, cells) of each record of a CSV file read with `read_text_file`; cells and
    column names are stripped of surrounding whitespace."""
    csv.field_size_limit(MAX_CELL_CHARS)  # process-wide, and every CSV crudeflow reads comes through here
    reader = csv.DictReader(io.StringIO(read_text_file(path), newline=""))
    try:
        header = [h.strip() for h in reader.fieldnames or []]
    except csv.Error as exc:
        raise _csv_error(path, reader, exc) from None

    def records() -> Iterator[tuple[int, dict[str, str]]]:
        try:
            for record in reader:
                extra = record.pop(None, None)  # cells beyond the header's columns: a stray comma or quote
                if extra is not None:
                    raise InputError(path, f"{len(header) + len(extra)} cells; the header has {len(header)} "
                                     "columns", line=reader.line_num)
                yield reader.line_num, {k.strip(): (v or "").strip() for k, v in record.items()}
        except csv.Error as exc:
            raise _csv_error(path, reader, exc) from None

    return header, records()


def _csv_error(path: Path, reader: csv.DictReader[str], exc: csv.Error) -> InputError:
    reason = str(exc)
    if "field larger than field limit" in reason:
        reason = f"a cell longer than {MAX_CELL_CHARS:,} characters"
    return InputError(path, f"not a readable CSV file: {reason}", line=reader.line_num or 1)


def _size(n_bytes: int) -> str:
    return f"{n_bytes / 1024 / 1024:g} MB" if n_bytes >= 1024 * 1024 else f"{n_bytes / 1024:g} kB"
