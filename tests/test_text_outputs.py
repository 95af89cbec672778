"""Every text output fits a 120-column terminal and never prints a negative zero."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from crudeflow.cli import main
from crudeflow.cli.dispatch import SHOW
from crudeflow.cli.network import NETWORK_TABLES
from crudeflow.output import number, render, short_header

WIDTH = 120
NEGATIVE_ZERO = re.compile(r"(?<![\w.])-0(\.0+)?(?![\d.])")  # -0, -0.0, -0.000, not -0.5 or x-0

COMMANDS = [
    *(["dispatch", "--show", show] for show in SHOW),
    ["dispatch", "--max-share-via", "RU", "0.7", "--show", "routes", "--show", "binding"],
    ["dispatch", "--free", "--units", "kbpd"],
    *(["network", "--table", table] for table in NETWORK_TABLES),
    ["network", "--schema"],
    ["data", "sources"],
    ["data", "check"],
    ["simulate", "cpc-court-halt-30d", "--with", "caspian-tankers-6"],
    ["risk", "--compare", "base,caspian-tankers-6", "--samples", "4", "--no-progress", "--tier", "exact"],
    ["risk", "--samples", "4", "--no-progress", "--tier", "exact"],
    ["risk", "params"],
    ["risk", "audit", "--samples", "4", "--audit", "1", "--no-progress"],
    ["fleet", "--replications", "2"],
    ["fleet", "--replications", "2", "--table", "ports"],
    ["fleet", "--check-claim", "--replications", "2"],
]


def text_of(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    capsys.readouterr()
    main(argv)
    return capsys.readouterr().out


@pytest.mark.parametrize("argv", COMMANDS, ids=" ".join)
def test_text_output_fits_and_has_no_negative_zero(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    text = text_of(argv, capsys)
    assert text.strip()
    too_wide = [line for line in text.splitlines() if len(line) > WIDTH]
    assert not too_wide, f"{len(too_wide)} lines over {WIDTH} columns, e.g. {too_wide[0]!r}"
    assert not NEGATIVE_ZERO.search(text), NEGATIVE_ZERO.search(text)
    assert not re.search(r"(?<![\w-])mt(?![\w-])", text), "units as users write them: Mt, not mt (ids aside)"


def test_wide_shows_the_columns_a_narrow_table_leaves_out(capsys: pytest.CaptureFixture[str]) -> None:
    narrow = text_of(["dispatch", "--max-share-via", "RU", "0.7"], capsys)
    assert "(--wide shows 1 more: binding)" in narrow
    wide = text_of(["dispatch", "--max-share-via", "RU", "0.7", "--wide"], capsys)
    assert "contract 'socar-btc-cap' on link btc" in wide.split("routes:")[1] and "--wide shows" not in wide


def test_no_negative_zero_in_any_format() -> None:
    frame = pd.DataFrame({"removed_mt": [-0.0, -1e-12, 1.5]}, index=pd.Index(["a", "b", "c"], name="option"))
    assert not NEGATIVE_ZERO.search(render(frame, "text", "{:,.3f}"))
    assert "-0" not in render(frame, "csv") and "-0" not in render(frame, "json")
    assert number(-1e-9, ".3f") == "0.000" and number(-0.5, ".1f") == "-0.5"


def test_headers_are_written_in_users_units() -> None:
    assert short_header("shadow_price_musd_per_yr_per_mtpa") == "shadow price USD/t"  # MUSD/yr per Mt/yr = USD/t
    assert short_header("shut_in_removed_se_mt") == "shut in removed SE Mt"
    assert short_header("flow_kt_per_day") == "flow kt/d"
