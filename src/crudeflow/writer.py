"""Every output file goes through here, so a failure never leaves a half-written or mixed output and crudeflow
never replaces anything but a regular file or a folder it wrote itself.

- One file (`write_file`): written to a temporary file beside the target, then renamed over it. The target may
  be missing or a regular file (a symlink to one is written through, so the link survives). A device, FIFO,
  socket or folder is refused without being opened: as root, renaming over /dev/null replaces the device, and
  opening a FIFO blocks.
- A folder of files (`write_folder`: a report, Parquet tables, charts): written into a temporary folder beside
  the target, then swapped in whole, so a failure leaves the previous output or nothing. An existing folder
  is replaced only if every entry in it is a regular file named by this output or by the list a previous
  write left in it (`MANIFEST`); a folder holding anything else is refused, never emptied.
- crudeflow creates no folder but the output folder itself: a missing parent folder is refused.
- Every OSError becomes an OutputError (one line: the path and the reason); temporary files are removed.

The CLI calls `precheck_file` and `precheck_folder` when it parses its options, so that a path crudeflow would
refuse is refused before a long run, not after it.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import stat
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path

from crudeflow.errors import OutputError

MANIFEST = ".crudeflow-files"  # in each output folder: the files crudeflow wrote there


def user_cache_folder(kind: str) -> Path:
    """Where crudeflow keeps what it computes once and reuses (`kind`: 'risk-tables', 'fleet'):
    ($XDG_CACHE_HOME or ~/.cache)/crudeflow/<kind>, its own folder (created by whoever writes there first)."""
    root = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(root) / "crudeflow" / kind


_KINDS = ((stat.S_ISDIR, "a folder"), (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
          (stat.S_ISFIFO, "a FIFO (named pipe)"), (stat.S_ISSOCK, "a socket"), (stat.S_ISREG, "a regular file"))


def write_file(path: Path | str, data: bytes | str) -> Path:
    """Write one file atomically; returns `path`."""
    path = Path(path)
    real = check_file_target(path)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{real.name}.", suffix=".tmp", dir=real.parent)
    except OSError as exc:
        raise OutputError(path, f"cannot create a file in {_parent(path, real)}: {_reason(exc)}") from None
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data.encode("utf-8") if isinstance(data, str) else data)
            os.fchmod(handle.fileno(), _umask_mode(0o666))  # mkstemp makes 0600; outputs are meant to be shared
        check_file_target(path)  # again: the target may have changed while the file was written
        os.replace(tmp, real)
    except OSError as exc:
        raise OutputError(path, f"cannot write: {_reason(exc)}") from None
    finally:
        with contextlib.suppress(OSError):
            os.unlink(tmp)  # gone already after the rename
    return path


def write_folder(path: Path | str, files: Mapping[str, bytes | str]) -> list[Path]:
    """Write `files` (name → content, in that order) as the folder `path`, replacing a previous output whole;
    returns the paths written."""
    path = Path(path)
    names = list(files)
    if any(name in ("", ".", "..", MANIFEST) or "/" in name for name in names):
        raise ValueError(f"output file names must be plain names: {names}")
    real = check_folder_target(path)
    _check_replaceable(path, real, _ours(real, names).__contains__)
    try:
        tmp = Path(tempfile.mkdtemp(prefix=f".{real.name}.", suffix=".tmp", dir=real.parent))
    except OSError as exc:
        raise OutputError(path, f"cannot create a folder in {_parent(path, real)}: {_reason(exc)}") from None
    try:
        os.chmod(tmp, _umask_mode(0o777))  # mkdtemp makes 0700
        for name, data in files.items():
            with open(tmp / name, "xb") as handle:
                handle.write(data.encode("utf-8") if isinstance(data, str) else data)
        (tmp / MANIFEST).write_text("".join(f"{name}\n" for name in names), encoding="utf-8")
        _swap_in(path, real, tmp, names)
    except OSError as exc:
        raise OutputError(path, f"cannot write: {_reason(exc)}") from None
    finally:
        shutil.rmtree(tmp, ignore_errors=True)  # gone already after the swap
    return [path / name for name in names]


def precheck_file(path: Path) -> None:
    """What `write_file` will check, and that a file can be created beside the target (not on a read-only file
    system, in /proc, or without permission)."""
    _probe(path, check_file_target(path))


def precheck_folder(path: Path, suffixes: tuple[str, ...]) -> None:
    """What `write_folder` will check, as far as it can be known before the output is made: an existing folder
    may hold only regular files with these `suffixes` or listed in its manifest."""
    real = check_folder_target(path)
    ours = _ours(real, [])
    _check_replaceable(path, real, lambda name: name in ours or name.endswith(suffixes))
    _probe(path, real)


def check_file_target(path: Path) -> Path:
    """Refuse a target that is not a regular file or whose folder is missing; returns it with symlinks resolved."""
    return _check_target(path, stat.S_ISREG, "crudeflow replaces only regular files")


def check_folder_target(path: Path) -> Path:
    """Refuse a target that is not a folder, is `/` or holds the working folder, or whose parent is missing;
    returns it with symlinks resolved."""
    real = Path(os.path.realpath(path))
    if real == real.parent or _holds_working_folder(real):
        raise OutputError(path, "is the root or the working folder (or holds it); give an output folder of its own")
    return _check_target(path, stat.S_ISDIR, "crudeflow writes a folder here")


def _check_target(path: Path, is_wanted: Callable[[int], bool], refusal: str) -> Path:
    """The target's folder exists, and the target is missing or of the wanted kind; returns it with symlinks
    resolved."""
    real = Path(os.path.realpath(path))
    _check_parent(path, real)
    found = _stat(path, real)
    if found is not None and not is_wanted(found.st_mode):
        raise OutputError(path, f"is {_kind(path, found)}; {refusal}")
    return real


def _holds_working_folder(real: Path) -> bool:
    try:
        return Path.cwd().resolve().is_relative_to(real)
    except OSError:  # the working folder was deleted: no folder holds it
        return False


def _parent(path: Path, real: Path) -> Path:
    """The folder to name in a message: as the user wrote it, unless the path is a symlink to elsewhere."""
    return real.parent if path.is_symlink() else path.parent


def _check_parent(path: Path, real: Path) -> None:
    shown = _parent(path, real)
    found = _stat(path, real.parent)
    if found is None:
        raise OutputError(path, f"folder {shown} does not exist; crudeflow creates only the output itself")
    if not stat.S_ISDIR(found.st_mode):
        raise OutputError(path, f"{shown} is not a folder")


def _check_replaceable(path: Path, real: Path, allowed: Callable[[str], bool]) -> None:
    if not os.path.lexists(real):
        return
    foreign = sorted(entry.name for entry in _entries(real) if not _is_ours(entry, allowed))
    if foreign:
        shown = ", ".join(foreign[:3]) + (f" and {len(foreign) - 3} more" if len(foreign) > 3 else "")
        raise OutputError(path, f"holds {shown}, which crudeflow did not write there; it replaces only a folder "
                                "of its own output: give a new folder or remove it")


def _swap_in(path: Path, real: Path, tmp: Path, names: list[str]) -> None:
    """Move the finished temporary folder to `real`, the previous output aside first and deleted after."""
    check_folder_target(path)
    ours = _ours(real, names)
    _check_replaceable(path, real, ours.__contains__)
    if not os.path.lexists(real):
        os.rename(tmp, real)
        return
    old = real.with_name(f".{real.name}.{secrets.token_hex(4)}.old")
    os.rename(real, old)
    try:
        os.rename(tmp, real)
    except BaseException:
        os.rename(old, real)  # put the previous output back
        raise
    for entry in _entries(old):
        if _is_ours(entry, ours.__contains__):
            with contextlib.suppress(OSError):
                os.unlink(entry.path)
    with contextlib.suppress(OSError):
        os.rmdir(old)  # fails only if someone added a file meanwhile: then it stays, hidden but whole


def _entries(folder: Path) -> list[os.DirEntry[str]]:
    with os.scandir(folder) as found:
        return list(found)


def _ours(folder: Path, names: list[str]) -> set[str]:
    """Names crudeflow may replace in `folder`: this output's files and those a previous write listed."""
    return {MANIFEST, *names, *_manifest_names(folder)}


