"""The network: schema, loading and validation, provenance."""

from crudeflow.network.network import Network, load

__all__ = ["Network", "load"]
