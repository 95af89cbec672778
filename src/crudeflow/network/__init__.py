"""The network: schema, loading and validation, provenance."""

from crudeflow.network.network import DEFAULT_DATASET, Network, dataset_folder, load

__all__ = ["DEFAULT_DATASET", "Network", "dataset_folder", "load"]
