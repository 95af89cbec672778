"""The fleet simulation against hand-computed and closed-form answers, and its invariants."""

from __future__ import annotations

import itertools
import math
from pathlib import Path

import numpy as np
import pytest
import simpy
from hypothesis import given, settings
from hypothesis import strategies as st

from crudeflow.fleet import closed_form as cf
from crudeflow.fleet.inputs import Fleet, FleetGroup, FleetInputs, load_fleet_inputs
from crudeflow.fleet.model import MAINTENANCE, WEATHER, RunOptions, simulate_replication
from crudeflow.fleet.run import simulate_fleet
from crudeflow.fleet.schema import Leg, Port, TankerClass, WeatherSeason
from crudeflow.fleet.tank import ShoreTank
from crudeflow.fleet.weather import HOURS_PER_YEAR, Closures, draw_closures, expected_closed_fraction

CALM = {"weather": False, "maintenance": False}


@pytest.fixture(scope="module")
def kazakhstan() -> FleetInputs:
    return load_fleet_inputs("kazakhstan")


def one_leg(*, distance_km: float = 400, laden_knots: float = 11, ballast_knots: float = 12, dwt_t: float = 10000,
            load_pump: float = 1.0, discharge_pump: float = 1.0, overhead_h: float = 4, formalities_h: float = 6,
            load_berths: int = 1, discharge_berths: int = 1, inflow_mtpa: float = 50.0,
            outflow_mtpa: float = 50.0, tank_kt: float = 200.0, start: float = 0.5) -> FleetInputs:
    """A made-up single leg A -> B with generous tanks and flows unless told otherwise."""
    tanker = TankerClass(id="t", name="t", dwt_t=dwt_t, cargo_fraction=1.0, laden_speed_knots=laden_knots,
                         ballast_speed_knots=ballast_knots, load_rate_kt_per_h=10, discharge_rate_kt_per_h=10,
                         maintenance_days_per_year=20)

    def port(pid: str, role: str, berths: int, pump: float) -> Port:
        return Port.model_validate({
            "id": pid, "name": pid, "node": pid, "role": role, "oil_berths": berths, "pump_rate_kt_per_h": pump,
            "berth_overhead_h": overhead_h, "formalities_h": formalities_h, "tank_kt": tank_kt,
            "tank_start_fraction": start, "inflow_mtpa": inflow_mtpa if role == "load" else None,
            "outflow_mtpa": outflow_mtpa if role == "discharge" else None})

    ports = {"a": port("a", "load", load_berths, load_pump), "b": port("b", "discharge", discharge_berths,
                                                                        discharge_pump)}
    legs = {"a_b": Leg(id="a_b", from_port="a", to_port="b", distance_km=distance_km)}
    return FleetInputs(Path("made-up"), {"t": tanker}, ports, legs, {}, {}, ())


def fleet_of(n: int) -> Fleet:
    return Fleet(f"{n} tankers", (FleetGroup("t", n, "b"),))


def mtpa(inputs: FleetInputs, fleet: Fleet, **options: bool) -> float:
    rep = simulate_replication(inputs, fleet, RunOptions(**options), seed=0, index=0)
    return sum(rep.delivered_kt.values()) / 1000.0


# ---- closed form, by hand and against the simulation ------------------------------------------------
def test_cycle_by_hand() -> None:
    c = cf.cycle(one_leg(distance_km=1.852 * 100, laden_knots=10, ballast_knots=20), "t", "a_b")
    # 10 h laden, 5 h ballast, 2 x 6 h formalities, 2 x (4 h + 10 kt / 1 kt/h) at berth
    assert (c.laden_h, c.ballast_h, c.load_berth_h, c.discharge_berth_h) == pytest.approx((10, 5, 14, 14))
    assert c.total_h == pytest.approx(55)
    assert c.mtpa() == pytest.approx(10 * 8760 / 55 / 1000)


def test_one_tanker_matches_closed_form_within_one_voyage(kazakhstan: FleetInputs) -> None:
    fleet = kazakhstan.fleet("newbuild-1")
    rep = simulate_replication(kazakhstan, fleet, RunOptions(**CALM), seed=0, index=0)
    c = cf.cycle(kazakhstan, "newbuild", "aktau_baku")
    assert abs(rep.voyages["newbuild#1"] - c.voyages_per_year) <= 1
    assert abs(rep.delivered_kt["aktau_baku"] / 1000 - c.mtpa()) <= c.cargo_kt / 1000


def test_one_tanker_over_several_years_and_replications(kazakhstan: FleetInputs) -> None:
    result = simulate_fleet(kazakhstan, kazakhstan.fleet("newbuild-1"), replications=2, years=3, **CALM)
    c = cf.cycle(kazakhstan, "newbuild", "aktau_baku")
    for rep in result.replications:
        assert abs(rep.voyages["newbuild#1"] - 3 * c.voyages_per_year) <= 1
    assert result.total().std_err == 0.0  # nothing random when weather and maintenance are off


