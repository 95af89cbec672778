"""crudeflow.writer on its own: what it replaces, what it refuses, and what a failure leaves behind.

Device nodes and FIFOs are made in the test's own folder, never the system's.
"""

from __future__ import annotations

import errno
import os
import socket
import stat
from pathlib import Path

import pytest

from crudeflow import writer
from crudeflow.errors import OutputError
from crudeflow.writer import MANIFEST, precheck_file, precheck_folder, write_file, write_folder

needs_root = pytest.mark.skipif(os.geteuid() != 0, reason="making a device node needs root")


def null_device(path: Path) -> Path:
    os.mknod(path, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    return path


def umask_mode(full: int) -> int:
    mask = os.umask(0)
    os.umask(mask)
    return full & ~mask


class FullDisk(str):
    """Content whose writing fails as on a full disk."""

    def encode(self, *args: object, **kwargs: object) -> bytes:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


class Interrupted(str):
    """Content whose writing is interrupted by Ctrl-C."""

    def encode(self, *args: object, **kwargs: object) -> bytes:
        raise KeyboardInterrupt


def contents_of(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir()}


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


def test_file_new_and_replaced_with_the_umask_mode(tmp_path: Path) -> None:
    target = tmp_path / "a.json"
    write_file(target, "one")
    assert target.read_text() == "one"
    assert stat.S_IMODE(target.stat().st_mode) == umask_mode(0o666)
    write_file(target, b"two")
    assert target.read_bytes() == b"two"
    assert leftovers(tmp_path) == []


def test_file_through_a_symlink_keeps_the_link(tmp_path: Path) -> None:
    (tmp_path / "real.txt").write_text("old")
    link = tmp_path / "link.txt"
    link.symlink_to("real.txt")
    write_file(link, "new")
    assert link.is_symlink() and (tmp_path / "real.txt").read_text() == "new"


@needs_root
def test_file_refuses_a_device_and_a_symlink_to_one(tmp_path: Path) -> None:
    device = null_device(tmp_path / "null")
    link = tmp_path / "link"
    link.symlink_to(device)
    with pytest.raises(OutputError, match="is a character device; crudeflow replaces only regular files"):
        write_file(device, "x")
    with pytest.raises(OutputError, match="is a symlink to a character device"):
        write_file(link, "x")
    assert stat.S_ISCHR(device.lstat().st_mode) and link.is_symlink()
    assert leftovers(tmp_path) == []


def test_file_refuses_a_fifo_without_opening_it(tmp_path: Path) -> None:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    with pytest.raises(OutputError, match="FIFO"):
        write_file(fifo, "x")  # opening it would block: the test would hang
    assert stat.S_ISFIFO(fifo.lstat().st_mode)


def test_file_refuses_a_socket_and_a_folder(tmp_path: Path) -> None:
    with socket.socket(socket.AF_UNIX) as sock:
        sock.bind(str(tmp_path / "sock"))
        with pytest.raises(OutputError, match="is a socket"):
            write_file(tmp_path / "sock", "x")
    with pytest.raises(OutputError, match="is a folder"):
        write_file(tmp_path, "x")


def test_file_refuses_a_missing_parent_and_a_file_as_parent(tmp_path: Path) -> None:
    with pytest.raises(OutputError, match=r"folder .*missing does not exist"):
        write_file(tmp_path / "missing" / "a.json", "x")
    (tmp_path / "plain").write_text("")
    with pytest.raises(OutputError, match="plain is not a folder"):
        write_file(tmp_path / "plain" / "a.json", "x")
    assert not (tmp_path / "missing").exists()


def test_file_error_midway_keeps_the_old_file_and_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "a.csv"
    target.write_text("previous")
    with pytest.raises(OutputError, match=r"a\.csv: cannot write: No space left on device"):
        write_file(target, FullDisk("new"))
    assert target.read_text() == "previous"
    assert leftovers(tmp_path) == []


def test_file_interrupted_keeps_the_old_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "a.csv"
    target.write_text("previous")

    def interrupted(*args: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(writer.os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_file(target, "new")
    assert target.read_text() == "previous" and leftovers(tmp_path) == []


def test_folder_new_with_its_manifest(tmp_path: Path) -> None:
    target = tmp_path / "report"
    written = write_folder(target, {"a.png": b"png", "report.html": "<html>"})
    assert written == [target / "a.png", target / "report.html"]
    assert (target / "report.html").read_text() == "<html>"
    assert (target / MANIFEST).read_text().split() == ["a.png", "report.html"]
    assert stat.S_IMODE(target.stat().st_mode) == umask_mode(0o777)
    assert stat.S_IMODE((target / "a.png").stat().st_mode) == umask_mode(0o666)
    assert leftovers(tmp_path) == []


def test_folder_replaces_a_previous_output_whole(tmp_path: Path) -> None:
    target = tmp_path / "out"
    write_folder(target, {"old.png": b"1", "report.html": "1"})
    write_folder(target, {"new.png": b"2", "report.html": "2"})
    assert sorted(p.name for p in target.iterdir()) == [MANIFEST, "new.png", "report.html"]
    assert (target / "report.html").read_text() == "2"
    assert leftovers(tmp_path) == []


def test_folder_replaces_an_empty_folder_and_one_holding_only_these_files(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    write_folder(empty, {"a.parquet": b"x"})
    assert (empty / "a.parquet").read_bytes() == b"x"
    older = tmp_path / "older"  # written before outputs had a manifest
    older.mkdir()
    (older / "a.parquet").write_bytes(b"old")
    write_folder(older, {"a.parquet": b"new", "b.parquet": b"new"})
    assert (older / "a.parquet").read_bytes() == b"new"


def test_folder_never_empties_a_folder_it_did_not_write(tmp_path: Path) -> None:
    target = tmp_path / "mine"
    write_folder(target, {"a.png": b"1"})
    (target / "notes.txt").write_text("the user's")
    (target / "sub").mkdir()
    with pytest.raises(OutputError, match=r"holds notes\.txt, sub, which crudeflow did not write"):
        write_folder(target, {"a.png": b"2"})
    assert (target / "notes.txt").read_text() == "the user's" and (target / "a.png").read_bytes() == b"1"
    assert leftovers(tmp_path) == []


def test_folder_refuses_a_file_root_and_the_working_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "file").write_text("keep")
    with pytest.raises(OutputError, match="is a regular file; crudeflow writes a folder here"):
        write_folder(tmp_path / "file", {"a": b""})
    with pytest.raises(OutputError, match="root or the working folder"):
        write_folder("/", {"a": b""})
    monkeypatch.chdir(tmp_path)
    with pytest.raises(OutputError, match="root or the working folder"):
        write_folder(".", {"a": b""})
    with pytest.raises(OutputError, match="does not exist"):
        write_folder(tmp_path / "missing" / "report", {"a": b""})
    assert (tmp_path / "file").read_text() == "keep"


def test_folder_error_midway_keeps_the_previous_output(tmp_path: Path) -> None:
    target = tmp_path / "pq"
    write_folder(target, {"a.parquet": b"1", "b.parquet": b"1"})
    with pytest.raises(OutputError, match="pq: cannot write: No space left on device"):
        write_folder(target, {"a.parquet": b"2", "b.parquet": FullDisk("2")})
    assert (target / "a.parquet").read_bytes() == b"1" and (target / "b.parquet").read_bytes() == b"1"
    with pytest.raises(OutputError):
        write_folder(tmp_path / "new", {"a.parquet": b"2", "b.parquet": FullDisk("2")})
    assert not (tmp_path / "new").exists()
    assert leftovers(tmp_path) == []


def test_folder_interrupted_keeps_the_previous_output(tmp_path: Path) -> None:
    target = tmp_path / "report"
    write_folder(target, {"a.png": b"1", "report.html": "1"})
    with pytest.raises(KeyboardInterrupt):
        write_folder(target, {"a.png": b"2", "report.html": Interrupted("2")})
    assert contents_of(target) == {MANIFEST: b"a.png\nreport.html\n", "a.png": b"1", "report.html": b"1"}
    assert leftovers(tmp_path) == []


def test_folder_swap_failing_puts_the_previous_output_back(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "report"
    write_folder(target, {"report.html": "1"})
    rename = os.rename

    def second_rename_fails(source: str, destination: str) -> None:
        if ".tmp" in str(source):
            raise OSError(errno.EXDEV, os.strerror(errno.EXDEV))
        rename(source, destination)

    monkeypatch.setattr(writer.os, "rename", second_rename_fails)
    with pytest.raises(OutputError, match="cannot write"):
        write_folder(target, {"report.html": "2"})
    assert (target / "report.html").read_text() == "1" and leftovers(tmp_path) == []


def test_folder_with_a_fifo_as_manifest_is_refused_without_blocking(tmp_path: Path) -> None:
    target = tmp_path / "out"
    target.mkdir()
    os.mkfifo(target / MANIFEST)
    with pytest.raises(OutputError, match=r"holds \.crudeflow-files, which crudeflow did not write"):
        write_folder(target, {"a.png": b"1"})
    assert stat.S_ISFIFO((target / MANIFEST).lstat().st_mode)


def test_folder_file_names_are_plain() -> None:
    with pytest.raises(ValueError, match="plain names"):
        write_folder("unused", {"../escape": b""})


def test_precheck_folder_knows_only_the_suffixes(tmp_path: Path) -> None:
    folder = tmp_path / "report"
    write_folder(folder, {"old.png": b"1"})
    (folder / "user.png").write_bytes(b"")
    precheck_folder(folder, (".html", ".png"))  # a PNG could be one of the report's: the write decides
    (folder / "user.txt").write_text("")
    with pytest.raises(OutputError, match=r"holds user\.txt, which crudeflow did not write"):
        precheck_folder(folder, (".html", ".png"))
    with pytest.raises(OutputError, match=r"holds user\.png, user\.txt"):
        write_folder(folder, {"new.png": b"2"})


def test_precheck_tries_to_create_a_file_where_the_output_goes(tmp_path: Path) -> None:
    precheck_file(tmp_path / "a.json")
    precheck_folder(tmp_path / "pq", (".parquet",))
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(OutputError, match="cannot create a file in /proc"):
        precheck_file(Path("/proc/crudeflow-test.json"))
    with pytest.raises(OutputError, match="cannot create a file in /proc"):
        precheck_folder(Path("/proc/crudeflow-test"), (".parquet",))
