"""The plan as a report: the pathway as a timeline, each year's cost–loss frontier, the oil stranded by year,
and the tables behind them."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from crudeflow.plan.pathway import members
from crudeflow.plan.result import PlanResult
from crudeflow.report.document import Bullets, Figure, Report, Section, Table
from crudeflow.report.mpl import new_figure, png_bytes, say_empty

COST_AXIS = "annual cost, million USD/yr (capital annuities, fixed costs, ship-or-pay)"
LOSS_AXIS = "residual loss, Mt/yr (stranded + expected lost exports)"
STRANDED_AXIS = "oil stranded in a normal year, Mt/yr"



def frontier_png(result: PlanResult) -> bytes:
    figure, ax = new_figure(9.0, 5.0)
    every = result.portfolios
    ax.scatter(every["annual_cost_musd_per_yr"], every["residual_loss_mtpa"], s=10, color="#bbbbbb",
               label="every portfolio")
    for year, rows in result.frontier.groupby("year"):
        ax.step(rows["annual_cost_musd_per_yr"], rows["residual_loss_mtpa"], where="post", marker="o",
                label=f"frontier {year}")
    ax.set_xlabel(COST_AXIS)
    ax.set_ylabel(LOSS_AXIS)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    return png_bytes(figure)


def timeline_png(result: PlanResult) -> bytes:
    figure, ax = new_figure(9.0, 3.5)
    path = result.pathway
    built = [(int(r["year"]), str(r["commission"])) for _, r in path.iterrows() if r["commission"] != "-"]
    if not built:
        say_empty(ax, "the pathway commissions nothing")
    for i, (year, what) in enumerate(built):
        ax.plot([year, year], [0, 1 + i % 3], color="#1f77b4")
        ax.annotate(what, (year, 1 + i % 3), fontsize=9, ha="left", va="bottom")
    years = list(result.settings.years)
    ax.set_xlim(min(years) - 0.5, max(years) + 1.5)
    ax.set_xticks(years)
    ax.set_yticks([])
    ax.set_xlabel("first year of service")
    return png_bytes(figure)


def stranded_png(result: PlanResult) -> bytes:
    figure, ax = new_figure(9.0, 4.0)
    table = result.stranded.set_index("year")
    width = 0.4
    ax.bar(table.index - width / 2, table["shut_in_none_mtpa"], width, label="building nothing", color="#d62728")
    ax.bar(table.index + width / 2, table["shut_in_pathway_mtpa"], width, label="along the pathway", color="#2ca02c")
    ax.set_xticks(list(table.index))
    ax.set_ylabel(STRANDED_AXIS)
    ax.grid(alpha=0.3, axis="y")
    ax.legend()
    return png_bytes(figure)


def frontier_figure(result: PlanResult, png: bool = True) -> Figure:
    every = result.portfolios
    plot = go.Figure(go.Scatter(x=every["annual_cost_musd_per_yr"], y=every["residual_loss_mtpa"], mode="markers",
                                marker={"color": "#bbbbbb", "size": 6}, name="every portfolio",
                                text=[f"{y} {p}" for y, p in zip(every["year"], every["portfolio"], strict=True)]))
    for year, rows in result.frontier.groupby("year"):
        plot.add_trace(go.Scatter(x=rows["annual_cost_musd_per_yr"], y=rows["residual_loss_mtpa"],
                                  mode="lines+markers", line={"shape": "hv"}, name=f"frontier {year}",
                                  text=list(rows["portfolio"])))
    plot.update_layout(height=460, template="plotly_white", xaxis_title=COST_AXIS, yaxis_title=LOSS_AXIS)
    return Figure("plan_frontier", "Cost–loss frontier by year", "Grey: every portfolio of every year; lines: the "
                  "efficient portfolios of each year (no other is both cheaper and leaves less loss).",
                  png=frontier_png(result) if png else None, plotly=plot)


def in_service(result: PlanResult) -> dict[str, list[int]]:
    """Each option the pathway builds → the plan years it is in service, in the order first commissioned."""
    found: dict[str, list[int]] = {}
    for _, row in result.pathway.iterrows():
        for option in sorted(members(str(row["portfolio"]))):
            found.setdefault(option, []).append(int(row["year"]))
    return found


def timeline_figure(result: PlanResult, png: bool = True) -> Figure:
    """The pathway as a timeline: one bar per option over the years it is in service."""
    plot = go.Figure()
    for option, years in in_service(result).items():
        plot.add_trace(go.Bar(y=[option] * len(years), x=[1] * len(years), base=[y - 0.5 for y in years],
                              orientation="h", name=option, showlegend=False, customdata=years,
                              hovertemplate=f"{option}: in service in %{{customdata}}<extra></extra>"))
    years = list(result.settings.years)
    if not plot.data:
        plot.add_annotation(text="the pathway commissions nothing", showarrow=False, x=0.5, y=0.5,
                            xref="paper", yref="paper")
    plot.update_layout(height=120 + 45 * max(len(plot.data), 1), template="plotly_white", barmode="overlay",
                       margin={"t": 20, "b": 60, "l": 20, "r": 20},
                       xaxis={"title": "plan year", "tickvals": years, "range": [min(years) - 0.6, max(years) + 0.6]},
                       yaxis={"autorange": "reversed"})
    return Figure("plan_timeline", "What to commission in which year", "Each option at the first year the pathway "
                  "has it in service, and the years it stays (an option may give way to its variant).",
                  png=timeline_png(result) if png else None, plotly=plot)


def stranded_figure(result: PlanResult, png: bool = True) -> Figure:
    table = result.stranded
    plot = go.Figure([go.Bar(x=table["year"], y=table["shut_in_none_mtpa"], name="building nothing",
                             marker_color="#d62728"),
                      go.Bar(x=table["year"], y=table["shut_in_pathway_mtpa"], name="along the pathway",
                             marker_color="#2ca02c")])
    plot.update_layout(height=380, template="plotly_white", barmode="group", yaxis_title=STRANDED_AXIS,
                       xaxis={"title": "plan year", "tickvals": list(table["year"])})
    return Figure("plan_stranded", "Oil with nowhere to go in a normal year", "Shut-in of the year's dispatch, Mt/yr.",
                  png=stranded_png(result) if png else None, plotly=plot)


def findings(result: PlanResult) -> list[str]:
    """The pathway year by year, in words."""
    return [f"{int(r['year'])}: {r['portfolio']} (commission {r['commission']}); annual cost "
            f"{r['annual_cost_musd_per_yr']:,.0f} MUSD/yr; stranded {r['shut_in_mtpa']:,.2f} Mt/yr; net benefit "
            f"{r['net_benefit_musd_per_yr']:,.0f} MUSD/yr" for _, r in result.pathway.iterrows()]


def dearest_limits(result: PlanResult, per_year: int = 5) -> pd.DataFrame:
    """The limits binding hardest each year with nothing built (largest |dual| first)."""
    return (result.shadow_prices.assign(dual=lambda t: t["dual_musd_per_yr_per_mtpa"].abs())
            .sort_values(["year", "dual"], ascending=[True, False]).groupby("year").head(per_year)
            .drop(columns="dual"))


def build_plan_report(result: PlanResult) -> Report:
    s = result.summary()
    path = result.pathway
    top_limits = dearest_limits(result)
    sections = [
        Section("Pathway", [Bullets(tuple(findings(result)) + tuple(result.notes)),
                            timeline_figure(result),
                            Table(path, "Pathway, year by year")]),
        Section("Cost against loss", [
            frontier_figure(result),
            Table(result.frontier, "Efficient portfolios, cheapest first")]),
        Section("Stranded oil", [
            stranded_figure(result),
            Table(result.stranded, "Stranded oil, Mt/yr"),
            Table(top_limits, "The five dearest limits each year with nothing built (duals: MUSD/yr per Mt/yr)")]),
        Section("Options", [Table(result.option_table(), "Options, their availability and costs")]),
    ]
    subtitle = ", ".join(f"{k} {v}" for k, v in s.items())
    data = {"summary": s, "pathway": path.to_dict(orient="records")}
    return Report("crudeflow: plan", subtitle, sections, data=data)



