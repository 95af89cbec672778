"""`crudeflow risk` end to end: a run with options compared, JSON and Parquet, the audit, bad input."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest

from crudeflow.cli import main
from risk_networks import one_route, write_outages


@pytest.fixture(scope="module")
def route(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return one_route(tmp_path_factory.mktemp("riskcli") / "net")


def test_run_compare_json_and_parquet(route: Path, tmp_path: Path) -> None:
    out, parquet = tmp_path / "risk.json", tmp_path / "pq"
    code = main(["risk", "--dataset", str(route), "--samples", "40", "--seed", "2", "--tier", "exact",
                 "--compare", f"base,{route / 'fast-restart.yaml'}", "--json", "--out", str(out),
                 "--parquet", str(parquet)])
    assert code == 0
    payload = json.loads(out.read_text())
    assert payload["samples"] == 40 and payload["partial"] is False
    metrics = {(m["option"], m["metric"]): m for m in payload["metrics"]}
    slow, fast = metrics[("base", "expected annual shut-in")], metrics[(str(route / "fast-restart.yaml"),
                                                                         "expected annual shut-in")]
    # restarting within a day instead of ramping at 10% a day can only shut in less
    assert fast["value"] < slow["value"]
    assert payload["compare"][0]["shut_in_removed_mt"] > 0
    assert payload["contributions"][0]["asset"] == "FA"
    samples = pd.read_parquet(parquet / "samples.parquet")
    assert len(samples) == 40 and "base:shut_in_mt" in samples.columns


def test_text_output_and_audit(route: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["risk", "--dataset", str(route), "--samples", "20", "--no-contributions", "--tier", "exact"]) == 0
    text = capsys.readouterr().out
    assert "expected annual shut-in" in text and "Mt" in text and "convergence:" in text
    assert main(["risk", "audit", "--dataset", str(route), "--samples", "20", "--audit", "2"]) == 0
    assert "audit: 2 of 2 samples within" in capsys.readouterr().out


def test_params(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["risk", "params"]) == 0
    assert "black-sea-storm" in capsys.readouterr().out


def strike_rate(capsys: pytest.CaptureFixture[str], *argv: str) -> float:
    assert main(["risk", "params", "--json", *argv]) == 0
    rows = {row["model"]: row for row in json.loads(capsys.readouterr().out)}
    return float(rows["novorossiysk-strike"]["events_per_yr"])


def test_outages_names_a_calibration_or_a_table(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The dataset's own table pools the 2025 strikes over the 4.088-year record (rates.csv), as the bundled
    whole-record calibration does with a literal rate; neither rates them over the 0.956-year window."""
    assert strike_rate(capsys) == pytest.approx(2 / 4.088, abs=0.001)
    assert strike_rate(capsys, "--outages", "whole-record") == pytest.approx(2 / 4.088, abs=0.01)
    import crudeflow

    table = crudeflow.load("kazakhstan").folder / "risk" / "whole-record"
    assert strike_rate(capsys, "--outages", str(table)) == strike_rate(capsys, "--outages", str(table / "outages.csv"))


def test_run_with_another_calibration(route: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A table of one's own: no outage at all, so nothing is lost; the header says which table was used."""
    table = tmp_path / "calm" / "outages.csv"
    table.parent.mkdir()
    write_outages(table, [{"id": "fa-down", "kind": "two_state", "assets": "FA", "description": "never",
                           "mtbf_days": 1e9, "mttr_days": 1e-6, "remaining_min": 0}])
    assert main(["risk", "--dataset", str(route), "--samples", "10", "--outages", str(table), "--no-progress",
                 "--tier", "exact"]) == 0
    text = capsys.readouterr().out
    assert f"outages {table}" in text
    assert re.search(r"expected annual shut-in\s+0\.000", text), text


@pytest.mark.parametrize("argv, message", [
    (["--compare", "base,no-such-option", "--samples", "2"], "unknown option 'no-such-option'"),
    (["--dataset", "kazakhstan", "--compare", "base,cpc-court-halt-30d", "--samples", "2"], "may only add assets"),
    (["--option", "base", "--compare", "base,btc-7mt"], "--compare or --option, not both"),
    (["--outages", "no-such-calibration", "--samples", "2"], "--outages 'no-such-calibration': no such outage table"),
])
def test_bad_input_exit_2(argv: list[str], message: str, route: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["risk", "--dataset", str(route), *argv]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_report_has_histogram_and_exceedance(route: Path, tmp_path: Path) -> None:
    folder = tmp_path / "report"
    assert main(["risk", "--dataset", str(route), "--samples", "20", "--no-contributions", "--no-progress",
                 "--tier", "exact", "--report", str(folder)]) == 0
    page = (folder / "report.html").read_text(encoding="utf-8")
    assert "How often a year loses more than x" in page and "annual lost exports, Mt" in page
    # nothing fetched from the network: no script, style, image or frame tag pointing at a URL
    assert not re.search(r"<(script|link|img|iframe)\b[^>]*\b(src|href)=[\"']?(https?:)?//", page)
    for name in ("risk_histogram", "risk_exceedance"):
        assert (folder / f"{name}.png").read_bytes().startswith(b"\x89PNG")


@pytest.mark.parametrize("row, field", [
    ({"mtbf_days": -20.0}, "mtbf_days"),
    ({"assets": "NOPE"}, "assets"),
])
def test_bad_outage_parameters_exit_2(row: dict, field: str, tmp_path: Path,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    folder = one_route(tmp_path / "net")
    good = {"id": "fa-down", "kind": "two_state", "assets": "FA", "description": "the only route closes",
            "mtbf_days": 20.0, "mttr_days": 5.0, "remaining_min": 0}
    write_outages(folder / "risk" / "outages.csv", [{**good, **row}])
    assert main(["risk", "--dataset", str(folder), "--samples", "2", "--no-progress"]) == 2
    err = capsys.readouterr().err
    assert "outages.csv" in err and f"field '{field}'" in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_an_option_that_removes_nothing_says_which_limit_stops_it(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["risk", "--compare", "base,caspian-tankers-6", "--samples", "4", "--no-contributions",
                 "--no-progress", "--tier", "exact"]) == 0
    text = " ".join(capsys.readouterr().out.split())  # unwrapped
    assert "note: caspian-tankers-6 removes nothing in these 4 sample-years" in text
    assert "held by contract 'socar-btc-cap' on link btc" in text
    assert "-0.000" not in text


def test_negative_contributions_are_explained_as_interactions() -> None:
    from types import SimpleNamespace

    from crudeflow.risk.result import RiskResult

    table = pd.DataFrame({"shut_in_removed_mt": [0.5, -0.2], "lost_export_removed_mt": [0.6, 0.6]},
                         index=pd.Index(["cpc_terminal", "kashagan"], name="asset"))
    notes = RiskResult.contribution_notes(SimpleNamespace(contributions=table))  # type: ignore[arg-type]
    assert len(notes) == 1 and notes[0].startswith("negative contributions (kashagan) are interaction effects")
    assert RiskResult.contribution_notes(SimpleNamespace(contributions=table.abs())) == []  # type: ignore[arg-type]
