"""Charts as plain Plotly figure dicts, each with the table and CSV of its numbers.

Pure: plain data in, a `Chart` out; no database, no Flask. The modules:

- `base`: `Chart`, `Column`, `Texts`, colours and the figure parts the others compose;
- `portfolio`: the portfolio dashboard's charts;
- `municipality`: a municipality's dashboard charts;
- `pilot`: the pilot page's charts;
- `projection`: the pilot page's scale-up projection (decision support).

The dashboards and pilots blueprints both import from here, never from each other.
"""
