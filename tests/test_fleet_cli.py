"""`crudeflow fleet` end to end: outputs, charts, exit codes, the coupling API, and the numbers quoted in
docs/fleet.md (recomputed, so the docs cannot drift from the code)."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import pytest

from crudeflow.cli import main
from crudeflow.fleet import fleet_by_name, load_fleet_inputs, sea_leg_capacity_mtpa, simulate_fleet
from crudeflow.fleet.claim import claim_markdown, new_tanker_check

DOCS = Path(__file__).resolve().parent.parent / "docs" / "fleet.md"
NETWORK_SEA_LINKS = {"aktau_baku", "kuryk_baku", "aktau_makhachkala"}


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["fleet", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_text_report(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--replications", "3")
    assert code == 0
    for heading in ("Throughput", "Bottleneck:", "Sea-leg capacity", "Ports", "Tankers", "Closed-form limits"):
        assert heading in out


def test_json_and_csv(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, _ = run(capsys, "--tankers", "6", "--port", "kuryk.oil_berths=2", "--replications", "3", "--json")
    assert code == 0
    report = json.loads(out)
    assert report["fleet_size"] == 11 and len(report["tankers"]) == 11 and report["replications"] == 3
    assert set(report["capacity"]) <= NETWORK_SEA_LINKS
    total = next(row for row in report["throughput"] if row["leg"] == "total")
    assert total["ci_low_mtpa"] <= total["mean_mtpa"] <= total["ci_high_mtpa"]
    assert report["bottleneck_resource"] in {"tankers", "berths", "oil supply", "storage", "send-out", "weather"}
    out_file = tmp_path / "ports.csv"
    code, out, _ = run(capsys, "--replications", "2", "--csv", "--table", "ports", "--out", str(out_file))
    assert code == 0 and out == ""
    assert out_file.read_text().startswith("port,role,oil_berths,")


def test_charts(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = run(capsys, "--replications", "2", "--charts", str(tmp_path), "--chart-max-added", "2",
                       "--table", "throughput")
    assert code == 0 and "wrote" in err
    for name in ("fleet_throughput_vs_size.png", "fleet_gantt_month.png"):
        data = (tmp_path / name).read_bytes()
        assert data.startswith(b"\x89PNG") and len(data) > 10_000
    assert not list(tmp_path.glob(".*tmp"))  # written atomically, nothing left over


def test_html_report(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, _, err = run(capsys, "--replications", "2", "--report", str(tmp_path), "--chart-max-added", "2",
                       "--table", "throughput")
    assert code == 0 and "report.html" in err
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "Bottleneck:" in page and "Throughput against fleet size" in page and "data:image/png;base64," in page
    assert (tmp_path / "fleet_gantt_month.png").read_bytes().startswith(b"\x89PNG")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--port", "nowhere.oil_berths=2"], "no such port"),
        (["--port", "kuryk.oil_berths=-1"], "greater than or equal to 0"),
        (["--tanker", "newbuild.laden_speed_knots=0"], "greater than 0"),
        (["--fleet", "nope"], "no fleet named 'nope'"),
        (["--tankers", "2", "--tanker-class", "nope"], "unknown tanker class"),
        (["--port", "sangachal.oil_berths=0"], "no oil berth"),
        (["--port", "aktau.tank_kt=5"], "tank smaller than"),
        (["--dataset", "/no/such/folder"], "no such dataset"),
        (["--check-claim", "--tankers", "1"], "--check-claim"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(capsys: pytest.CaptureFixture[str], args: list[str], message: str) -> None:
    code, out, err = run(capsys, *args, "--replications", "1")
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and message in err and "Traceback" not in err


@pytest.mark.parametrize("args", [["--tankers", "-1"], ["--replications", "0"], ["--gantt-month", "13"],
                                  ["--years", "x"]])
def test_bad_numbers_are_usage_errors(capsys: pytest.CaptureFixture[str], args: list[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["fleet", *args])
    assert caught.value.code == 2
    assert capsys.readouterr().err.count("\n") == 1


def test_coupling_api() -> None:
    inputs = load_fleet_inputs()
    six = fleet_by_name("caspian-tankers-6")
    capacity = sea_leg_capacity_mtpa(simulate_fleet(inputs, six, replications=2, timeline=False))
    assert set(capacity) <= NETWORK_SEA_LINKS and "aktau_baku" in capacity
    present = sea_leg_capacity_mtpa(simulate_fleet(inputs, inputs.fleet("present"), replications=2))
    assert sum(capacity.values()) > sum(present.values())


# ---- docs/fleet.md: every quoted number is recomputed here --------------------------------------------
def docs_block(name: str) -> str:
    text = DOCS.read_text(encoding="utf-8")
    match = re.search(rf"<!-- {name}:start -->\n(.*?)<!-- {name}:end -->", text, re.S)
    assert match, f"docs/fleet.md has no {name} block"
    return match.group(1)


def test_docs_claim_table_is_current() -> None:
    table = new_tanker_check(load_fleet_inputs(), replications=20, years=1, seed=0)
    assert docs_block("fleet-claim") == claim_markdown(table)


def scenario_row(capsys: pytest.CaptureFixture[str], command: str) -> str:
    """One row of the docs' scenario table, as the command gives it now."""
    args = shlex.split(command)[2:]  # drop 'crudeflow fleet'
    code, out, _ = run(capsys, *args, "--json")
    assert code == 0
    report = json.loads(out)
    total = next(row for row in report["throughput"] if row["leg"] == "total")
    interval = "" if total["ci_low_mtpa"] is None else f"{total['ci_low_mtpa']:.2f} to {total['ci_high_mtpa']:.2f}"
    where = f" at {report['bottleneck_port']}" if report["bottleneck_port"] else ""
    return f"| `{command}` | {total['mean_mtpa']:.2f} | {interval} | {report['bottleneck_resource']}{where} |"


def test_docs_scenario_table_is_current(capsys: pytest.CaptureFixture[str]) -> None:
    rows = [line for line in docs_block("fleet-scenarios").splitlines() if line.startswith("| `")]
    assert len(rows) >= 5
    for line in rows:
        command = line.split("`")[1]
        assert scenario_row(capsys, command) == line


def test_docs_prose_numbers() -> None:
    """Figures the docs quote in prose, derived from the tables."""
    from crudeflow.fleet import closed_form as cf
    from crudeflow.fleet.inputs import Vessel

    inputs, text = load_fleet_inputs(), DOCS.read_text(encoding="utf-8")
    taraz = Vessel("Taraz", "kmtf-8000", "sangachal", ("aktau",))
    assert f"carries about\n  {cf.tanker_alone_mtpa(inputs, taraz):.2f} Mt/yr" in text
    passage_h = cf.cycle(inputs, "newbuild", "aktau_baku").laden_h
    assert round(passage_h, -1) == 20 and "about 20 hours" in text
