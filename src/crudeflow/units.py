"""Units of crude volume and rate, converted in one tested place.

Kazakh statistics speak million tonnes a year (Mt/yr); markets speak barrels per day. A tonne holds a
number of barrels that depends on the crude's density, so every mass-to-volume conversion takes the
grade's API gravity.
"""

from __future__ import annotations

import math

M3_PER_BBL = 0.158987294928  # exact: 42 US gallons
WATER_DENSITY_T_PER_M3_60F = 0.999016  # water at 60 °F, the API reference temperature
DAYS_PER_YEAR = 365  # annual figures are spread over 365 days, and a sample-year has 365; leap days are ignored
HOURS_PER_YEAR = DAYS_PER_YEAR * 24.0
KT_PER_MT = 1000.0
KT_PER_DAY_PER_MTPA = KT_PER_MT / DAYS_PER_YEAR  # an annual rate as a daily one, for array arithmetic
T_PER_KT = 1000.0
MASS_UNITS_KT = {"kt": 1.0, "t": 1.0 / T_PER_KT, "Mt": KT_PER_MT}

MASS_RATE_UNITS = {"Mt/yr": 1.0, "kt/day": DAYS_PER_YEAR / 1000.0, "t/day": DAYS_PER_YEAR / 1e6}
VOLUME_RATE_UNITS = {"bpd": 1.0, "kbpd": 1e3, "mbpd": 1e6}
OUTPUT_UNITS = ("mtpa", "kbpd")


def specific_gravity(api_gravity: float) -> float:
    """Specific gravity at 60 °F from API gravity: SG = 141.5 / (API + 131.5)."""
    if not math.isfinite(api_gravity) or api_gravity <= -131.5:
        raise ValueError(f"API gravity {api_gravity} is not a physical value")
    return 141.5 / (api_gravity + 131.5)


def density_t_per_m3(api_gravity: float) -> float:
    return specific_gravity(api_gravity) * WATER_DENSITY_T_PER_M3_60F


def bbl_per_t(api_gravity: float) -> float:
    """Barrels in one tonne of crude of this API gravity (about 7.3 for Urals, 7.9 for CPC Blend)."""
    return 1.0 / (density_t_per_m3(api_gravity) * M3_PER_BBL)


def kbpd_per_mtpa(bbl_per_tonne: float) -> float:
    """Thousand barrels a day in one Mt/yr of crude holding `bbl_per_tonne` barrels a tonne."""
    return bbl_per_tonne * 1e6 / DAYS_PER_YEAR / 1e3


def bbl_to_kt(bbl: float, api_gravity: float) -> float:
    return bbl / bbl_per_t(api_gravity) / 1e3


def mtpa_to_kbpd(mtpa: float, api_gravity: float) -> float:
    return mtpa * 1e6 * bbl_per_t(api_gravity) / DAYS_PER_YEAR / 1e3


def kbpd_to_mtpa(kbpd: float, api_gravity: float) -> float:
    return kbpd * 1e3 * DAYS_PER_YEAR / bbl_per_t(api_gravity) / 1e6


def mtpa_to_kt_per_day(mtpa: float) -> float:
    return mtpa * 1000.0 / DAYS_PER_YEAR


def kt_per_day_to_mtpa(kt_per_day: float) -> float:
    return kt_per_day * DAYS_PER_YEAR / 1000.0


def mtpa_to_kt_per_h(mtpa: float) -> float:
    return mtpa * 1000.0 / HOURS_PER_YEAR


def to_mtpa(value: float, unit: str, api_gravity: float | None = None) -> float:
    """Convert a rate in any known unit to Mt/yr; barrel units need the crude's API gravity."""
    if unit in MASS_RATE_UNITS:
        return value * MASS_RATE_UNITS[unit]
    if unit in VOLUME_RATE_UNITS:
        if api_gravity is None:
            raise ValueError(f"converting {unit} to Mt/yr needs the crude's API gravity")
        return kbpd_to_mtpa(value * VOLUME_RATE_UNITS[unit] / 1e3, api_gravity)
    known = ", ".join([*MASS_RATE_UNITS, *VOLUME_RATE_UNITS])
    raise ValueError(f"unknown rate unit {unit!r}; known: {known}")


def from_mtpa(mtpa: float, unit: str, api_gravity: float | None = None) -> float:
    """Convert Mt/yr to any known rate unit (the inverse of to_mtpa)."""
    return mtpa / to_mtpa(1.0, unit, api_gravity)


def usd_per_bbl_to_usd_per_t(usd_per_bbl: float, api_gravity: float) -> float:
    return usd_per_bbl * bbl_per_t(api_gravity)
