"""The stack under test: its own database and files, and gunicorn in the production profile.

Nothing here runs Django in the calling process. Every step that needs the application runs
in a child process whose environment (``Stack.environ``) selects the production profile
with DEBUG off and points at the bench's own data:

* database — with ``DATABASE_URL`` naming PostgreSQL, the database ``<name>_bench`` on the
  same server (created when missing, kept between runs, ``fresh=True`` recreates it);
  otherwise a SQLite file in a temporary directory, new every run. The caller's own
  database, and pytest's test database, are never touched.
* cache — ``REDIS_URL`` as given (without pytest-xdist's per-worker database offset);
  otherwise each gunicorn worker's in-process cache.
* static files — ``collectstatic`` into the temporary directory, hashed as in production
  but not compressed (``bench.settings`` says why).
* media — the temporary directory for SQLite; for PostgreSQL a folder kept beside the
  database (``var/bench/<name>/media``), since the seeded images live in both.
"""

from __future__ import annotations

import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from . import BenchError
from .scenarios import FLOOR

PROJECT_DIR = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
POSTGRES_SCHEMES = {"postgres", "postgresql", "pgsql"}
# A fixed throwaway key: data seeded in one run (e.g. encrypted fields) stays readable in
# the next. It never leaves the bench's own processes.
SECRET_KEY = "rongmei-bench-throwaway-secret-key-never-use-in-production-0123456789"
SERVER_START_TIMEOUT = 60
SERVER_STOP_TIMEOUT = 30


@dataclass(frozen=True)
class Database:
    url: str
    engine: str  # "postgresql" or "sqlite"
    name: str

    @classmethod
    def for_environment(cls, environ: dict, workdir: Path) -> Database:
        url = environ.get("DATABASE_URL", "")
        parts = urlsplit(url)
        if parts.scheme in POSTGRES_SCHEMES:
            name = parts.path.lstrip("/") or "rongmei"
            if not name.endswith("_bench"):
                name += "_bench"
            return cls(urlunsplit(parts._replace(path=f"/{name}")), "postgresql", name)
        if url and not url.startswith("sqlite:"):
            raise BenchError(f"基准测试只支持 PostgreSQL 或 SQLite，不支持 {parts.scheme}://")
        path = workdir / "bench.sqlite3"
        return cls(f"sqlite:///{path}", "sqlite", str(path))

    def _admin_url(self) -> str:
        return urlunsplit(urlsplit(self.url)._replace(path="/postgres"))

    @contextmanager
    def prepared(self, *, fresh: bool) -> Iterator[None]:
        """Make sure the database exists, holding a lock so concurrent benches take turns."""
        if self.engine != "postgresql":
            yield
            return
        import psycopg
        from psycopg import sql

        try:
            admin = psycopg.connect(self._admin_url(), autocommit=True)
        except psycopg.OperationalError as exc:
            where = urlsplit(self.url)
            raise BenchError(f"无法连接 PostgreSQL {where.hostname}:{where.port or 5432}：{exc}"
                             ) from exc
        with admin:
            # Advisory locks are per database; every bench run takes this one in "postgres".
            admin.execute("SELECT pg_advisory_lock(hashtext(%s))", [f"rongmei-bench:{self.name}"])
            exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s",
                                   [self.name]).fetchone()
            if exists and fresh:
                admin.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)")
                              .format(sql.Identifier(self.name)))
            if not exists or fresh:
                admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(self.name)))
            yield  # the lock is released with the connection


@dataclass(frozen=True)
class Server:
    host: str
    port: int
    workers: int
    log_path: Path

    def worker_recycles(self) -> int:
        """Workers gunicorn has replaced after ``max_requests`` so far.

        A recycled worker stops accepting and lingers up to 2 s before the master replaces
        it, so recycles explain dips in throughput (and page-cache misses with locmem).
        """
        with open(self.log_path, errors="replace") as log:
            return sum("Autorestarting worker" in line for line in log)


