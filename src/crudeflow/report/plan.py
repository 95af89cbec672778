"""The plan as a report: the pathway as a timeline, each year's cost–loss frontier, the oil stranded by year,
and the tables behind them."""

from __future__ import annotations

from crudeflow.plan.result import PlanResult
from crudeflow.report.document import Bullets, Figure, Report, Section, Table
from crudeflow.report.mpl import new_figure, png_bytes, say_empty


def frontier_png(result: PlanResult) -> bytes:
    figure, ax = new_figure(9.0, 5.0)
    every = result.portfolios
    ax.scatter(every["annual_cost_musd_per_yr"], every["residual_loss_mtpa"], s=10, color="#bbbbbb",
               label="every portfolio")
    for year, rows in result.frontier.groupby("year"):
        ax.step(rows["annual_cost_musd_per_yr"], rows["residual_loss_mtpa"], where="post", marker="o",
                label=f"frontier {year}")
    ax.set_xlabel("annual cost, million USD/yr (capital annuities, fixed costs, ship-or-pay)")
    ax.set_ylabel("residual loss, Mt/yr (stranded + expected lost exports)")
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
    ax.set_ylabel("oil stranded in a normal year, Mt/yr")
    ax.grid(alpha=0.3, axis="y")
    ax.legend()
    return png_bytes(figure)


def build_plan_report(result: PlanResult) -> Report:
    s = result.summary()
    path = result.pathway
    findings = [f"{int(r['year'])}: {r['portfolio']} (commission {r['commission']}); annual cost "
                f"{r['annual_cost_musd_per_yr']:,.0f} MUSD/yr; stranded {r['shut_in_mtpa']:,.2f} Mt/yr; net benefit "
                f"{r['net_benefit_musd_per_yr']:,.0f} MUSD/yr" for _, r in path.iterrows()]
    top_limits = (result.shadow_prices.assign(dual=lambda t: t["dual_musd_per_yr_per_mtpa"].abs())
                  .sort_values(["year", "dual"], ascending=[True, False]).groupby("year").head(5).drop(columns="dual"))
    sections = [
        Section("Pathway", [Bullets(tuple(findings) + tuple(result.notes)),
                            Figure("plan_timeline", "What to commission in which year", "Each option at the first year "
                                   "the pathway has it in service.", png=timeline_png(result)),
                            Table(path, "Pathway, year by year")]),
        Section("Cost against loss", [
            Figure("plan_frontier", "Cost–loss frontier by year", "Grey: every portfolio of every year; lines: the "
                   "efficient portfolios of each year (no other is both cheaper and leaves less loss).",
                   png=frontier_png(result)),
            Table(result.frontier, "Efficient portfolios, cheapest first")]),
        Section("Stranded oil", [
            Figure("plan_stranded", "Oil with nowhere to go in a normal year", "Shut-in of the year's dispatch, Mt/yr.",
                   png=stranded_png(result)),
            Table(result.stranded, "Stranded oil, Mt/yr"),
            Table(top_limits, "The five dearest limits each year with nothing built (duals: MUSD/yr per Mt/yr)")]),
        Section("Options", [Table(result.option_table(), "Options, their availability and costs")]),
    ]
    subtitle = ", ".join(f"{k} {v}" for k, v in s.items())
    data = {"summary": s, "pathway": path.to_dict(orient="records")}
    return Report("crudeflow: plan", subtitle, sections, data=data)



