"""The dataset's schema as data: one pydantic model per table drives validation, defaults, the
`crudeflow network --schema` listing and the error messages.

A numeric column declared with `sourced(...)` must have a companion column `<name>_source` in the file,
holding a source id from sources.csv (several separated by ';') or a text beginning 'assumption:' that
says why the figure was assumed (crudeflow.tables reads every table in this convention). Units live in the
column names (`capacity_mtpa`) and in the metadata.
"""

from __future__ import annotations

from typing import Literal

from crudeflow.tables import Row, plain, sourced

NodeKind = Literal["field", "hub", "port", "terminal", "border", "refinery"]
LinkKind = Literal["pipeline", "sea", "rail"]
Status = Literal["operating", "proposed"]
SINK_KINDS = ("terminal", "border", "refinery")  # where oil leaves the network and is sold

# Upper bounds of the numeric columns: far above any real value, low enough that a typo (an extra 000) or a
# runaway (1e308) is refused before it reaches the optimiser.
MAX_MTPA = 1000.0  # Mt/yr (and Mt): ten times the largest crude pipeline's capacity
MAX_USD_PER_T = 1000.0
MAX_USD_PER_BBL = 1000.0
MAX_KM = 40_000.0  # once round the earth
MAX_TRANSIT_DAYS = 365.0
MAX_STORAGE_KT = 100_000.0


class Source(Row):
    id: str = plain("Source id, cited from other tables' *_source columns")
    title: str = plain("What the source is")
    reference: str = plain("Seed file name under shared/seeds/, or the public address")
    via: str = plain("Where the project found it (e.g. a row of shared/facts/kazakhstan.md)", "")


class Grade(Row):
    id: str = plain("Grade id")
    name: str = plain("Grade name")
    api_gravity: float = sourced("°API", "API gravity; sets the barrels in a tonne", gt=-131.5, le=100)
    sulfur_pct: float = sourced("% mass", "Sulfur content", ge=0, le=10)


class Node(Row):
    id: str = plain("Node id")
    name: str = plain("Node name")
    kind: NodeKind = plain("field, hub, port, terminal, border or refinery")
    country: str = plain("ISO 3166 alpha-2 code of the country the node is in", min_length=2, max_length=2)
    lat_deg: float = sourced("°N", "Latitude", ge=-90, le=90)
    lon_deg: float = sourced("°E", "Longitude", ge=-180, le=180)
    grade: str = plain("Grade a field produces (fields only)", "")
    throughput_mtpa: float | None = sourced("Mt/yr", "Cap on oil passing through or loaded", None, ge=0,
                                            le=MAX_MTPA)
    units: int = plain("Parallel units sharing the throughput (moorings, berths)", 1, ge=1, le=100)
    storage_kt: float | None = sourced("kt", "Working storage for crude", None, ge=0, le=MAX_STORAGE_KT)


class Link(Row):
    id: str = plain("Link id")
    name: str = plain("Link name")
    kind: LinkKind = plain("pipeline, sea or rail")
    from_node: str = plain("Upstream node id")
    to_node: str = plain("Downstream node id")
    capacity_mtpa: float = sourced("Mt/yr", "Capacity for all shippers", ge=0, le=MAX_MTPA)
    tariff_usd_per_t: float = sourced("USD/t", "Tariff or freight charged to Kazakh shippers", ge=0,
                                      le=MAX_USD_PER_T)
    length_km: float | None = sourced("km", "Length", None, gt=0, le=MAX_KM)
    transit_days: float = sourced("days", "Time oil takes to cross the link", ge=0,
                                  le=MAX_TRANSIT_DAYS)
    operator: str = plain("Operator", "")
    countries: str = plain("Countries crossed, ISO codes separated by ';'")
    status: Status = plain("operating or proposed")
    first_year: int | None = plain("First year a proposed link could carry oil", None, ge=1900, le=2100)


class Production(Row):
    key = ("field", "year")
    field: str = plain("Field node id")
    year: int = plain("Year", ge=1990, le=2100)
    production_mtpa: float = sourced("Mt/yr", "Crude and condensate entering the network", ge=0,
                                      le=MAX_MTPA)


class ProductionVariant(Row):
    key = ("variant", "field", "year")
    variant: str = plain("Output path it belongs to, e.g. low, plan, high (`--output-variant`)")
    field: str = plain("Field node id")
    year: int = plain("Year", ge=1990, le=2100)
    production_mtpa: float = sourced("Mt/yr", "Crude and condensate entering the network under this path", ge=0,
                                      le=MAX_MTPA)


