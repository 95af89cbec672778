import math

import pytest

from crudeflow import units


def test_cpc_blend_barrels_per_tonne():
    # 45 °API: SG = 141.5 / 176.5 = 0.8017; 1 / (0.8017 × 0.999016 × 0.158987) = 7.853 bbl/t
    assert units.bbl_per_t(45.0) == pytest.approx(7.853, abs=1e-3)


def test_water_gravity_is_one():
    assert units.specific_gravity(10.0) == pytest.approx(1.0)


def test_mtpa_kbpd_round_trip():
    for api in (20.0, 35.0, 45.0):
        assert units.kbpd_to_mtpa(units.mtpa_to_kbpd(7.0, api), api) == pytest.approx(7.0)


def test_one_mbpd_of_cpc_blend_is_about_46_mtpa():
    assert units.kbpd_to_mtpa(1000.0, 45.0) == pytest.approx(1e6 * 365 / 7.853 / 1e6, rel=1e-3)


def test_to_mtpa_and_back_for_every_unit():
    for unit in [*units.MASS_RATE_UNITS, *units.VOLUME_RATE_UNITS]:
        mtpa = units.to_mtpa(3.0, unit, 40.0)
        assert units.from_mtpa(mtpa, unit, 40.0) == pytest.approx(3.0)


def test_kt_per_day():
    assert units.mtpa_to_kt_per_day(36.5) == pytest.approx(100.0)
    assert units.kt_per_day_to_mtpa(100.0) == pytest.approx(36.5)


def test_barrels_need_a_grade():
    with pytest.raises(ValueError, match="API gravity"):
        units.to_mtpa(100.0, "kbpd")


def test_unknown_unit_is_named():
    with pytest.raises(ValueError, match="'Mt/y'"):
        units.to_mtpa(1.0, "Mt/y")


def test_unphysical_gravity():
    with pytest.raises(ValueError):
        units.specific_gravity(-200.0)
    assert math.isfinite(units.bbl_per_t(60.0))
