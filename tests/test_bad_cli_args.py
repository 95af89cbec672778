"""Bad command lines are refused at once: exit 2, one line on standard error naming the flag and the value,
nothing on standard output. Numbers are checked when the arguments are parsed, so a runaway size (`--tankers 1e9`,
`--samples 1e26`) is refused before anything is allocated; flags a command would ignore are refused too."""

from __future__ import annotations

import pytest

from cli_harness import RUNAWAY_CPU_S, assert_refused, run_capped, run_cpu_timed
from crudeflow.cli import main

BAD = [
    # dispatch: numbers
    (["dispatch", "--shut-in-penalty", "nan"], ["--shut-in-penalty", "'nan'", "finite"]),
    (["dispatch", "--shut-in-penalty", "inf"], ["--shut-in-penalty", "'inf'"]),
    (["dispatch", "--shut-in-penalty", "-1"], ["--shut-in-penalty", "'-1'", ">= 0"]),
    (["dispatch", "--shut-in-penalty", "lots"], ["--shut-in-penalty", "'lots'"]),
    (["dispatch", "--max-share-via", "RU", "1.5"], ["--max-share-via", "'1.5'", "[0, 1]"]),
    (["dispatch", "--max-share-via", "RU", "-0.1"], ["--max-share-via", "'-0.1'"]),
    (["dispatch", "--max-share-via", "RU", "nan"], ["--max-share-via", "'nan'"]),
    (["dispatch", "--max-share-via", "RU", "much"], ["--max-share-via", "'much'"]),
    (["dispatch", "--year", "20x4"], ["--year", "'20x4'"]),
    (["dispatch", "--year", "1e9"], ["--year", "'1e9'"]),
    (["dispatch", "--year", "2024.5"], ["--year", "'2024.5'"]),
    (["dispatch", "--year", "1999"], ["1999"]),  # a plausible year the dataset does not have
    # dispatch: choices and combinations
    (["dispatch", "--show", "everything"], ["--show", "'everything'"]),
    (["dispatch", "--units", "barrels"], ["--units", "'barrels'"]),
    (["dispatch", "--csv", "--show", "routes", "--show", "links"], ["--csv", "--out DIR"]),
    (["dispatch", "--json", "--csv"], ["--csv", "--json"]),
    # network and data
    (["network", "--table", "pipes"], ["--table", "'pipes'"]),
    (["network", "--schema", "--table", "nodes"], ["--table nodes", "--schema"]),
    (["data", "sources", "--table", "links"], ["--table"]),
    (["data", "check", "--assumptions"], ["--assumptions"]),
    (["data", "check", "--csv"], ["--csv", "--table", "--out DIR"]),
    (["data", "check", "--table", "quotes"], ["--table quotes", "--csv"]),
    # simulate and report
    (["simulate", "no-such-scenario"], ["no-such-scenario"]),
    (["simulate", "black-sea-storm-5d", "--with", "no-such-asset"], ["no-such-asset"]),
    (["report", "black-sea-storm-5d", "--csv"], ["--csv"]),
    (["report", "no-such-scenario", "--json"], ["no-such-scenario"]),
    # risk run
    (["risk", "--samples", "1e26"], ["--samples", "'1e26'", "10,000,000"]),
    (["risk", "--samples", "0"], ["--samples", "'0'"]),
    (["risk", "--samples", "-5"], ["--samples", "'-5'"]),
    (["risk", "--samples", "nan"], ["--samples", "'nan'"]),
    (["risk", "--samples", "2.5"], ["--samples", "'2.5'"]),
    (["risk", "run", "--seed", "-1"], ["--seed", "'-1'"]),
    (["risk", "run", "--seed", "1e30"], ["--seed", "'1e30'"]),
    (["risk", "--workers", "-3"], ["--workers", "'-3'", "256"]),
    (["risk", "--workers", "1000"], ["--workers", "'1000'"]),
    (["risk", "--rel-error", "0"], ["--rel-error", "'0'", "(0, 1)"]),
    (["risk", "--rel-error", "1.5"], ["--rel-error", "'1.5'"]),
    (["risk", "--rel-error", "nan"], ["--rel-error", "'nan'"]),
    (["risk", "--year=-inf"], ["--year", "'-inf'"]),
    (["risk", "--option", "base", "--compare", "base,btc-7mt"], ["--compare", "--option"]),
    (["risk", "--option", "no-such-option", "--samples", "2"], ["no-such-option"]),
    (["risk", "--scheduler", "tcp://127.0.0.1:1", "--workers", "2"], ["--workers 2", "--scheduler"]),
    (["risk", "--audit", "3"], ["--audit"]),  # an audit flag given to a run
    # risk audit and params
    (["risk", "audit", "--audit", "50", "--samples", "5"], ["--audit 50", "--samples 5"]),
    (["risk", "audit", "--audit", "0"], ["--audit", "'0'"]),
    (["risk", "audit", "--report", "out"], ["--report"]),
    (["risk", "params", "--scheduler", "tcp://127.0.0.1:1"], ["--scheduler"]),
    (["risk", "params", "--report", "out"], ["--report"]),
    (["risk", "params", "--samples", "10"], ["--samples"]),
    (["risk", "params", "--outages", "no-such-calibration"], ["no-such-calibration"]),
    # fleet: numbers
    (["fleet", "--tankers", "1e9"], ["--tankers", "'1e9'", "100"]),
    (["fleet", "--tankers", "-1"], ["--tankers", "'-1'"]),
    (["fleet", "--tankers", "two"], ["--tankers", "'two'"]),
    (["fleet", "--replications", "0"], ["--replications", "'0'"]),
    (["fleet", "--replications", "inf"], ["--replications", "'inf'"]),
    (["fleet", "--years", "1e6"], ["--years", "'1e6'"]),
    (["fleet", "--seed", "-1"], ["--seed", "'-1'"]),
    (["fleet", "--chart-max-added", "1e9", "--charts", "out"], ["--chart-max-added", "'1e9'"]),
    (["fleet", "--gantt-month", "13", "--charts", "out"], ["--gantt-month", "'13'"]),
    # fleet: flags that do not apply, and unknown names
    (["fleet", "--check-claim", "--charts", "out"], ["--charts out", "--check-claim"]),
    (["fleet", "--check-claim", "--report", "out"], ["--report out", "--check-claim"]),
    (["fleet", "--check-claim", "--no-weather"], ["--no-weather", "--check-claim"]),
    (["fleet", "--check-claim", "--table", "ports"], ["--table ports", "--check-claim"]),
    (["fleet", "--check-claim", "--tankers", "1"], ["--tankers 1", "--check-claim"]),
    (["fleet", "--gantt-month", "3"], ["--gantt-month 3", "--charts"]),
    (["fleet", "--chart-max-added", "4"], ["--chart-max-added 4", "--charts"]),
    (["fleet", "--destination", "sangachal"], ["--destination sangachal", "--tankers"]),
    (["fleet", "--csv"], ["--csv", "--table", "--out DIR"]),
    (["fleet", "--fleet", "armada"], ["armada"]),
    (["fleet", "--table", "everything"], ["--table", "'everything'"]),
    # the command itself
    (["dispatch", "--no-such-flag"], ["--no-such-flag"]),
    (["optimise"], ["'optimise'"]),
]
RUNAWAY = [["fleet", "--tankers", "1e9"], ["risk", "--samples", "1e26"], ["fleet", "--replications", "1e12"],
           ["fleet", "--years", "1e9"], ["risk", "audit", "--audit", "1e9"]]