class Market(Row):
    node: str = plain("Sink node id (terminal, border or refinery)")
    name: str = plain("Price basis, e.g. 'CPC Blend FOB Novorossiysk'")
    brent_diff_usd_per_bbl: float = sourced("USD/bbl", "Price minus Dated Brent",
                                             ge=-MAX_USD_PER_BBL, le=MAX_USD_PER_BBL)
    sulfur_ref_pct: float | None = sourced("% mass", "Sulfur above which a quality discount applies", None, ge=0)
    sulfur_discount_usd_per_bbl_per_pct: float | None = sourced(
        "USD/bbl per % S", "Discount per percentage point of sulfur above the reference", None, ge=0,
        le=MAX_USD_PER_BBL
    )
    domestic_share: float | None = sourced(
        "fraction", "Refineries: share of domestic crude supply this one takes", None, ge=0, le=1
    )


class YearBalance(Row):
    year: int = plain("Year", ge=1990, le=2100)
    brent_usd_per_bbl: float = sourced("USD/bbl", "Annual average Dated Brent", gt=0,
                                         le=MAX_USD_PER_BBL)
    production_mt: float = sourced("Mt", "National crude and condensate output", ge=0, le=MAX_MTPA)
    exports_mt: float = sourced("Mt", "Crude exports", ge=0, le=MAX_MTPA)


class BackgroundFlow(Row):
    key = ("id", "year")
    id: str = plain("Background flow id")
    shipper: str = plain("Who ships it (not a Kazakh producer)")
    links: str = plain("Links it uses, ids separated by ';'")
    year: int = plain("Year", ge=1990, le=2100)
    volume_mtpa: float = sourced("Mt/yr", "Volume taking capacity on each listed link", ge=0,
                                  le=MAX_MTPA)
    sulfur_pct: float = sourced("% mass", "Sulfur, for blend limits downstream", ge=0, le=10)
    grade: str = plain("Grade (grades.csv) whose density converts the flow's tonnes to barrels; blank: its "
                       "barrels are not reported", "")


class Capacity(Row):
    key = ("link", "year")
    link: str = plain("Link whose capacity differs in this year from links.csv's")
    year: int = plain("Year", ge=1990, le=2100)
    capacity_mtpa: float = sourced("Mt/yr", "Capacity in that year (all shippers)", ge=0, le=MAX_MTPA)


class Contract(Row):
    key = ("id", "year")
    id: str = plain("Contract id")
    link: str = plain("Link the contract applies to (Kazakh volume)")
    year: int | None = plain("Year it applies to; blank for every year", None, ge=1990, le=2100)
    min_mtpa: float | None = sourced("Mt/yr", "Least Kazakh volume to ship", None, ge=0, le=MAX_MTPA)
    max_mtpa: float | None = sourced("Mt/yr", "Most Kazakh volume allowed", None, ge=0, le=MAX_MTPA)
    shortfall_penalty_usd_per_t: float | None = sourced(
        "USD/t", "A soft minimum: what each tonne short costs (blank: the minimum is hard)", None, ge=0,
        le=MAX_USD_PER_T)
    kind: str = plain("quota, transit schedule, supply agreement, ...")


class BlendLimit(Row):
    node: str = plain("Blending point: the limit applies to oil leaving this node")
    max_sulfur_pct: float = sourced("% mass", "Sulfur limit of the blend", gt=0, le=10)


class Route(Row):
    id: str = plain("Route id")
    name: str = plain("Route name as analysts say it")
    measure_link: str = plain("Link whose Kazakh flow is the route's volume")
    links: str = plain("The route's links from hub to market, ids separated by ';' (their tariffs add up)")


class LoadingUnits(Row):
    node: str = plain("Node id of a terminal or port that loads through parallel units (nodes.csv `units`)")
    working_units: int = sourced("units", "Units that load in normal operation; the others are reserve", ge=1, le=100)
    unit_rate_mtpa: float = sourced("Mt/yr", "What one unit loads working on its own (effective, not nameplate)",
                                    gt=0, le=MAX_MTPA)


class FieldOperation(Row):
    field: str = plain("Field node id")
    restart_days: float = sourced("days", "Days a field shut in by the operator takes to regain its normal output "
                                  "(its restart ramp)", ge=1, le=MAX_TRANSIT_DAYS)
    recovery_days: float = sourced("days", "Days a field takes to regain its normal output after an outage of "
                                   "its own (a plant failure) ends", ge=0, le=MAX_TRANSIT_DAYS)


class NormalStock(Row):
    node: str = plain("Node id with working storage (nodes.csv storage_kt)")
    normal_stock_kt: float = sourced("kt", "Stock held in normal operation: where a run starts and settles",
                                     ge=0, le=MAX_STORAGE_KT)


