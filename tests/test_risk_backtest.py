"""`crudeflow risk backtest`: the observed record (risk/record.csv) against the default calibration, end to end.

Acceptance of issue 12: each observed year 2022-2025 between the model's P5 and P95 for that year's network,
and the record's 4-year mean inside the model's 90% band of 4-year means. The fast test runs few samples (the
same seeds every time, so it passes or fails the same way); the slow one runs 200 a year.
"""

from __future__ import annotations

import dataclasses
import json
import shutil
from pathlib import Path

import numpy as np
import pytest

import crudeflow
from crudeflow.cli import main
from crudeflow.errors import InputError
from crudeflow.network.network import DATA_ROOT
from crudeflow.risk.backtest import backtest, network_year, percentile_of, placed, year_seed
from crudeflow.risk.record import load_record

FAST_SAMPLES = 12


@pytest.fixture(scope="module")
def dataset() -> crudeflow.Dataset:
    return crudeflow.load("kazakhstan")


@pytest.fixture(scope="module")
def fast(dataset: crudeflow.Dataset):
    return dataset.risk_backtest(samples=FAST_SAMPLES, seed=0)


def test_record_sums_what_loaded(dataset: crudeflow.Dataset) -> None:
    """Each year's loss is the sum of days x rate / 365 of its episodes (facts D), e.g. 2023's storm:
    4 days at 56% of the big three's 54.98 Mt/yr."""
    record = load_record(dataset.network)
    lost = record.lost_export_mt()
    assert record.years == [2022, 2023, 2024, 2025]
    assert lost[2023] == pytest.approx(4 * 0.56 * 54.98 / 365, abs=1e-3)
    assert lost[2024] == 0.0
    assert lost[2022] == pytest.approx(273 * 2.704 / 365 + 37 * 12.29 / 365)
    assert lost.mean() < 2.0  # the issue: "a mean well under 2 Mt/yr"
    assert all("Mt" in line and "=" in line for line in record.lines())


def test_backtest_places_each_year_and_the_mean(fast) -> None:
    """On few samples: no observed year above the model's P95 (a calibration hotter than the record fails the
    band of means; one colder fails here), every year with a loss above the model's P5, and the 4-year mean in
    the band. 2024's zero sits on the model's mass at zero (about 6-9% of years lose nothing): resolving that
    needs ~100 samples, so the full acceptance is the slow test below."""
    years = fast.years
    assert list(years.index) == [2022, 2023, 2024, 2025]
    assert years.loc[2022, "network_year"] == network_year(crudeflow.load("kazakhstan").network, 2022)
    for year, row in years.iterrows():
        assert row["model_p5_mt"] <= row["model_p50_mt"] <= row["model_p95_mt"], year
        assert row["observed_lost_export_mt"] <= row["model_p95_mt"], (year, row.to_dict())
        if row["observed_lost_export_mt"] > 0:
            assert row["within_p5_p95"], (year, row.to_dict())
    assert fast.mean["within_band"], fast.mean


def test_backtest_outputs(fast) -> None:
    text = fast.text()
    assert "2022 runs on the 2023 network" in text or "2022" not in fast.notes[0]
    assert "acceptance: " in text and "by year: 2022 3.268 Mt" in text
    payload = json.loads(fast.to_json())
    assert payload["passed"] is fast.passed and len(payload["years"]) == 4
    assert payload["mean"]["observed_mean_lost_export_mt"] == pytest.approx(fast.record.lost_export_mt().mean())
    csv_table = fast.table()
    assert csv_table.index[-1] == "mean 2022-2025" and "observed_lost_export_mt" in csv_table.columns


def test_backtest_fails_a_record_outside_the_model(dataset: crudeflow.Dataset) -> None:
    """A year of 60 Mt lost (most of the exports) lies above any sample-year: the backtest says so."""
    record = load_record(dataset.network)
    episodes = record.episodes[record.episodes["year"] == 2024].assign(days=365.0, lost_mtpa=60.0,
                                                                       lost_export_mt=60.0)
    result = backtest(dataset.network, dataset.source, dataclasses.replace(record, episodes=episodes), 4, 0)
    assert not result.passed and not result.years.loc[2024, "within_p5_p95"]
    assert result.years.loc[2024, "observed_percentile"] == 100.0
    assert "NOT all inside: 2024, the mean" in result.text()


def test_placement_rules() -> None:
    values = np.array([0.0, 0.0, 0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0])
    assert placed(values, 0.0)["within"] and placed(values, 0.004)["within"]  # within the record's 0.005 Mt
    assert not placed(values, 7.5)["within"]
    assert percentile_of(values, 0.0) == 15.0  # three ties count half
    assert year_seed(0, 2022) != year_seed(0, 2023) and year_seed(0, 2022) == year_seed(0, 2022)


def test_cli_backtest_json_and_exit_code(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["risk", "backtest", "--samples", "2", "--json"])
    payload = json.loads(capsys.readouterr().out)
    assert code == (0 if payload["passed"] else 1)
    assert payload["study"]["samples_per_year"] == 2 and [y["year"] for y in payload["years"]] == [2022, 2023,
                                                                                                 2024, 2025]


def test_bad_record_names_file_line_field(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "kz"
    shutil.copytree(DATA_ROOT / "kazakhstan", folder)
    path = folder / "risk" / "record.csv"
    path.write_text(path.read_text(encoding="utf-8").replace(",30.79,", ",-30.79,"), encoding="utf-8")
    with pytest.raises(InputError, match=r"record.csv line 5 \(row '2023-storm-nov'\).*'lost_mtpa'.*'-30.79'"):
        load_record(crudeflow.load(folder).network)
    assert main(["risk", "backtest", "--dataset", str(folder), "--samples", "2"]) == 2
    err = capsys.readouterr().err
    assert "record.csv line 5" in err and "Traceback" not in err


@pytest.mark.slow
def test_backtest_acceptance_on_200_samples(dataset: crudeflow.Dataset) -> None:
    """The issue's acceptance at the command's default sample count."""
    result = dataset.risk_backtest(samples=200, seed=0)
    assert result.passed, result.text()
