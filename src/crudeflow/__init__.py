"""crudeflow: where a landlocked exporter's crude should go, what a disruption costs, how much export is at risk.

>>> import crudeflow
>>> net = crudeflow.load("kazakhstan")
>>> "cpc_kz" in net.links.index
True
"""

from crudeflow.network import Network, load

__all__ = ["Network", "load"]
__version__ = "0.1.0"