def _is_ours(entry: os.DirEntry[str], allowed: Callable[[str], bool]) -> bool:
    return allowed(entry.name) and entry.is_file(follow_symlinks=False)


def _probe(path: Path, real: Path) -> None:
    """Create and remove an empty temporary file where the output will go."""
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{real.name}.", suffix=".tmp", dir=real.parent)
    except OSError as exc:
        raise OutputError(path, f"cannot create a file in {_parent(path, real)}: {_reason(exc)}") from None
    os.close(fd)
    os.unlink(tmp)


def _manifest_names(folder: Path) -> set[str]:
    # O_NONBLOCK|O_NOFOLLOW: a FIFO or symlink planted under the manifest's name must not block or redirect us
    try:
        fd = os.open(folder / MANIFEST, os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW)
    except OSError:
        return set()
    with os.fdopen(fd, "rb") as handle:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return set()
        text = handle.read(1_000_000).decode("utf-8", errors="replace")
    return {line for line in text.splitlines() if line and "/" not in line}


def _stat(path: Path, real: Path) -> os.stat_result | None:
    try:
        return os.stat(real)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise OutputError(path, f"cannot use it: {_reason(exc)}") from None


def _kind(path: Path, found: os.stat_result) -> str:
    kind = next((name for test, name in _KINDS if test(found.st_mode)), "not a regular file")
    return f"a symlink to {kind}" if path.is_symlink() else kind


def _umask_mode(full: int) -> int:
    """The mode a plainly created file (0o666) or folder (0o777) gets under the current umask."""
    mask = os.umask(0)
    os.umask(mask)
    return full & ~mask


def _reason(exc: OSError) -> str:
    return exc.strerror or str(exc)