class Quote(Row):
    id: str = plain("Quote id")
    quantity: str = plain("What is measured; quotes of one quantity are compared by `data check`")
    value: float = plain("Value as quoted")
    unit: str = plain("Unit as quoted: Mt/yr, Mt, kbpd, mbpd, bpd, kt/day, %, USD/t, USD/bbl")
    grade: str = plain("Grade whose density converts barrels to tonnes", "")
    year: str = plain("Year or period quoted", "")
    source: str = plain("Source id")
    used: bool = plain("True where the model uses this value", False)
    note: str = plain("How the quote is read", "")


FiscalComponent = Literal["met", "export_duty", "rent_tax"]


class FiscalRule(Row):
    """One band of one component of the state's take on crude (crudeflow.network.fiscal): a share of the value
    by the field's annual output (MET) or by Brent (rent tax), or USD per tonne exported by Brent (export duty)."""

    key = ("component", "fields", "band_from", "band_to")
    component: FiscalComponent = plain("met (mineral extraction tax), export_duty or rent_tax")
    fields: str = plain("Field node ids it applies to, separated by ';' (blank: every field)", "")
    band_on: Literal["output_mt", "brent_usd_per_bbl"] = plain("What the band is of: the field's annual output "
                                                                "(Mt) or the year's Brent (USD/bbl)")
    band_from: float = plain("Band: above this", ge=0, le=1e6)
    band_to: float | None = plain("Band: up to and including this (blank: no top)", None, ge=0, le=1e6)
    rate: float = sourced("% of value or USD/t", "Rate in the band", ge=0, le=1000)
    rate_unit: Literal["pct_of_value", "usd_per_t"] = plain("pct_of_value or usd_per_t")


class Option(Row):
    """An investment or agreement a plan may commission (crudeflow.plan): what it changes, when it can come,
    what it costs. `changes` is a ';' list of 'link:<id>.open', 'link:<id>.capacity_mtpa=<Mt/yr>',
    'link:<id>.add_capacity_mtpa=<Mt/yr>', 'node:<id>.throughput_mtpa=<Mt/yr>', 'contract:<id>.max_mtpa=<Mt/yr>',
    'contract:<id>.min_mtpa=<Mt/yr>', 'background:<flow id>.volume_mtpa=<Mt/yr>' (another shipper's volume) or
    'fleet:<name>' (a fleet of fleet/fleets.csv: the fleet model sets what the
    sea legs carry)."""

    id: str = plain("Option id")
    name: str = plain("What it is")
    changes: str = plain("What it adds or changes, items separated by ';' (see above)")
    excludes: str = plain("Options it cannot be combined with (variants of the same asset), ids separated by ';'", "")
    earliest_year: float = sourced("year", "First year it could carry oil, whatever the decision year", ge=1990,
                                   le=2100)
    lead_time_years: float = sourced("years", "Years from decision to first oil", ge=0, le=30)
    capex_musd: float = sourced("million USD", "Capital cost", ge=0, le=1e6)
    lifetime_years: float = sourced("years", "Economic life the capital is recovered over", gt=0, le=100)
    fixed_musd_per_yr: float = sourced("million USD/yr", "Fixed operating cost", ge=0, le=1e5)
    variable_usd_per_t: float = sourced("USD/t", "Cost per tonne carried, added to the tariff of the links it changes",
                                        ge=0, le=MAX_USD_PER_T)
    ship_or_pay_mtpa: float = sourced("Mt/yr", "Volume paid for whether shipped or not (at the commitment link's "
                                      "tariff)", 0.0, ge=0, le=MAX_MTPA)
    commitment_link: str = plain("Link the ship-or-pay volume is measured on", "")


# file name -> (row model, id column or None). The order is the order of loading and of the docs.
TABLES: dict[str, tuple[type[Row], str | None]] = {
    "sources.csv": (Source, "id"),
    "grades.csv": (Grade, "id"),
    "nodes.csv": (Node, "id"),
    "links.csv": (Link, "id"),
    "production.csv": (Production, None),
    "markets.csv": (Market, "node"),
    "years.csv": (YearBalance, "year"),
    "background_flows.csv": (BackgroundFlow, None),
    "contracts.csv": (Contract, None),
    "capacities.csv": (Capacity, None),
    "blend_limits.csv": (BlendLimit, "node"),
    "routes.csv": (Route, "id"),
    "quotes.csv": (Quote, "id"),
    "units.csv": (LoadingUnits, "node"),
    "fields.csv": (FieldOperation, "field"),
    "stocks.csv": (NormalStock, "node"),
    "production_variants.csv": (ProductionVariant, None),
    "options.csv": (Option, "id"),
    "fiscal.csv": (FiscalRule, None),
}
OPTIONAL_TABLES = {"blend_limits.csv", "quotes.csv", "contracts.csv", "background_flows.csv", "units.csv", "fields.csv",
                   "stocks.csv", "production_variants.csv", "options.csv", "fiscal.csv",
                   "capacities.csv"}
