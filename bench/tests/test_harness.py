"""``rongmei bench`` keeps its contract: a JSON report on the last line, real load, no errors.

The end-to-end test runs the real thing — gunicorn in the production profile on the bench's
own database (a temporary SQLite file, or ``<name>_bench`` when DATABASE_URL names
PostgreSQL; never pytest's test database), load from separate processes — but measures
for one second with two workers, so it stays quick. Figures are never asserted: they belong
to the machine, and docs/benchmarks.md records them.
"""

from __future__ import annotations

import io
import json
import os
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from bench.load import LoadResult
from bench.scenarios import SCENARIOS, Scenario, Target, register
from bench.stack import Database

CONTRACT = {"scenario", "requests", "rps", "p50_ms", "p95_ms", "p99_ms", "errors", "floor_rps",
            "ratio"}


@pytest.mark.skipif(not (settings.NODE_MODULES / "weui").is_dir(),
                    reason="front-end packages are missing (run `make install`): the bench's "
                           "collectstatic needs node_modules")
def test_bench_prints_a_json_report_per_scenario_measured_against_the_floor():
    out = io.StringIO()
    # One warm-up second: on a loaded CI machine the first (uncached) request alone can take
    # longer than a cold one-second window, which then measured nothing.
    call_command("bench", "floor", "home-cached", "--duration", "2", "--warmup", "1",
                 "--workers", "2", "--concurrency", "4", stdout=out)

    lines = out.getvalue().splitlines()
    reports = [json.loads(line) for line in lines if line.startswith("{")]
    assert json.loads(lines[-1]) == reports[-1]
    assert [report["scenario"] for report in reports] == ["floor", "home-cached"]
    for report in reports:
        assert CONTRACT <= report.keys()
        assert report["requests"] > 0 and report["floor_requests"] > 0
        assert report["errors"] == 0 and report["floor_errors"] == 0
        assert report["rps"] > 0 and report["floor_rps"] > 0 and report["ratio"] > 0
        assert report["ratio"] == pytest.approx(report["rps"] / report["floor_rps"], rel=0.01)
        assert 0 < report["p50_ms"] <= report["p95_ms"] <= report["p99_ms"]
        assert report["database"] == ("postgresql" if _postgres_configured() else "sqlite")
        assert report["cache"] == ("redis" if os.environ.get("REDIS_URL") else "locmem")
    home = reports[1]
    assert home["page_cache_hits"] > 0, "the home page was never answered from the page cache"


def _postgres_configured() -> bool:
    return os.environ.get("DATABASE_URL", "").startswith(("postgres", "pgsql"))


def test_bench_uses_its_own_database_never_the_callers(tmp_path):
    postgres = Database.for_environment(
        {"DATABASE_URL": "postgres://postgres@127.0.0.1:5432/rongmei_ci"}, tmp_path)
    assert postgres.name == "rongmei_ci_bench"
    assert postgres.url == "postgres://postgres@127.0.0.1:5432/rongmei_ci_bench"
    named = Database.for_environment(
        {"DATABASE_URL": "postgres://postgres@127.0.0.1:5432/rongmei_bench"}, tmp_path)
    assert named.name == "rongmei_bench"

    mine = Database.for_environment({"DATABASE_URL": "sqlite:////srv/rongmei.sqlite3"}, tmp_path)
    assert mine.engine == "sqlite" and Path(mine.name).parent == tmp_path
    assert Database.for_environment({}, tmp_path).url == f"sqlite:///{tmp_path}/bench.sqlite3"


def test_percentiles_are_nearest_rank():
    result = LoadResult(requests=100, errors=0, elapsed=2.0,
                        latencies_ms=[float(ms) for ms in range(1, 101)])
    assert result.rps == 50
    assert (result.percentile_ms(50), result.percentile_ms(95), result.percentile_ms(99)) == (
        50.0, 95.0, 99.0)


def test_a_scenario_joins_the_registry_by_name(monkeypatch):
    monkeypatch.setattr("bench.scenarios.SCENARIOS", dict(SCENARIOS))
    from bench import scenarios

    @register
    class Healthz(Scenario):
        name = "healthz-test"
        summary = "health check"

        def targets(self, context):
            return [Target("/healthz")]

    assert scenarios.SCENARIOS["healthz-test"].targets({}) == [Target("/healthz")]
    with pytest.raises(ValueError):
        register(Healthz)
