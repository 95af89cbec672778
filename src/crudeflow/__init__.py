"""crudeflow: where a landlocked exporter's crude should go, what a disruption costs, how much export is at risk.

>>> import crudeflow
>>> ds = crudeflow.load("kazakhstan")
>>> "cpc_kz" in ds.network.links.index
True
>>> round(ds.dispatch(2024).exports_mtpa, 1) > 0
True
"""

from crudeflow.api import Dataset, load
from crudeflow.network import Network

__all__ = ["Dataset", "Network", "load"]
__version__ = "0.1.0"
