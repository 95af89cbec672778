"""The fast tier of the risk engine: a sampler vectorised across a chunk's sample-years (sampler.py), daily
loss rates per outage state solved once by the daily LP and cached on disk (tables.py), a daily recursion of
storage, shut-in and restart vectorised across samples (recursion.py), and the control-variate estimator that
corrects the fast tier by the exact operator on a random subset of the same sample-years (estimator.py)."""
