"""`crudeflow serve`: a local web app (Dash) over the front door, for an analyst who does not use a terminal.

Four pages ask what the command line asks, through the same `crudeflow.load(...)` methods and with the report
layer's Plotly figures: Network (a year's allocation on the map, with what-if capacities and a policy cap),
Disruption (a built-in or hand-built scenario day by day, its report and data to download), Risk (a Monte Carlo
study run off the request thread, with progress and cancel) and Data (every figure's source, and where sources
contradict each other). Layer: beside the CLI, above report. Safe by default (crudeflow.web.guard): it binds
127.0.0.1, refuses large requests and runs, takes names only from the dataset, writes only under its own
output folder and serves every script itself.
"""
