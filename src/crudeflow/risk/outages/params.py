"""What `crudeflow risk params` shows: one row per outage model with its rates, durations, capacity lost,
season and expected lost asset-days a year, and where each number comes from."""

from __future__ import annotations

import textwrap

import pandas as pd

from crudeflow.output import prose, render
from crudeflow.risk.outages.models import MONTH_NAMES, OutageModel, OutageModels
from crudeflow.tables import parse_source

NUMERIC_COLUMNS = ["events_per_yr", "effect_probability", "mean_duration_days", "lost_share",
                   "lost_asset_days_per_yr"]


def params_table(models: OutageModels) -> pd.DataFrame:
    """One row per model (index: model id). `events_per_yr` counts drawn events (two-state: down spells);
    `effect_probability` is the share of them that takes effect; `lost_share` the mean share of each asset's
    capacity (fields: output) an event takes; `lost_asset_days_per_yr` the expected share-weighted days lost a
    year over all the model's assets; `rate_derivation` the gamma-Poisson arithmetic where the rate is pooled
    (rates.csv), else blank.

    >>> import crudeflow
    >>> from crudeflow.risk.outages.load import load_outage_models
    >>> table = params_table(load_outage_models(crudeflow.load("kazakhstan").network))
    >>> columns = ["events_per_yr", "effect_probability", "mean_duration_days"]
    >>> [round(v, 4) for v in table.loc["cpc-court-halt", columns]]
    [0.2446, 0.2, 30.0]
    """
    rows = [_row(models, model) for model in models]
    return pd.DataFrame(rows).set_index("model")


def _row(models: OutageModels, model: OutageModel) -> dict[str, object]:
    drawn = model.spells_per_year() if model.kind == "two_state" else float(model.events_per_year or 0.0)
    return {
        "model": model.id,
        "kind": model.kind,
        "assets": "; ".join(model.assets),
        "effect": models.effect(model),
        "events_per_yr": drawn,
        "effect_probability": model.probability,
        "mean_duration_days": model.mean_duration_days(),
        "duration": _duration_text(model),
        "lost_share": model.mean_lost,
        "lost_range": _lost_text(model),
        "season": season_text(model.month_weights),
        "lost_asset_days_per_yr": model.lost_asset_days_per_year(),
        "sources": ", ".join(_source_ids(model)),
        "assumed": ", ".join(p.field for p in model.provenance if p.is_assumption),
        "rate_derivation": model.rate.describe() if model.rate is not None else "",
        "derivation": model.derivation,
    }


def describe_params(models: OutageModels, wide: bool = False) -> str:
    """The parameter table as text, then each model's derivation and the source of every number."""
    table = params_table(models)
    shown = table[["kind", "assets", *NUMERIC_COLUMNS, "season"]].rename(columns={
        "events_per_yr": "events/yr", "effect_probability": "p(effect)", "mean_duration_days": "mean days",
        "lost_share": "lost share", "lost_asset_days_per_yr": "lost asset-days/yr"})
    lines = [f"Outage models from {models.path} ({len(models)} models)", "",
             render(shown, "text", "{:,.3g}", wide=wide).rstrip(), "",
             f"Total expected lost asset-days a year: {table['lost_asset_days_per_yr'].sum():.1f} "
             "(share-weighted days, overlaps not capped)", ""]
    for model in models:
        row = table.loc[model.id]
        lines.append(prose(f"{model.id} ({model.kind}, {row['effect']} of {row['assets']}): {model.description}"))
        lines.append(prose(f"  duration: {row['duration']}; share lost: {row['lost_range']}; season: {row['season']}"))
        if model.rate is not None:
            lines.extend(textwrap.wrap(f"rate: {row['rate_derivation']}", 116, initial_indent="  ",
                                       subsequent_indent="    "))
        lines.extend(textwrap.wrap(f"derivation: {model.derivation}", 116, initial_indent="  ",
                                   subsequent_indent="    "))
        for item in model.provenance:
            where = "" if item.table == models.path.name else f"{item.table} line {item.line}: "
            lines.extend(textwrap.wrap(f"{where}{item.field} = {item.value:g}: {item.source}", 116,
                                       initial_indent="  ", subsequent_indent="    "))
        if model.season_source:
            lines.extend(textwrap.wrap(f"season = {model.season}: {model.season_source}", 116, initial_indent="  ",
                                       subsequent_indent="    "))
        lines.append("")
    return "\n".join(lines)


def season_text(weights: tuple[float, ...]) -> str:
    """'all year', or the months with their weights relative to the heaviest.

    >>> season_text((4, 4, 4) + (1,) * 7 + (4, 4))
    'Nov-Mar ×4; Apr-Oct ×1'
    >>> season_text((1,) + (0,) * 11)
    'Jan'
    """
    if len(set(weights)) == 1:
        return "all year"
    parts = []
    for weight in sorted({w for w in weights if w > 0}, reverse=True):
        months = [m for m, w in enumerate(weights) if w == weight]
        parts.append(", ".join(_runs(months)) + ("" if len({w for w in weights if w > 0}) == 1 else f" ×{weight:g}"))
    return "; ".join(parts)


def _runs(months: list[int]) -> list[str]:
    runs: list[list[int]] = []
    for month in months:
        if runs and runs[-1][-1] == month - 1:
            runs[-1].append(month)
        else:
            runs.append([month])
    if len(runs) > 1 and runs[0][0] == 0 and runs[-1][-1] == 11:
        runs = [runs[-1] + runs[0], *runs[1:-1]]  # a season across the new year: Nov-Mar
    names = [MONTH_NAMES[r[0]].title() + ("" if len(r) == 1 else "-" + MONTH_NAMES[r[-1]].title()) for r in runs]
    return names


def _duration_text(model: OutageModel) -> str:
    if model.kind == "two_state":
        return f"exponential: MTBF {model.mtbf_days:g} d, MTTR {model.mttr_days:g} d"
    assert model.duration is not None
    return model.duration.describe()


def _lost_text(model: OutageModel) -> str:
    if model.units_out:
        return f"{model.units_out} unit{'s' if model.units_out > 1 else ''} out ({model.mean_lost:.2f} alone)"
    low, high = 1.0 - model.remaining_max, 1.0 - model.remaining_min
    return f"{low:.2f}" if low == high else f"{low:.2f}-{high:.2f}"


def _source_ids(model: OutageModel) -> list[str]:
    texts = [p.source for p in model.provenance] + [model.season_source]
    ids = {source_id for text in texts for source_id in parse_source(text)[0]}
    return sorted(ids)