@pytest.mark.parametrize("args, mentions", BAD, ids=[" ".join(args) for args, _ in BAD])
def test_refused_with_one_line(args: list[str], mentions: list[str]) -> None:
    assert_refused(run_capped(args), *mentions)


@pytest.mark.parametrize("args", RUNAWAY, ids=" ".join)
def test_runaway_sizes_are_refused_at_once(args: list[str]) -> None:
    done, cpu_s = run_cpu_timed(args)
    assert_refused(done, args[-2], args[-1])
    assert cpu_s < RUNAWAY_CPU_S, f"refused after {cpu_s:.1f} s of CPU"  # mostly the interpreter starting up


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main(["--version"])
    assert done.value.code == 0
    assert capsys.readouterr().out.startswith("crudeflow ")


def test_top_level_help_says_what_the_tool_is_for(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--help"])
    text = capsys.readouterr().out
    assert "landlocked crude exporter" in text.split("\n\n")[1]  # the first paragraph after the usage line
    for question in ("Where should each field's oil go", "When a route or terminal fails", "How much export is at risk",
                     "tanker fleet"):
        assert question in text
    for command in ("network", "data", "dispatch", "simulate", "fleet", "risk", "report", "serve"):
        assert f"\n    {command} " in text


def test_risk_without_an_action_runs_a_study(capsys: pytest.CaptureFixture[str]) -> None:
    """`crudeflow risk [OPTIONS]`, as in the README, is `crudeflow risk run [OPTIONS]`."""
    assert main(["risk", "--samples", "2", "--no-contributions", "--no-progress", "--json", "--tier", "exact"]) == 0
    assert '"study"' in capsys.readouterr().out
