"""Why a dispatch shuts oil in: the limits that hold exports down, read from the LP's duals.

A row with a nonzero dual binds. Each binding row other than a mass balance (a country-share cap, a contract,
a refinery intake, a blend limit, a capacity) is lifted in turn and the LP solved again: the rows whose
lifting alone would export materially more are named, with their shadow price (USD/t) and that gain.
A binding share cap gets its arithmetic too, since it is not obvious: exports ≤ oil through the other
outlets / (1 − share), so a 70% cap can cut exports far below 70% when the other outlets are full.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from crudeflow.lp.explain import describe
from crudeflow.lp.formulation import NetworkLP, flow_cols
from crudeflow.lp.program import Solution, SolveStatus, solve
from crudeflow.output import number

MATERIAL_MTPA = 0.5  # shut-in or an export gain below this is not a change of picture
DUAL_TOLERANCE = 1e-7
EXPORT_KINDS = ("terminal", "border")
SHARE_FAMILIES = ("share", "min_share")  # explained with their arithmetic


def export_mtpa(model: NetworkLP, x: np.ndarray) -> float:
    """Kazakh oil reaching export terminals and borders (Mt/yr) in solution `x`."""
    inputs = model.inputs
    into_export = inputs.links.index[inputs.links["to_node"].map(inputs.node_kind).isin(EXPORT_KINDS)]
    return float(sum(x[c] for link in into_export for c in flow_cols(model, str(link)).values()))


def exports_without(model: NetworkLP, row: int) -> float | None:
    """Exports (Mt/yr) with row `row` lifted; None if that solve ends without an optimum."""
    lp = model.lp
    lifted = dataclasses.replace(lp, row_lower=list(lp.row_lower), row_upper=list(lp.row_upper))
    lifted.row_lower[row], lifted.row_upper[row] = -np.inf, np.inf
    solution = solve(lifted.to_highs())
    return export_mtpa(model, solution.x) if solution.status is SolveStatus.OPTIMAL else None


def why_shut_in(model: NetworkLP, sol: Solution, shut_in_mtpa: float) -> list[str]:
    """Sentences naming what holds exports down, when a material volume is shut in; none otherwise."""
    if shut_in_mtpa < MATERIAL_MTPA:
        return []
    exports = export_mtpa(model, sol.x)
    binding = [(r, key) for r, key in enumerate(model.lp.row_keys)
               if key[0] != "balance" and abs(sol.row_dual[r]) > DUAL_TOLERANCE]
    gains = {r: (exports_without(model, r) or exports) - exports for r, _ in binding}
    sentences = [(share_sentence if key[0] == "share" else floor_sentence)(model, sol, r, key[1], exports, gains[r],
                                                                            shut_in_mtpa)
                 for r, key in binding if key[0] in SHARE_FAMILIES]
    held = sorted(((gains[r], r, key) for r, key in binding
                   if key[0] not in SHARE_FAMILIES and gains[r] >= MATERIAL_MTPA), reverse=True)
    if held:
        limits = "; ".join(f"{describe(key)} (shadow price {number(abs(sol.row_dual[r]), ',.0f')} USD/t; "
                           f"+{gain:.1f} Mt/yr)" for gain, r, key in held)
        lead = "" if sentences else f"{number(shut_in_mtpa)} Mt/yr shut in; "  # a share sentence said it already
        sentences.append(f"{lead}the limits that hold exports down, each with the exports lifting it alone would "
                         f"add: {limits}.")
    return sentences


def share_sentence(model: NetworkLP, sol: Solution, row: int, country: str,
                   exports: float, gain: float, shut_in_mtpa: float) -> str:
    inputs = model.inputs
    share = inputs.max_share_via[country]
    entering = float(sum(sol.x[c] for link in inputs.entry_links[country] for c in flow_cols(model, link).values()))
    others = exports - entering
    return (f"the cap on oil entering {country} ({100 * share:.0f}% of exports) binds (shadow price "
            f"{number(abs(sol.row_dual[row]), ',.0f')} USD/t): outlets outside {country} carry {number(others)} "
            f"Mt/yr, so exports are held to {number(others)} / (1 − {share:.2f}) = {number(exports)} Mt/yr; "
            f"{number(shut_in_mtpa)} Mt/yr shut in (without the cap exports would be {number(exports + gain)} Mt/yr).")


def floor_sentence(model: NetworkLP, sol: Solution, row: int, country: str, exports: float, gain: float,
                   shut_in_mtpa: float) -> str:
    """A binding floor on the share entering `country`: exports ≤ oil entering it / share, and the LP meets the
    floor by shutting oil in when the outlets into the country are full."""
    share = model.inputs.min_share_via[country]
    entering = float(sum(sol.x[c] for link in model.inputs.entry_links[country]
                         for c in flow_cols(model, link).values()))
    unfloored = exports + gain
    return (f"the floor on oil entering {country} ({100 * share:.0f}% of exports) binds (shadow price "
            f"{number(abs(sol.row_dual[row]), ',.0f')} USD/t): outlets into {country} carry at most "
            f"{number(entering)} Mt/yr, so exports are held to {number(entering)} / {share:.2f} = {number(exports)} "
            f"Mt/yr; {number(shut_in_mtpa)} Mt/yr shut in (without the floor exports would be {number(unfloored)} "
            f"Mt/yr, of which {100 * entering / unfloored if unfloored else 0:.1f}% could enter {country}).")
