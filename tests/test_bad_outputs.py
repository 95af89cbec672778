"""Bad output paths through the real CLI (issue 10): each is refused with one line and exit code 2, nothing but a
regular file or crudeflow's own folder is ever replaced, and a full disk leaves the previous output or none.

A full disk is simulated with a file-size cap (writes then fail with EFBIG). Device nodes, FIFOs and symlinks
are made in the test's own folder, never the system's.
"""

from __future__ import annotations

import os
import shutil
import stat
from pathlib import Path

import pytest

from cli_harness import assert_refused, run_capped
from crudeflow.writer import MANIFEST

needs_root = pytest.mark.skipif(os.geteuid() != 0, reason="making a device node needs root")

TINY_RISK = ["risk", "--samples", "4", "--no-contributions", "--no-progress", "--tier", "exact"]
TINY_FLEET = ["fleet", "--replications", "2", "--chart-max-added", "1"]
SHORT_SCENARIO = "black-sea-storm-5d"

refused = assert_refused


def null_device(path: Path) -> Path:
    os.mknod(path, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    return path


def contents(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def temporaries(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


@pytest.fixture(scope="module")
def fleet_report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fleet report written without any cap: the 'previous output' of the tests that replace one."""
    folder = tmp_path_factory.mktemp("previous") / "fleet-report"
    done = run_capped([*TINY_FLEET, "--report", str(folder), "--table", "throughput"])
    assert done.returncode == 0, done.stderr
    return folder


# --- refused before any work: the path is not something crudeflow may replace -------------------------------

@pytest.mark.parametrize(("args", "mention"), [
    (["dispatch", "--out", "."], "is a folder"),
    (["network", "--out", "missing/links.txt"], "folder missing does not exist"),
    (["data", "check", "--out", "/proc"], "is a folder"),
    (["data", "sources", "--out", "links.txt/x.txt"], "links.txt is not a folder"),
    (["simulate", SHORT_SCENARIO, "--parquet", "missing/pq"], "folder missing does not exist"),
    (["report", SHORT_SCENARIO, "--out", "missing/report"], "folder missing does not exist"),
    (["report", SHORT_SCENARIO, "--out", "/"], "root or the working folder"),
    (["report", SHORT_SCENARIO, "--out", "."], "root or the working folder"),
])
def test_refused_paths(tmp_path: Path, args: list[str], mention: str) -> None:
    (tmp_path / "links.txt").write_text("a file")
    refused(run_capped(args, cwd=tmp_path), mention)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["links.txt"]


@pytest.mark.parametrize(("args", "option"), [
    (["simulate", SHORT_SCENARIO, "--parquet"], "--parquet"),
    ([*TINY_RISK, "--parquet"], "--parquet"),
    ([*TINY_RISK, "--report"], "--report"),
    (["report", SHORT_SCENARIO, "--out"], "--out"),
    ([*TINY_FLEET, "--report"], "--report"),
    ([*TINY_FLEET, "--charts"], "--charts"),
])
def test_a_file_where_a_folder_is_asked_for(tmp_path: Path, args: list[str], option: str) -> None:
    target = tmp_path / "results.txt"
    target.write_text("the user's notes")
    refused(run_capped([*args, str(target)]), option, str(target), "is a regular file")
    assert target.read_text() == "the user's notes"


@needs_root
@pytest.mark.parametrize("args", [
    ["simulate", SHORT_SCENARIO, "--json", "--out"],
    ["dispatch", "--out"],
    [*TINY_FLEET, "--charts"],
])
def test_own_null_device_is_left_a_device(tmp_path: Path, args: list[str]) -> None:
    device = null_device(tmp_path / "null")
    refused(run_capped([*args, str(device)]), str(device), "character device")
    assert stat.S_ISCHR(device.lstat().st_mode)  # not replaced by a regular file, as it was as root
    assert temporaries(tmp_path) == []


@needs_root
def test_symlink_to_a_device(tmp_path: Path) -> None:
    device = null_device(tmp_path / "null")
    link = tmp_path / "out.json"
    link.symlink_to(device)
    refused(run_capped(["network", "--csv", "--out", str(link)]), "symlink to a character device")
    assert link.is_symlink() and stat.S_ISCHR(device.lstat().st_mode)


def test_fifo_is_refused_without_hanging(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    refused(run_capped(["data", "sources", "--out", str(fifo)], timeout_s=60), "FIFO")
    assert stat.S_ISFIFO(fifo.lstat().st_mode)


def test_socket_is_refused(tmp_path: Path) -> None:
    import socket

    with socket.socket(socket.AF_UNIX) as sock:
        sock.bind(str(tmp_path / "sock"))
        refused(run_capped(["network", "--schema", "--out", str(tmp_path / "sock")]), "socket")


# --- where the system says no, or the folder is not crudeflow's: refused before any work where it can be known,
# --- or when written

@pytest.mark.parametrize("args", [
    ["data", "sources", "--out", "/proc/crudeflow-test.txt"],
    [*TINY_FLEET, "--report", "/proc/crudeflow-test"],
])
def test_under_proc(args: list[str]) -> None:
    refused(run_capped(args), "/proc/crudeflow-test", "cannot create a file in /proc")


def test_a_users_folder_is_never_emptied(tmp_path: Path) -> None:
    folder = tmp_path / "documents"
    folder.mkdir()
    (folder / "thesis.tex").write_text("years of work")
    refused(run_capped([*TINY_RISK, "--report", str(folder)]), "thesis.tex", "did not write")
    assert contents(folder) == {"thesis.tex": b"years of work"} and temporaries(tmp_path) == []


def test_a_previous_output_with_a_file_added_is_kept(tmp_path: Path, fleet_report: Path) -> None:
    folder = shutil.copytree(fleet_report, tmp_path / "report")
    (folder / "notes.md").write_text("added by the user")
    before = contents(folder)
    refused(run_capped([*TINY_FLEET, "--report", str(folder)]), "notes.md", "did not write")
    assert contents(folder) == before


def test_a_users_png_is_found_once_the_chart_names_are_known(tmp_path: Path) -> None:
    folder = tmp_path / "charts"
    folder.mkdir()
    (folder / "holiday.png").write_bytes(b"a photo")  # a PNG could be a chart: only the write can tell
    refused(run_capped([*TINY_FLEET, "--charts", str(folder)]), "holiday.png", "did not write")
    assert contents(folder) == {"holiday.png": b"a photo"} and temporaries(tmp_path) == []


# --- a full disk: the previous output or nothing, never a mix, no temporary files ----------------------------

def test_full_disk_keeps_the_previous_file(tmp_path: Path) -> None:
    target = tmp_path / "links.csv"
    target.write_text("previous")
    refused(run_capped(["network", "--csv", "--out", str(target)], file_size_bytes=2_000),
            str(target), "File too large")
    assert target.read_text() == "previous" and temporaries(tmp_path) == []


def test_full_disk_on_a_new_file_leaves_nothing(tmp_path: Path) -> None:
    done = run_capped(["fleet", "--replications", "2", "--json", "--out", "fleet.json"], cwd=tmp_path,
                      file_size_bytes=1_000)
    refused(done, "fleet.json", "File too large")
    assert list(tmp_path.iterdir()) == []


def test_full_disk_keeps_the_previous_report_whole(tmp_path: Path, fleet_report: Path) -> None:
    folder = shutil.copytree(fleet_report, tmp_path / "report")
    before = contents(folder)
    # room for the PNGs, not the 5 MB page: the old writer left new PNGs beside the old page
    refused(run_capped([*TINY_FLEET, "--report", str(folder)], file_size_bytes=1_000_000), "File too large")
    assert contents(folder) == before and temporaries(tmp_path) == []


def test_full_disk_leaves_no_partial_report(tmp_path: Path) -> None:
    # room for some of the five PNGs, not the map: the old writer left 3 of 5 PNGs and no page
    refused(run_capped(["report", SHORT_SCENARIO, "--out", "report"], cwd=tmp_path, file_size_bytes=100_000),
            "report", "File too large")
    assert list(tmp_path.iterdir()) == []


def test_full_disk_keeps_the_previous_parquet_folder(tmp_path: Path) -> None:
    folder = tmp_path / "pq"
    assert run_capped(["simulate", SHORT_SCENARIO, "--parquet", str(folder), "--out", "run.txt"],
                      cwd=tmp_path).returncode == 0
    before = contents(folder)
    assert sorted(before) == sorted([*before[".crudeflow-files"].decode().split(), ".crudeflow-files"])
    assert len(before) >= 7  # the tables and the manifest
    # room for the small tables, not the per-link flows: the old writer left 2 of 6 files
    refused(run_capped(["simulate", SHORT_SCENARIO, "--parquet", str(folder)], file_size_bytes=12_000),
            "pq", "File too large")
    assert contents(folder) == before and temporaries(tmp_path) == []


def test_full_disk_leaves_no_partial_risk_parquet(tmp_path: Path) -> None:
    refused(run_capped([*TINY_RISK, "--parquet", "pq"], cwd=tmp_path, file_size_bytes=4_100), "File too large")
    assert list(tmp_path.iterdir()) == []


# --- the good paths still work --------------------------------------------------------------------------------

def test_new_file_then_replaced(tmp_path: Path) -> None:
    target = tmp_path / "links.csv"
    assert run_capped(["network", "--csv", "--out", str(target)]).returncode == 0
    first = target.read_text()
    target.write_text("older")
    done = run_capped(["network", "--csv", "--out", str(target)])
    assert done.returncode == 0 and done.stdout == "" and target.read_text() == first
    assert temporaries(tmp_path) == []


def test_symlink_to_a_file_is_written_through(tmp_path: Path) -> None:
    (tmp_path / "real.csv").write_text("older")
    (tmp_path / "link.csv").symlink_to("real.csv")
    assert run_capped(["network", "--csv", "--out", "link.csv"], cwd=tmp_path).returncode == 0
    assert (tmp_path / "link.csv").is_symlink() and (tmp_path / "real.csv").read_text().startswith("id,")


def test_previous_report_replaced(tmp_path: Path, fleet_report: Path) -> None:
    folder = shutil.copytree(fleet_report, tmp_path / "report")
    (folder / "stale.png").write_bytes(b"from an older run")
    with (folder / MANIFEST).open("a") as manifest:
        manifest.write("stale.png\n")  # as an older report listed it
    done = run_capped([*TINY_FLEET, "--report", str(folder), "--table", "throughput"])
    assert done.returncode == 0, done.stderr
    assert "stale.png" not in contents(folder) and "report.html" in contents(folder)
    assert temporaries(tmp_path) == []


def test_charts_into_an_existing_empty_folder(tmp_path: Path) -> None:
    folder = tmp_path / "charts"
    folder.mkdir()
    done = run_capped([*TINY_FLEET, "--charts", str(folder), "--table", "throughput"])
    assert done.returncode == 0, done.stderr
    assert sorted(contents(folder)) == [MANIFEST, "fleet_gantt_month.png", "fleet_throughput_vs_size.png"]
