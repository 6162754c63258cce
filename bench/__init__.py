"""Load benchmarks for Rongmei: ``rongmei bench SCENARIO`` (see docs/benchmarks.md).

Every figure is a ratio to the floor — the hello-world endpoint ``/_hello`` served by the
same gunicorn in the same run — because absolute numbers on a shared machine are noise.

Modules:

* ``scenarios`` — what each scenario requests; the registry new scenarios join.
* ``stack``     — the bench's own database, static files and gunicorn server (child processes).
* ``load``      — the load generator, run in separate processes over keep-alive HTTP/1.1.
* ``runner``    — floor, then scenario; the JSON report.
* ``prepare``, ``server`` — entry points of the child processes (``python -m bench.…``).
"""


class BenchError(RuntimeError):
    """The bench could not set up or run; the message says why, in Chinese."""
