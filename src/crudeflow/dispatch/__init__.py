"""Annual dispatch: where each field's oil should go, as a linear programme solved by HiGHS."""

from crudeflow.dispatch.result import DispatchResult
from crudeflow.dispatch.solve import solve_dispatch

__all__ = ["DispatchResult", "solve_dispatch"]
