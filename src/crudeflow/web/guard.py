"""What the web app accepts, written once: the address it binds, the size of a request and of a run, and the
names a request may carry (only names the dataset offers: a request never carries a path to the file system).
"""

from __future__ import annotations

import re
from collections.abc import Collection

from crudeflow.errors import CrudeflowError

LOCALHOST = "127.0.0.1"
DEFAULT_PORT = 8050
# A callback's inputs are a few hundred bytes (a page's controls); 64 KiB leaves room and refuses uploads.
MAX_BODY_BYTES = 64 * 1024
MAX_RISK_SAMPLES = 2_000  # about an hour on one core: more belongs to `crudeflow risk --runner`
# The fast tier plays 10,000 sample-years in a fraction of a second once its tables are built (about 5 s per
# option); two-tier adds the exact operator on as many as its target equivalent needs (at most 2,000: minutes).
MAX_FAST_RISK_SAMPLES = 20_000
# A plan values every portfolio in every year (about 0.15 s each on one busy core): 6 options form at most 64
# portfolios, so 5 years are at most 320 portfolio-years, under a minute; more belongs to `crudeflow plan`.
MAX_PLAN_OPTIONS = 6
MAX_PLAN_YEARS = 5
MAX_OUTAGE_DAYS = 366
DAYS_AFTER_OUTAGE = 60  # the built scenario runs on after the outage, so fields restart and stocks drain
DAYS_BEFORE_OUTAGE = 5  # ... and starts a few undisturbed days before it, for the charts
SESSION = re.compile(r"^[0-9a-f]{32}$")


class RequestRefused(CrudeflowError):
    """A request the app will not serve; its message is shown to the user."""


def known(value: object, allowed: Collection[str], what: str) -> str:
    """`value` if it is one of the names the dataset offers (`allowed`); anything else, a path above all, is
    refused without touching the file system."""
    if not isinstance(value, str) or value not in allowed:
        shown = value if isinstance(value, str | int | float) or value is None else type(value).__name__
        raise RequestRefused(f"unknown {what} {str(shown)[:80]!r}: choose one the dataset offers")
    return value


def whole(value: object, low: int, high: int, what: str) -> int:
    """A whole number from a form field, within [low, high]."""
    if isinstance(value, bool) or not isinstance(value, int | float) or value != int(value) \
            or not low <= value <= high:
        raise RequestRefused(f"{what} must be a whole number from {low} to {high}, got {str(value)[:40]!r}")
    return int(value)


def share(value: object, what: str) -> float:
    """A percentage from a slider, 0..100, as a share 0..1."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 100:
        raise RequestRefused(f"{what} must be a percentage from 0 to 100, got {str(value)[:40]!r}")
    return float(value) / 100


def amount(value: object, low: float, high: float, what: str) -> float:
    """A number from a form field, finite and within [low, high]."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
        raise RequestRefused(f"{what} must be a number from {low:g} to {high:g}, got {str(value)[:40]!r}")
    return float(value)


def session_id(value: object) -> str:
    """The per-tab id the page made for itself: 32 hex digits, nothing else."""
    if not isinstance(value, str) or not SESSION.match(value):
        raise RequestRefused("this page has no valid session; reload it")
    return value


def bind_note(host: str) -> str | None:
    """What to tell the operator when the app is to listen beyond this machine."""
    if host == LOCALHOST:
        return None
    return (f"crudeflow serve: listening on {host}, not only on {LOCALHOST}: anyone who can reach this machine "
            "can use the app and make it compute; it has no login")
