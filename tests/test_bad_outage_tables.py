"""Broken outage tables (risk/outages.csv, risk/durations.csv), each refused by the real `crudeflow risk params
--outages FILE` as one line naming the file, the line, the row, the field and the value: exit 2, nothing on
stdout, no traceback; a rate or a duration that once asked for gigabytes is refused in well under 5 s."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bad_inputs import BUILTIN, repeat_row, replace_bytes, set_cell
from cli_harness import RUNAWAY_CPU_S, assert_refused, run_capped, run_cpu_timed

TWO_STATE, EMPIRICAL, LOGNORMAL = 0, 3, 4  # data rows of the built-in outages.csv
FINITE = "finite number"
CELLS = {  # case -> (table, row, column, value, what the refusal must name besides those)
    "events_per_year 1e9": ("outages.csv", LOGNORMAL, "events_per_year", "1e9", "less than or equal to 365"),
    "events_per_year inf": ("outages.csv", LOGNORMAL, "events_per_year", "inf", FINITE),
    "events_per_year nan": ("outages.csv", EMPIRICAL, "events_per_year", "nan", FINITE),
    "events_per_year negative": ("outages.csv", EMPIRICAL, "events_per_year", "-1", "greater than or equal to 0"),
    "mtbf nan": ("outages.csv", TWO_STATE, "mtbf_days", "nan", FINITE),
    "mtbf 1e-9": ("outages.csv", TWO_STATE, "mtbf_days", "1e-9", "greater than or equal to 1"),
    "mttr 999999999": ("outages.csv", TWO_STATE, "mttr_days", "999999999", "less than or equal to 366"),
    "probability 1.5": ("outages.csv", LOGNORMAL, "probability", "1.5", "less than or equal to 1"),
    "median 999999999 days": ("outages.csv", LOGNORMAL, "duration_median_days", "999999999", "less than or equal"),
    "p90 inf": ("outages.csv", LOGNORMAL, "duration_p90_days", "inf", FINITE),
    "remaining_min nan": ("outages.csv", LOGNORMAL, "remaining_min", "nan", FINITE),
    "remaining_max 2": ("outages.csv", EMPIRICAL, "remaining_max", "2", "less than or equal to 1"),
    "season weight 1e400": ("outages.csv", LOGNORMAL, "season", "Nov-Mar:1e400; Apr-Oct:1", "season does not parse"),
    "unknown asset": ("outages.csv", LOGNORMAL, "assets", "cpc_terminl", "did you mean 'cpc_terminal'"),
    "duration_days inf": ("durations.csv", 0, "duration_days", "inf", FINITE),
    "duration_days 1e9": ("durations.csv", 0, "duration_days", "1e9", "less than or equal to 366"),
    "weight nan": ("durations.csv", 0, "weight", "nan", FINITE),
}
RUNAWAYS = {"mtbf 1e-9", "events_per_year 1e9", "events_per_year inf", "median 999999999 days", "duration_days 1e9"}


def outage_tables(tmp_path: Path) -> Path:
    folder = tmp_path / "risk"
    shutil.copytree(BUILTIN / "risk", folder)
    return folder / "outages.csv"


@pytest.mark.parametrize("case", sorted(CELLS))
def test_a_bad_number_in_an_outage_table_is_refused_in_one_line(case: str, tmp_path: Path) -> None:
    outages = outage_tables(tmp_path)
    table, row, column, value, reason = CELLS[case]
    line = set_cell(outages.parent / table, row, column, value)
    done, cpu_s = run_cpu_timed(["risk", "params", "--outages", str(outages)])
    assert_refused(done, f"{table} line {line}", f"'{column}'", value, reason)
    if case in RUNAWAYS:
        assert cpu_s < RUNAWAY_CPU_S


def test_a_repeated_outage_model_names_both_lines(tmp_path: Path) -> None:
    outages = outage_tables(tmp_path)
    line = repeat_row(outages, LOGNORMAL)
    done = run_capped(["risk", "params", "--outages", str(outages)])
    assert_refused(done, f"outages.csv line {line}", "duplicate id", f"line {LOGNORMAL + 2} has it too")


@pytest.mark.parametrize(("old", "new", "reason"), [
    (b"Single-mooring", "Single-mooring —".encode("cp1252"), "not UTF-8 text (byte 0x97)"),
    (b"SPM-1, one", b"SPM-1\x00 one", "NUL byte"),
])
def test_an_outage_table_that_is_not_utf8_text_is_refused(old: bytes, new: bytes, reason: str, tmp_path: Path) -> None:
    outages = outage_tables(tmp_path)
    line = replace_bytes(outages, old, new)
    assert_refused(run_capped(["risk", "params", "--outages", str(outages)]), f"outages.csv line {line}", reason)