def test_maintenance_takes_its_days(kazakhstan: FleetInputs) -> None:
    rep = simulate_replication(kazakhstan, kazakhstan.fleet("newbuild-1"), RunOptions(weather=False), 0, 0)
    hours = sum(h for (_, state, _), h in rep.hours.items() if state == MAINTENANCE)
    assert hours == pytest.approx(20 * 24)
    alone = cf.tanker_alone_mtpa(kazakhstan, kazakhstan.fleet("newbuild-1").vessels()[0])
    assert abs(sum(rep.delivered_kt.values()) / 1000 - alone) <= 10.8 / 1000 * 1.5


def test_every_hour_of_every_tanker_is_accounted_for(kazakhstan: FleetInputs) -> None:
    rep = simulate_replication(kazakhstan, kazakhstan.fleet("caspian-tankers-6"), RunOptions(), 3, 1)
    for vessel in kazakhstan.fleet("caspian-tankers-6").vessels():
        total = sum(h for (v, _, _), h in rep.hours.items() if v == vessel.name)
        assert total == pytest.approx(HOURS_PER_YEAR)


# ---- reproducibility -----------------------------------------------------------------------------
def test_same_seed_same_results_and_order_does_not_matter(kazakhstan: FleetInputs) -> None:
    fleet = kazakhstan.fleet("present")
    a = simulate_fleet(kazakhstan, fleet, replications=4, seed=7)
    b = simulate_fleet(kazakhstan, fleet, replications=4, seed=7)
    assert a.throughput().equals(b.throughput())
    alone = simulate_replication(kazakhstan, fleet, RunOptions(), seed=7, index=3)
    assert alone.delivered_kt == a.replications[3].delivered_kt
    other = simulate_fleet(kazakhstan, fleet, replications=4, seed=8)
    assert not other.throughput().equals(a.throughput())


def test_adding_a_tanker_keeps_the_storms(kazakhstan: FleetInputs) -> None:
    small = simulate_fleet(kazakhstan, kazakhstan.fleet("present"), replications=1)
    large = simulate_fleet(kazakhstan, kazakhstan.fleet("caspian-tankers-6"), replications=1)
    assert small.replications[0].closures["aktau"] == large.replications[0].closures["aktau"]


# ---- monotone in fleet size, saturating at the closed-form limit (property tests) ------------------
legs = st.fixed_dictionaries({
    "distance_km": st.floats(100, 600), "laden_knots": st.floats(8, 14), "ballast_knots": st.floats(8, 15),
    "dwt_t": st.floats(5000, 15000), "load_pump": st.floats(0.5, 2.0), "discharge_pump": st.floats(0.5, 2.0),
    "overhead_h": st.floats(0, 8), "formalities_h": st.floats(0, 8), "load_berths": st.integers(1, 3),
    "discharge_berths": st.integers(1, 3), "inflow_mtpa": st.floats(1, 12), "outflow_mtpa": st.floats(1, 12),
})


def limit_with_stocks(inputs: FleetInputs, fleet: Fleet) -> float:
    """The closed-form limit plus the stock a one-year run starts with (oil at A, room at B)."""
    a, b = inputs.ports["a"], inputs.ports["b"]
    bounds = cf.port_bounds(inputs, fleet)
    inflow = a.inflow_mtpa + a.tank_kt * a.tank_start_fraction / 1000  # type: ignore[operator]
    outflow = b.outflow_mtpa + b.tank_kt * (1 - b.tank_start_fraction) / 1000  # type: ignore[operator]
    return min(bounds.at["a", "berths_mtpa"], bounds.at["b", "berths_mtpa"], inflow, outflow)


@settings(max_examples=15, deadline=None)
@given(legs)
def test_more_tankers_never_carry_less(params: dict[str, float]) -> None:
    inputs = one_leg(**params)  # type: ignore[arg-type]
    cargo_mt = inputs.tankers["t"].cargo_kt / 1000
    carried = [mtpa(inputs, fleet_of(n), **CALM) for n in range(1, 8)]
    for smaller, larger in itertools.pairwise(carried):
        # whole cargoes count when discharged, so the end of the year can cut one off
        assert larger >= smaller - cargo_mt - 1e-9
    assert carried[-1] >= carried[0]


@settings(max_examples=15, deadline=None)
@given(legs)
def test_throughput_saturates_at_the_closed_form_limit(params: dict[str, float]) -> None:
    inputs = one_leg(**params)  # type: ignore[arg-type]
    cargo_mt = inputs.tankers["t"].cargo_kt / 1000
    per_tanker = cf.tanker_alone_mtpa(inputs, fleet_of(1).vessels()[0], maintenance=False)
    limit = limit_with_stocks(inputs, fleet_of(1))
    n = math.ceil(limit / per_tanker) + 3
    carried = mtpa(inputs, fleet_of(n), **CALM)
    assert carried <= limit + cargo_mt + 1e-9
    assert carried >= limit * 0.97 - 2 * cargo_mt
    assert mtpa(inputs, fleet_of(n + 3), **CALM) == pytest.approx(carried, abs=2 * cargo_mt)


