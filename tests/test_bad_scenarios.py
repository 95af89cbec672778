"""Broken scenario files, each refused by the real `crudeflow simulate` as one line naming the file, the
line, the key and the value: exit 2, nothing on stdout, no traceback; the inputs that once ran away (a YAML
bomb, a huge duration, a 10,000-year period, a NaN price) are refused in well under 5 s."""

from __future__ import annotations

from pathlib import Path

import pytest

from cli_harness import RUNAWAY_CPU_S, assert_refused, run_capped, run_cpu_timed

BASE = """\
name: test
base_year: 2024
period:
  start: 2022-07-01
  end: 2022-09-30
outages:
  - asset: cpc_terminal
    start: 2022-07-06
    duration_days: 30
    remaining: 0
    source: "seed004; assumption: the 30-day suspension applied in full"
"""
PRICE = """price_changes:
  - start: 2022-07-06
    diff_change_usd_per_bbl: -5
    source: "seed004"
"""
PRODUCTION = """production_changes:
  - field: tengiz
    start: 2022-07-06
    output: 0.5
    source: "seed004"
"""
BOMB = "".join(f'{a}: &{a} [{", ".join([f"*{b}" if b else "lol"] * 9)}]\n'
               for a, b in zip("abcdefghi", ["", *"abcdefgh"], strict=True))


def edited(old: str, new: str, extra: str = "") -> str:
    assert old in BASE + extra
    return (BASE + extra).replace(old, new, 1)


