"""A worker's view of itself for operators: counts per batch, lag, /metrics and /healthz."""