def test_berth_limit_binds_with_one_slow_berth() -> None:
    inputs = one_leg(load_pump=0.25, distance_km=100)  # 4 h + 40 h at the single load berth
    limit = cf.port_bounds(inputs, fleet_of(1)).at["a", "berths_mtpa"]
    assert limit == pytest.approx(10 * 8760 / 44 / 1000)
    result = simulate_fleet(inputs, fleet_of(6), replications=1, **CALM)
    assert result.total().mean == pytest.approx(limit, rel=0.02)
    assert result.bottleneck().resource == "berths"
    assert result.bottleneck().port == "a"


def test_oil_supply_and_send_out_limits_bind() -> None:
    fed = simulate_fleet(one_leg(inflow_mtpa=1.0), fleet_of(4), replications=1, **CALM)
    assert fed.total().mean == pytest.approx(1.0 + 0.1, abs=0.02)  # feed plus the 100 kt it starts with
    assert fed.bottleneck().resource == "oil supply"
    drained = simulate_fleet(one_leg(outflow_mtpa=1.0), fleet_of(4), replications=1, **CALM)
    assert drained.total().mean == pytest.approx(1.0 + 0.1, abs=0.02)
    assert drained.bottleneck().resource == "send-out"


def test_tankers_bind_when_few() -> None:
    result = simulate_fleet(one_leg(), fleet_of(1), replications=1, **CALM)
    assert result.bottleneck().resource == "tankers"


# ---- parts ---------------------------------------------------------------------------------------
def test_tank_waits_for_inflow_first_come_first_served() -> None:
    env = simpy.Environment()
    tank = ShoreTank(env, capacity_kt=20, level_kt=5, flow_kt_per_h=1.0)
    done: dict[str, float] = {}

    def tanker(name: str, cargo: float):  # type: ignore[no-untyped-def]
        yield tank.withdraw(cargo)
        done[name] = env.now

    env.process(tanker("first", 10))
    env.process(tanker("second", 3))
    env.run(until=100)
    assert done == {"first": pytest.approx(5.0), "second": pytest.approx(8.0)}
    assert tank.level_kt == pytest.approx(20)  # full since hour 28; the rest of the feed was turned away
    assert tank.full_h == pytest.approx(72)
    assert tank.unused_flow_kt == pytest.approx(72)


def test_tank_with_outflow_makes_room() -> None:
    env = simpy.Environment()
    tank = ShoreTank(env, capacity_kt=10, level_kt=8, flow_kt_per_h=-2.0)
    event = tank.deposit(6)
    env.run(until=event)
    assert env.now == pytest.approx(2.0)
    with pytest.raises(ValueError, match="cannot fit"):
        tank.deposit(11)


def test_work_pauses_in_storms() -> None:
    closures = Closures((10.0, 20.0), (12.0, 21.0))
    pieces = closures.work_segments(9.0, 10.0)
    assert pieces[-1][2] == pytest.approx(22.0)  # 10 h of work across 3 h of closures
    assert sum(e - s for working, s, e in pieces if not working) == pytest.approx(3.0)
    assert closures.work_segments(10.5, 1.0) == [(False, 10.5, 12.0), (True, 12.0, 13.0)]


def test_storms_are_seasonal_and_match_their_rates(kazakhstan: FleetInputs) -> None:
    seasons = kazakhstan.weather["aktau"]
    closures = draw_closures(seasons, 200, np.random.default_rng(1))
    winter = sum(1 for s in closures.starts_h if (s % HOURS_PER_YEAR) < 24 * 90)  # Jan-Mar
    summer = sum(1 for s in closures.starts_h if 24 * 120 <= (s % HOURS_PER_YEAR) < 24 * 212)  # May-Jul
    assert winter > 2 * summer
    expected = expected_closed_fraction(seasons)
    assert closures.closed_h / (200 * HOURS_PER_YEAR) == pytest.approx(expected, rel=0.1)


def test_weather_costs_throughput(kazakhstan: FleetInputs) -> None:
    fleet = kazakhstan.fleet("newbuild-1")
    calm = simulate_fleet(kazakhstan, fleet, replications=3, weather=False)
    stormy = simulate_fleet(kazakhstan, fleet, replications=3)
    assert stormy.total().mean < calm.total().mean
    assert any(state == WEATHER for rep in stormy.replications for (_, state, _) in rep.hours)


def test_no_seasons_means_never_closed() -> None:
    never = WeatherSeason(port="a", season="all", months=";".join(map(str, range(1, 13))),
                          closures_per_month=0, mean_closure_h=1)
    assert draw_closures([never], 2, np.random.default_rng(0)) == Closures()