FINITE = "finite number"
CASES: dict[str, tuple[str | bytes, list[str]]] = {  # case -> (file content, what the refusal must name)
    # dates
    "30 February": (edited("start: 2022-07-01", "start: 2022-02-30"), ["line 4", "period.start", "2022-02-30"]),
    "month 13": (edited("start: 2022-07-06", "start: 2022-13-06"), ["line 8", "outages.0.start", "2022-13-06"]),
    "explicit timestamp 30 February": (edited("name: test", "name: !!timestamp 2022-02-30"),
                                       ["line 1", "2022-02-30", "day is out of range"]),
    "date not a date": (edited("end: 2022-09-30", "end: soon"), ["line 5", "period.end", "'soon'"]),
    "10,000-year period": (edited("end: 2022-09-30", "end: 9999-12-31"), ["line 5", "period.end", "9999-12-31"]),
    "111-year period": (edited("start: 2022-07-01", "start: 1990-01-01").replace("2022-09-30", "2100-12-31"),
                        ["line 5", "period.end", "longer than 3660 days"]),
    "duration 999999999 days": (edited("duration_days: 30", "duration_days: 999999999"),
                                ["line 9", "outages.0.duration_days", "999999999", "less than or equal to 3660"]),
    "ramp of a billion days": (edited("output: 0.5", "output: 0.5\n    ramp_days: 1000000000", PRODUCTION),
                               ["production_changes.0.ramp_days", "1000000000"]),
    # numbers
    "remaining nan": (edited("remaining: 0", "remaining: .nan"), ["line 10", "outages.0.remaining", FINITE]),
    "remaining_mtpa 1e400": (edited("remaining: 0", "remaining_mtpa: 1e400"),
                             ["line 10", "outages.0.remaining_mtpa", FINITE]),
    "price nan": (edited("-5", ".nan", PRICE), ["price_changes.0.diff_change_usd_per_bbl", FINITE]),
    "price 1e9": (edited("-5", "1.0e9", PRICE), ["price_changes.0.diff_change_usd_per_bbl", "less than or equal"]),
    "output 5x": (edited("output: 0.5", "output: 5", PRODUCTION), ["production_changes.0.output", "less than or"]),
    "share nan in policy": (BASE + 'policy:\n  max_share_via: {RU: .nan}\n  source: "seed004"\n',
                            ["policy.max_share_via.RU", FINITE]),
    "state take 2": (BASE + "settings:\n  state_take_fraction: 2\n", ["settings.state_take_fraction", "2"]),
    "integer of 5000 digits": (edited("base_year: 2024", "base_year: " + "9" * 5000), ["line 2", "cannot read"]),
    # wrong types and shapes
    "period as a list": (edited("period:\n  start: 2022-07-01\n  end: 2022-09-30", "period: [2022-07-01, 2022-09-30]"),
                         ["line 3", "period", "valid dictionary"]),
    "base_year a word": (edited("base_year: 2024", "base_year: twenty"), ["line 2", "base_year", "'twenty'"]),
    "outages a mapping": (edited("  - asset", "    asset"), ["outages", "valid list"]),
    "document a list": ("- name\n- period\n", ["line 1", "must be a mapping"]),
    "empty file": ("", ["must be a mapping"]),
    "two documents": (BASE + "---\nname: again\n", ["line 12", "found another document"]),
    "python object tag": (edited("name: test", "name: !!python/object/apply:os.system ['true']"),
                          ["line 1", "not valid YAML"]),
    "unhashable key": (BASE + "[a, b]: 1\n", ["line 12", "unhashable key"]),
    "repeated key": (BASE + "outages: []\n", ["line 12", "key 'outages' repeated (first on line 6)"]),
    "tab indentation": (edited("  start: 2022-07-01", "\tstart: 2022-07-01"), ["line 4", "not valid YAML"]),
    # YAML's aliases, nesting and size
    "billion laughs": (BOMB, ["line 1", "more than 100,000 values"]),
    "self-referencing anchor": (BASE + "description: &d [*d]\n", ["line 12", "refers to its own anchor"]),
    "101 aliases": (BASE + "x: &a 1\ny: [" + ", ".join(["*a"] * 101) + "]\n", ["line 13", "more than 100 aliases"]),
    "nested 60 deep": (BASE + "x: " + "[" * 60 + "]" * 60 + "\n", ["line 12", "deeper than 50"]),
    "1001 outages": (BASE + "  - {asset: btc, start: 2022-07-06, source: seed004}\n" * 1000,
                     ["outages", "at most 1000 items"]),
    "2 MB file": (BASE + "# " + "x" * 2 * 1024 * 1024 + "\n", ["larger than 1 MB"]),
    # encoding
    "latin-1": (edited("name: test", "name: Café").encode("latin-1"), ["line 1", "not UTF-8 text (byte 0xe9)"]),
    "binary": (bytes(range(256)) * 4, ["line 2", "not UTF-8 text (byte 0x80)"]),
    "NUL byte": (edited("name: test", "name: te\0st"), ["line 1", "NUL byte"]),
    "control character": (edited("remaining: 0", "remaining: 0\x1f"), ["line 10", "control character U+001F"]),
}
RUNAWAYS = {"billion laughs", "self-referencing anchor", "10,000-year period", "duration 999999999 days",
            "price nan", "ramp of a billion days"}


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_broken_scenario_is_refused_in_one_line(case: str, tmp_path: Path) -> None:
    content, mentions = CASES[case]
    path = tmp_path / "scenario.yaml"
    path.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    done, cpu_s = run_cpu_timed(["simulate", str(path)])
    assert_refused(done, str(path), *mentions)
    if case in RUNAWAYS:
        assert cpu_s < RUNAWAY_CPU_S


def test_a_scenario_saved_with_a_byte_order_mark_reads_as_before(tmp_path: Path) -> None:
    from crudeflow.simulate.scenario import read_scenario

    path = tmp_path / "scenario.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + BASE.encode())
    assert read_scenario(path).scenario.outages[0].duration_days == 30


def test_scenarios_combined_past_a_lists_cap_are_refused_in_one_line(tmp_path: Path) -> None:
    """Each file is valid; `--with` adds their changes up."""
    small_cut = "  - {asset: btc, remaining: 0.9999, start: 2022-07-06, end: 2022-07-06, source: seed004}\n"
    first, second = tmp_path / "first.yaml", tmp_path / "second.yaml"
    first.write_text(BASE + small_cut * 600, encoding="utf-8")
    second.write_text(BASE.replace("name: test", "name: other") + small_cut * 600, encoding="utf-8")
    done = run_capped(["simulate", str(first), "--with", str(second)])
    assert_refused(done, "'test + other' together", "outages", "at most 1000 items")