class Background:
    """The child running a scenario's background writes (``bench.background``)."""

    def __init__(self, process: subprocess.Popen | None):
        self.process, self.result = process, {}

    def wait_ready(self) -> None:
        line = self.process.stdout.readline()  # "ready" once Django is set up
        if line.strip() != "ready":
            self.stop()
            raise BenchError(f"后台写入进程启动失败：\n{self.result.get('stderr', '')}")

    def stop(self) -> None:
        if self.process is None or self.result:
            return
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)  # it reports and exits
        if self.process.stdin is not None and self.process.stdin.closed:
            # The context was written and the pipe closed at the start: communicate() would
            # flush the closed pipe and raise instead of collecting the report.
            self.process.stdin = None
        try:
            out, err = self.process.communicate(timeout=SERVER_STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            out, err = self.process.communicate()
        lines = [line for line in (out or "").splitlines() if line.startswith("{")]
        self.result = json.loads(lines[-1]) if lines else {"stderr": (err or "")[-3000:]}

    def report(self) -> dict:
        self.stop()
        return {key: value for key, value in self.result.items() if key != "stderr"}


class Stack:
    """A temporary directory, the bench database, and child processes that use them."""

    def __init__(self, *, environ: dict | None = None, fresh: bool = False, keep: bool = False,
                 snapshots: bool = False):
        self.caller_environ = dict(os.environ if environ is None else environ)
        self.fresh, self.keep = fresh, keep
        self.workdir = Path(tempfile.mkdtemp(prefix="rongmei-bench-"))
        # The app writes page snapshots only where nginx serves them (--via-nginx).
        self.snapshot_dir = self.workdir / "snapshots" if snapshots else None
        try:
            self.database = Database.for_environment(self.caller_environ, self.workdir)
        except BenchError:
            shutil.rmtree(self.workdir)
            raise
        self.redis_url = self.caller_environ.get("REDIS_URL", "")
        if self.database.engine == "postgresql":
            data_dir = Path(self.caller_environ.get("RONGMEI_DATA_DIR", PROJECT_DIR / "var"))
            self.media_root = data_dir / "bench" / self.database.name / "media"
        else:
            self.media_root = self.workdir / "media"
        self.log_path = self.workdir / "server.log"

    def __enter__(self) -> Stack:
        return self

    def __exit__(self, *exc_info) -> None:
        if not self.keep:
            shutil.rmtree(self.workdir, ignore_errors=True)

    @property
    def description(self) -> str:
        if self.database.engine == "postgresql":
            database = f"PostgreSQL {_without_password(self.database.url)}"
        else:
            database = "SQLite（临时文件）"
        if self.redis_url:
            cache = f"Redis {_without_password(self.redis_url)}"
        else:
            cache = "进程内缓存（locmem，每个工作进程一份）"
        return f"{database} + {cache}"

    @property
    def environ(self) -> dict:
        """The environment of every child: production profile, the bench's own data."""
        environ = {key: value for key, value in self.caller_environ.items()
                   if not key.startswith("PYTEST_") and key != "DEBUG"}
        environ.update({
            "DJANGO_SETTINGS_MODULE": "bench.settings",
            "RONGMEI_ENV": "production",
            "SECRET_KEY": SECRET_KEY,
            "ALLOWED_HOSTS": f"{HOST},localhost",
            "SECURE_SSL_REDIRECT": "0",  # no TLS on loopback
            "REQUEST_LOG": "0",  # one log line per request would measure the terminal
            # All load comes from one address: per-address grab limits would stop it.
            "VOUCHER_GRAB_PER_IP_PER_MINUTE": "100000000",
            "ANALYTICS_EVENTS_PER_CLIENT_PER_MINUTE": "100000000",
            "RONGMEI_DATA_DIR": str(self.workdir),
            "STATIC_ROOT": str(self.workdir / "static"),
            "MEDIA_ROOT": str(self.media_root),
            "DATABASE_URL": self.database.url,
            "PAGE_SNAPSHOT_DIR": str(self.snapshot_dir or ""),
            # gunicorn puts its control socket there, not in the ~/.gunicorn/gunicorn.ctl
            # that every other gunicorn of this user shares.
            "XDG_RUNTIME_DIR": str(self.workdir),
            # The children import ``bench`` from this checkout even if the installed
            # package predates it.
            "PYTHONPATH": os.pathsep.join(filter(None, [
                str(PROJECT_DIR), self.caller_environ.get("PYTHONPATH", "")])),
        })
        return environ

    def prepare(self, scenario_names: list[str]) -> dict[str, dict]:
        """Collect static files, migrate, seed the demo county and set up the scenarios.

        Returns each scenario's context (what its ``setup()`` returned).
        """
        self.media_root.mkdir(parents=True, exist_ok=True)
        environ = self.environ
        with open(self.workdir / "collectstatic.log", "w") as log:
            collect = subprocess.Popen(_python_m("rongmei.cli", "collectstatic", "--noinput",
                                                   "-v0"),
                                       env=environ, cwd=PROJECT_DIR, stdout=log,
                                       stderr=subprocess.STDOUT)
            try:
                with self.database.prepared(fresh=self.fresh):
                    if self.fresh and self.database.engine == "postgresql":
                        shutil.rmtree(self.media_root, ignore_errors=True)
                        self.media_root.mkdir(parents=True)
                    if self.fresh and self.redis_url:
                        # The county's counters in Redis (voucher claims, rate limits) belong
                        # to the database just dropped: a half-seeded earlier run's claims
                        # made the new seeding's grabs "already claimed".
                        import redis

                        redis.Redis.from_url(self.redis_url).flushdb()
                    done = subprocess.run(_python_m("bench.prepare", *scenario_names),
                                          env=environ, cwd=PROJECT_DIR, capture_output=True,
                                          text=True)
            finally:
                collect.wait()
        if done.returncode:
            raise BenchError(f"准备数据库失败：\n{done.stderr[-3000:]}")
        if collect.returncode:
            log_text = (self.workdir / "collectstatic.log").read_text()[-3000:]
            raise BenchError(f"collectstatic 失败（先运行 make install）：\n{log_text}")
        return _last_json_line(done.stdout)

    def verify(self, scenario_name: str, context: dict) -> dict:
        """Check a scenario's outcome in the bench database (``Scenario.verify``)."""
        done = subprocess.run(_python_m("bench.verify", scenario_name), env=self.environ,
                              cwd=PROJECT_DIR, input=json.dumps(context), capture_output=True,
                              text=True)
        if done.returncode:
            raise BenchError(f"核对结果失败：\n{done.stderr[-3000:]}")
        return _last_json_line(done.stdout)

    def snapshot_include(self, path: str) -> str:
        """``rongmei snapshot_nginx --path PATH`` in the bench's environment: the lines nginx
        serves this app's page snapshots with (deploy/nginx.conf's rongmei_snapshot.conf)."""
        done = subprocess.run(_python_m("rongmei.cli", "snapshot_nginx", "--path", path),
                              env=self.environ, cwd=PROJECT_DIR, capture_output=True, text=True)
        if done.returncode:
            raise BenchError(f"rongmei snapshot_nginx 失败：\n{done.stderr[-3000:]}")
        return done.stdout

    @contextmanager
    def background(self, scenario, context: dict, *, seconds: float) -> Iterator[Background]:
        """Run the scenario's ``background()`` (writes while the load reads) in a child
        process for at most ``seconds``; stopped, and killed if need be, when the block ends."""
        if not scenario.has_background:
            yield Background(None)
            return
        process = subprocess.Popen(
            _python_m("bench.background", scenario.name, str(seconds)), env=self.environ,
            cwd=PROJECT_DIR, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, text=True, start_new_session=True)
        background = Background(process)
        try:
            process.stdin.write(json.dumps(context))
            process.stdin.close()
            background.wait_ready()
            yield background
        finally:
            background.stop()

    @contextmanager
    def serve(self, *, workers: int) -> Iterator[Server]:
        """Run gunicorn (``rongmei serve``'s options) until the block ends."""
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        # A free port (or BENCH_PORT, on a machine that sets aside a range), handed to
        # gunicorn: no race for it.
        listener.bind((HOST, int(os.environ.get("BENCH_PORT") or 0)))
        port = listener.getsockname()[1]
        with open(self.log_path, "w") as log:
            process = subprocess.Popen(
                _python_m("bench.server", "--bind", f"fd://{listener.fileno()}",
                            "--workers", str(workers)),
                env=self.environ, cwd=PROJECT_DIR, stdout=log, stderr=subprocess.STDOUT,
                pass_fds=[listener.fileno()], start_new_session=True,
            )
        listener.close()
        try:
            self._wait_until_ready(process, port)
            yield Server(HOST, port, workers, self.log_path)
        finally:
            _stop(process)

    def _wait_until_ready(self, process: subprocess.Popen, port: int) -> None:
        deadline = time.monotonic() + SERVER_START_TIMEOUT
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise BenchError(f"gunicorn 启动失败：\n{self.server_log_tail()}")
            connection = http.client.HTTPConnection(HOST, port, timeout=5)
            try:
                connection.request("GET", FLOOR.path)
                if connection.getresponse().status == FLOOR.expect_status:
                    return
            except (OSError, http.client.HTTPException):
                pass
            finally:
                connection.close()
            time.sleep(0.1)
        raise BenchError(f"gunicorn {SERVER_START_TIMEOUT} 秒内未就绪：\n{self.server_log_tail()}")

    def server_log_tail(self, chars: int = 3000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-chars:]
        except FileNotFoundError:
            return ""


def _stop(process: subprocess.Popen) -> None:
    """Stop gunicorn gracefully (SIGTERM to its master), else kill the group it leads."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=SERVER_STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)  # started with start_new_session: its own group
        process.wait()


def _python_m(*args: str) -> list[str]:
    return [sys.executable, "-m", *args]


def _without_password(url: str) -> str:
    parts = urlsplit(url)
    if parts.password is None:
        return url
    return urlunsplit(parts._replace(netloc=parts.netloc.replace(f":{parts.password}@", ":***@")))


def _last_json_line(output: str) -> dict:
    lines = [line for line in output.splitlines() if line.startswith("{")]
    if not lines:
        raise BenchError(f"准备步骤没有返回场景数据：\n{output[-3000:]}")
    return json.loads(lines[-1])
