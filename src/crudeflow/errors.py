"""Errors that reach the user as one plain line and exit code 2.

Every message names where the problem is (file, line, row id, field) and the offending value, so
a user can fix the input without reading a traceback.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path


class CrudeflowError(Exception):
    """Base class: an input or usage problem the user can fix. The CLI prints it and exits 2."""


@dataclass
class InputError(CrudeflowError):
    """A problem in one input file, pinned to a line, a row and a field where known."""

    path: Path | str
    reason: str
    line: int | None = None
    row_id: str | None = None
    field: str | None = None
    value: object = None

    def __str__(self) -> str:
        where = str(self.path)
        if self.line is not None:
            where += f" line {self.line}"
        if self.row_id:
            where += f" (row '{_one_line(self.row_id)}')"
        if self.field:
            where += f", field '{_one_line(self.field)}'"
        shown = "" if self.value is None else f" {_one_line(repr(self.value))}:"
        return f"{where}:{shown} {self.reason}"


def _one_line(text: str, limit: int = 80) -> str:
    """`text` as it can stand in a one-line message: control characters escaped, at most `limit` characters
    (a broken file can put a newline or 50 MB in a cell)."""
    text = "".join(c if c.isprintable() else repr(c)[1:-1] for c in text[: limit + 1])
    return text if len(text) <= limit else text[: limit - 1] + "…"


class SolveError(CrudeflowError):
    """The optimiser did not reach an optimum; the message says why in the user's words."""


@dataclass
class OutputError(CrudeflowError):
    """An output path crudeflow will not or could not write: the path as the user gave it, and why."""

    path: Path | str
    reason: str

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"


@contextlib.contextmanager
def ctrl_c_as_raised() -> Iterator[None]:
    """Ctrl-C as the KeyboardInterrupt it is, wherever it lands: one that lands while a numba kernel hands back a
    tuple (numba's boxing calls back into Python) comes out as a SystemError caused by it, which the study's
    partial result and the CLI's exit 130 would not recognise."""
    try:
        yield
    except SystemError as error:
        if isinstance(error.__cause__, KeyboardInterrupt):
            raise KeyboardInterrupt from error
        raise
