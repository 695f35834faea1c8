"""Pure domain rules (cost split, KPI progress, stages, business IDs, money); no Flask, no DB."""
