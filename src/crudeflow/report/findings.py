"""The report's opening in plain words: what was lost (Mt, barrels, USD), when fields shut in and when
exports recovered, which routes took the diverted oil and which fields stopped. Numbers come straight from
the SimulationResult; the same formatted strings go to the HTML and the command line."""

from __future__ import annotations

import datetime as dt

from crudeflow.network import Network
from crudeflow.output import number
from crudeflow.report.series import extra_shut_in_by_field_mt, node_names
from crudeflow.simulate import SimulationResult

ROUTE_CHANGE_MT = 0.005  # route changes smaller than this (5 kt over the period) are not news


def day_text(day: dt.date | None) -> str:
    return "not within the period" if day is None else f"{day.day} {day:%B %Y}"


def headline(result: SimulationResult) -> dict[str, str]:
    """The headline figures as shown to the reader, each with its unit."""
    if result.disruption_start is None:
        recovery = "nothing disrupted"
    else:
        recovery = day_text(result.recovery_day)
        if result.days_to_recovery is not None:
            recovery += f" ({result.days_to_recovery} days after the disruption began)"
    return {
        "lost exports": f"{number(result.lost_export_mt, ',.2f')} Mt "
                        f"({number(result.lost_export_mbbl, ',.1f')} million barrels)",
        "lost export revenue": f"{number(result.lost_revenue_musd, ',.0f')} million USD",
        "lost state take": f"{number(result.lost_state_take_musd, ',.0f')} million USD",
        "output shut in (beyond baseline)": f"{number(result.extra_shut_in_mt, ',.2f')} Mt",
        "first shut-in": "none" if result.first_shut_in_day is None else day_text(result.first_shut_in_day),
        "output and exports back to normal": recovery,
        "peak storage": f"{result.peak_storage_kt:,.0f} kt",
    }


def findings(result: SimulationResult, network: Network) -> list[str]:
    h = headline(result)
    s = result.summary()
    days = result.scenario.export_kt.index
    share = 100 * result.lost_export_mt / s["baseline_exports_mt"] if s["baseline_exports_mt"] else 0.0  # type: ignore[operator]
    verb = "Lost exports" if result.lost_export_mt >= 0 else "Exports gained (negative loss)"
    lines = [
        f"{verb}: {h['lost exports']} over {day_text(days[0])} to {day_text(days[-1])}, "
        f"{share:.1f}% of the {s['baseline_exports_mt']:,.2f} Mt that would have been exported without the "
        f"disruption.",
        f"Lost export revenue: {h['lost export revenue']}; lost state take: {h['lost state take']} "
        f"({100 * result.state_take_fraction:.1f}% of export revenue: {result.state_take_source}).",
        _shut_in_line(result),
        _recovery_line(result),
        _routes_line(result),
        _fields_line(result, network),
    ]
    if result.peak_storage_kt > 0:
        lines.append(f"Storage: tanks held at most {h['peak storage']} (thousand tonnes) of oil, "
                     f"on {day_text(_date(s['peak_storage_day']))}.")
    return lines


def _shut_in_line(result: SimulationResult) -> str:
    first = result.first_shut_in_day
    if first is None:
        return "No field had to shut in output beyond what it would have without the disruption."
    start = result.disruption_start
    lag = "" if start is None else (" — the day the disruption began" if first == start else
                                    f" — {(first - start).days} days after the disruption began")
    return (f"First shut-in: {day_text(first)}{lag}; {number(result.extra_shut_in_mt, ',.2f')} Mt of output shut in "
            "over the period.")


def _recovery_line(result: SimulationResult) -> str:
    if result.disruption_start is None:
        return "Recovery: the scenario disrupts nothing (it only changes assets, prices or contracts)."
    if result.recovery_day is None:
        return "Recovery: output and exports are still below normal at the end of the period."
    stocks = result.stocks_normal_day
    stock_text = ("stocks are still above normal at the end of the period" if stocks is None
                  else f"stocks back to normal on {day_text(stocks)}")
    return (f"Recovery: output and exports back to normal on {day_text(result.recovery_day)}, "
            f"{result.days_to_recovery} days after the disruption began; {stock_text}.")


def _routes_line(result: SimulationResult) -> str:
    changes = result.routes["change_mt"]
    gained = changes[changes >= ROUTE_CHANGE_MT].sort_values(ascending=False)
    lost = changes[changes <= -ROUTE_CHANGE_MT].sort_values()
    names = result.routes["name"]
    def listed(series: object) -> str:
        return ", ".join(f"{names[r]} {number(v, '+,.2f')} Mt" for r, v in series.items())  # type: ignore[attr-defined]
    took = (f"Diverted oil went to: {listed(gained)}." if len(gained)
            else "No route absorbed diverted oil: the alternatives were full or could not be reached.")
    gave = f" Routes that carried less: {listed(lost)}." if len(lost) else ""
    return took + gave


def _fields_line(result: SimulationResult, network: Network) -> str:
    by_field = extra_shut_in_by_field_mt(result)
    if by_field.empty:
        return "Fields shut in: none."
    names = node_names(network)
    shut = ", ".join(f"{names.get(f, f)} {number(v, ',.2f')} Mt" for f, v in by_field.items())
    return f"Fields shut in: {shut}."


def _date(value: object) -> dt.date | None:
    return None if value is None else dt.date.fromisoformat(str(value))
