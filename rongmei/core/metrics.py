"""Prometheus metrics. Under gunicorn set PROMETHEUS_MULTIPROC_DIR so every worker's counts
are summed (prometheus_client's multiprocess mode)."""

import os

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest, multiprocess

REQUESTS = Counter("rongmei_http_requests_total", "HTTP requests", ["method", "route", "status"])
LATENCY = Histogram(
    "rongmei_http_request_duration_seconds", "HTTP request latency", ["route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)


def render_latest() -> bytes:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry)
    from prometheus_client import REGISTRY

    return generate_latest(REGISTRY)
