"""The export network: validated tables of nodes, links, grades and yearly data, and what can be asked
of them (capacities net of other shippers, contracts in force, the country a link enters)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast

import pandas as pd

from crudeflow.errors import InputError
from crudeflow.network.loading_units import lost_share, normal_throughput_mtpa, share_left
from crudeflow.network.schema import OPTIONAL_TABLES, SINK_KINDS, TABLES, Contract, Link, Node
from crudeflow.tables import Provenance, Tables, check_sources, read_tables, rows_as_dicts, split_list
from crudeflow.units import bbl_per_t

DATA_ROOT = Path(__file__).resolve().parent.parent / "data"
DEFAULT_DATASET = "kazakhstan"  # the built-in dataset read when none is named; the one place that names it


@dataclass
class Network:
    """Tables indexed by id (PyPSA's 'static' data). Yearly tables keep a `year` column."""

    name: str
    grades: pd.DataFrame
    nodes: pd.DataFrame
    links: pd.DataFrame
    production: pd.DataFrame
    markets: pd.DataFrame
    years: pd.DataFrame
    background_flows: pd.DataFrame
    contracts: pd.DataFrame
    blend_limits: pd.DataFrame
    routes: pd.DataFrame
    quotes: pd.DataFrame
    sources: pd.DataFrame
    units: pd.DataFrame  # node → working_units, unit_rate_mtpa: terminals loading through parallel units
    fields: pd.DataFrame  # field → restart_days, recovery_days
    stocks: pd.DataFrame  # node → normal_stock_kt
    production_variants: pd.DataFrame
    options: pd.DataFrame
    fiscal: pd.DataFrame
    provenance: list[Provenance] = field(repr=False)
    folder: Path = field(repr=False)
    capacities: pd.DataFrame = field(default_factory=pd.DataFrame)  # link, year: capacity in that year

    # ---- questions the engines ask -------------------------------------------------------------
    def bbl_per_t(self, grade: str) -> float:
        return bbl_per_t(float(self.grades.at[grade, "api_gravity"]))

    def normal_throughput_mtpa(self) -> pd.Series:
        """Each node's limit in normal operation (terminals with units: the working set's loading), NaN if none."""
        return normal_throughput_mtpa(self.nodes, self.units)

    def share_left(self, node: str, units_out: int) -> float:
        """Share of a node's normal capacity left with `units_out` of its loading units out (loading_units.py)."""
        return share_left(self.nodes, self.units, node, units_out)

    def lost_share(self, asset: str, shares_lost: float, units_out: int) -> float:
        """Share of an asset's normal capacity that outages taking `shares_lost` and `units_out` units take."""
        return lost_share(self.nodes, self.units, asset, shares_lost, units_out)

    def has_units(self, node: str) -> bool:
        """Whether the node loads through units that an outage can count (`units_out`), as units.csv says."""
        return node in self.units.index

    def links_in_service(self, year: int) -> pd.DataFrame:
        """Operating links, and proposed links whose first year has come, with the year's capacity where
        capacities.csv gives one."""
        links = self.links
        proposed_ready = (links["status"] == "proposed") & (links["first_year"].fillna(9999) <= year)
        in_service = links[(links["status"] == "operating") | proposed_ready]
        if self.capacities.empty:
            return in_service
        year_rows = self.capacities[self.capacities["year"] == year].set_index("link")["capacity_mtpa"]
        year_rows = year_rows[year_rows.index.isin(in_service.index)]
        if year_rows.empty:
            return in_service
        in_service = in_service.copy()
        in_service.loc[year_rows.index, "capacity_mtpa"] = year_rows.astype(float)
        return in_service

    def production_mtpa(self, year: int) -> pd.Series:
        rows = self.production[self.production["year"] == year]
        if rows.empty:
            known = sorted(self.production["year"].unique())
            raise InputError(self.folder / "production.csv", f"no production for year {year}; years: {known}")
        return rows.set_index("field")["production_mtpa"]

    def output_variants(self) -> list[str]:
        """The output paths production_variants.csv names (production.csv itself is the path 'plan' follows)."""
        return sorted(set(self.production_variants["variant"]))

    def with_output_variant(self, variant: str | None) -> Network:
        """A copy whose production follows `variant` in the years production_variants.csv gives for it; None keeps
        production.csv as it is."""
        if variant is None:
            return self
        rows = self.production_variants[self.production_variants["variant"] == variant]
        if rows.empty:
            raise InputError(self.folder / "production_variants.csv",
                             f"no output variant {variant!r}; variants: {self.output_variants()}")
        replaced = self.production.set_index(["field", "year"])
        new = rows.set_index(["field", "year"])["production_mtpa"]
        keep = replaced[~replaced.index.isin(new.index)].reset_index()
        added = new.reset_index()
        production = pd.concat([keep, added], ignore_index=True)[list(self.production.columns)]
        return dataclasses.replace(self, production=production)

    def background_mtpa(self, year: int) -> pd.Series:
        """Other shippers' volume on each link (Mt/yr), summed over their flows."""
        volume = pd.Series(0.0, index=self.links.index)
        for _, flow in self.background_flows[self.background_flows["year"] == year].iterrows():
            for link in split_list(flow["links"]):
                volume[link] += flow["volume_mtpa"]
        return volume

    def contracts_for(self, year: int) -> pd.DataFrame:
        c = self.contracts
        return c[c["year"].isna() | (c["year"] == year)]

    def year_row(self, year: int) -> pd.Series:
        if year not in self.years.index:
            raise InputError(self.folder / "years.csv", f"no row for year {year}; years: {list(self.years.index)}")
        return self.years.loc[year]

    def sinks(self) -> pd.Index:
        return self.nodes.index[self.nodes["kind"].isin(SINK_KINDS)]

    def export_sinks(self) -> pd.Index:
        return self.nodes.index[self.nodes["kind"].isin(("terminal", "border"))]

    def entry_links(self, country: str) -> pd.Index:
        """Links on which oil enters `country` from elsewhere: counting flow there counts each barrel once."""
        from_country = self.nodes.loc[self.links["from_node"], "country"].to_numpy()
        enters = [
            country in split_list(cs) and origin != country
            for cs, origin in zip(self.links["countries"], from_country, strict=True)
        ]
        return self.links.index[enters]


def dataset_folder(name_or_path: str | Path = DEFAULT_DATASET) -> Path:
    """The folder of a built-in dataset (by name) or of a dataset folder (by path)."""
    folder = Path(name_or_path)
    if not folder.is_dir():
        folder = DATA_ROOT / str(name_or_path)
        if not folder.is_dir():
            builtin = sorted(p.name for p in DATA_ROOT.iterdir() if p.is_dir())
            raise InputError(name_or_path, f"no such dataset folder or built-in dataset; built-in: {builtin}")
    return folder


def load(name_or_path: str | Path = DEFAULT_DATASET) -> Network:
    """Load a built-in dataset by name, or a dataset folder by path, validated."""
    raw = read_dataset(dataset_folder(name_or_path))
    network = _assemble(raw)
    _check_references(raw, network)
    return network


def read_dataset(folder: Path) -> Tables:
    """The network tables of a dataset folder, each row checked, every source id known to sources.csv."""
    if not folder.is_dir():
        raise InputError(folder, "dataset folder not found")
    raw = read_tables(folder, TABLES, optional=OPTIONAL_TABLES)
    check_sources(folder, raw.provenance, {row.id for row in raw.rows["sources.csv"]})  # type: ignore[attr-defined]
    return raw


def _frame(raw: Tables, table: str, index: str | None) -> pd.DataFrame:
    model, _ = TABLES[table]
    frame = pd.DataFrame(rows_as_dicts(raw.rows[table]), columns=list(model.model_fields))
    return frame.set_index(index, drop=False) if index else frame


def _assemble(raw: Tables) -> Network:
    return Network(
        name=raw.folder.name,
        grades=_frame(raw, "grades.csv", "id"),
        nodes=_frame(raw, "nodes.csv", "id"),
        links=_frame(raw, "links.csv", "id"),
        production=_frame(raw, "production.csv", None),
        markets=_frame(raw, "markets.csv", "node"),
        years=_frame(raw, "years.csv", "year"),
        background_flows=_frame(raw, "background_flows.csv", None),
        contracts=_frame(raw, "contracts.csv", None),
        blend_limits=_frame(raw, "blend_limits.csv", "node"),
        routes=_frame(raw, "routes.csv", "id"),
        quotes=_frame(raw, "quotes.csv", "id"),
        sources=_frame(raw, "sources.csv", "id"),
        units=_frame(raw, "units.csv", "node"),
        fields=_frame(raw, "fields.csv", "field"),
        stocks=_frame(raw, "stocks.csv", "node"),
        production_variants=_frame(raw, "production_variants.csv", None),
        options=_frame(raw, "options.csv", "id"),
        fiscal=_frame(raw, "fiscal.csv", None),
        provenance=raw.provenance,
        folder=raw.folder,
        capacities=_frame(raw, "capacities.csv", None),
    )


def _check_references(raw: Tables, net: Network) -> None:
    """Foreign keys and cross-table rules, each failure pinned to the file line that breaks it."""
    nodes, links, grades = set(net.nodes.index), set(net.links.index), set(net.grades.index)
    fields = set(net.nodes.index[net.nodes["kind"] == "field"])
    sinks = set(net.sinks())
    checks: list[tuple[str, str, str, set[str], bool]] = [
        # table, column, what it must name, allowed ids, column holds a ';' list
        ("links.csv", "from_node", "node", nodes, False),
        ("links.csv", "to_node", "node", nodes, False),
        ("production.csv", "field", "field node", fields, False),
        ("production_variants.csv", "field", "field node", fields, False),
        ("markets.csv", "node", "sink node (terminal, border or refinery)", sinks, False),
        ("background_flows.csv", "links", "link", links, True),
        ("background_flows.csv", "grade", "grade", grades | {""}, False),
        ("contracts.csv", "link", "link", links, False),
        ("capacities.csv", "link", "link", links, False),
        ("blend_limits.csv", "node", "node", nodes, False),
        ("routes.csv", "measure_link", "link", links, False),
        ("routes.csv", "links", "link", links, True),
        ("quotes.csv", "source", "source", set(net.sources.index), False),
        ("fiscal.csv", "fields", "field node", fields, True),
        ("quotes.csv", "grade", "grade", grades | {""}, False),
        ("units.csv", "node", "node", nodes, False),
        ("fields.csv", "field", "field node", fields, False),
        ("stocks.csv", "node", "node", nodes, False),
    ]
    for table, column, what, allowed, is_list in checks:
        for i, row in enumerate(raw.rows[table]):
            cell = str(getattr(row, column))
            for value in split_list(cell) if is_list else [cell]:
                if value not in allowed:
                    raise InputError(
                        raw.folder / table, f"unknown {what}", raw.line_of(table, i), _id_of(row), column, value
                    )
    _check_row_rules(raw, grades)
    _check_operations(raw, net)


def _check_row_rules(raw: Tables, grades: set[str]) -> None:
    """Rules within one row that the column checks cannot express."""
    for i, node in enumerate(cast(list[Node], raw.rows["nodes.csv"])):
        if node.kind == "field" and node.grade not in grades:
            raise InputError(
                raw.folder / "nodes.csv",
                "a field needs a known grade",
                raw.line_of("nodes.csv", i),
                node.id,
                "grade",
                node.grade,
            )
    for i, link in enumerate(cast(list[Link], raw.rows["links.csv"])):
        if link.status == "proposed" and link.first_year is None:
            raise InputError(
                raw.folder / "links.csv",
                "a proposed link needs a first_year",
                raw.line_of("links.csv", i),
                link.id,
                "first_year",
            )
    for i, contract in enumerate(cast(list[Contract], raw.rows["contracts.csv"])):
        lo, hi = contract.min_mtpa, contract.max_mtpa
        if lo is not None and hi is not None and lo > hi:
            raise InputError(
                raw.folder / "contracts.csv",
                f"min_mtpa {lo} exceeds max_mtpa {hi}",
                raw.line_of("contracts.csv", i),
                contract.id,
                "min_mtpa",
                lo,
            )


def _check_operations(raw: Tables, net: Network) -> None:
    """A working set within the node's units; a normal stock within the node's storage."""
    for i, (node, row) in enumerate(net.units.iterrows()):
        if int(row["working_units"]) > int(net.nodes.at[node, "units"]):
            raise InputError(raw.folder / "units.csv", f"more working units than the node has "
                             f"(nodes.csv units = {net.nodes.at[node, 'units']})", raw.line_of("units.csv", i),
                             str(node), "working_units", row["working_units"])
    for i, (node, row) in enumerate(net.stocks.iterrows()):
        storage = net.nodes.at[node, "storage_kt"]
        if float(row["normal_stock_kt"]) > (float(storage) if pd.notna(storage) else 0.0):
            raise InputError(raw.folder / "stocks.csv", f"normal stock above the node's storage (nodes.csv "
                             f"storage_kt = {storage})", raw.line_of("stocks.csv", i), str(node),
                             "normal_stock_kt", row["normal_stock_kt"])


def _id_of(row: object) -> str:
    for key in ("id", "node", "field", "link"):
        if hasattr(row, key):
            return str(getattr(row, key))
    return ""
