"""Price events in the risk study: sanctions that widen a discount or a buyer ban, as random events with a
rate, a length and a discount (models.py: the table risk/price_events.csv, read and checked); what a
discount takes from an option's year, from its own annual dispatch with and without it (loss.py); each
sample-year's events from their own stream and the year's discount loss (draw.py); and the per-sample figure
and metrics added to a risk study's result (figures.py). docs/risk-prices.md describes the model."""

from crudeflow.risk.prices.figures import PriceEvents, discount_columns, price_events_for, with_price_events
from crudeflow.risk.prices.models import PriceModel, PriceModels, load_price_models

__all__ = [
           "PriceEvents",
           "PriceModel",
           "PriceModels",
           "discount_columns",
           "load_price_models",
           "price_events_for",
           "with_price_events",
]
