"""Integrations with other tools; each needs its own extra (e.g. `pip install 'nba[dask]'`)."""
