"""Production telemetry: Prometheus metrics about requests, inputs and predictions."""
