"""Export risk over a year of random disruptions: outage models, sequential Monte Carlo, metrics."""
