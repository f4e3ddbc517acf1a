"""Several copies of the dashboard behind nginx, sharing one PostgreSQL user store.

    python -m deploy.replicas --replicas 3 --port 8080 [--store-url postgresql://...]

starts N Streamlit processes on consecutive loopback ports after `--port` (each opening the
read-only public database, `OUTCOMES_DB` or data/outcomes.duckdb), nginx on `--port` in front of
them with sticky sessions (`deploy/nginx.conf.template`), and, unless `--store-url` names an
existing PostgreSQL database, a throw-away PostgreSQL cluster (Debian's `postgresql` package)
in a temporary folder. It prints the proxy's URL and runs until interrupted (Ctrl-C or
SIGTERM), then stops everything it started. Benchmarks and tests use `Deployment` directly.
Everything listens on 127.0.0.1 only: put a TLS-terminating proxy in front for real use.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent
TEMPLATE = Path(__file__).resolve().parent / "nginx.conf.template"
# Streamlit's own static files (found without importing Streamlit), served by nginx.
STATIC = Path(importlib.util.find_spec("streamlit").origin).resolve().parent / "static"
HOST = "127.0.0.1"
STARTUP_SECONDS = 90
PG_SETTINGS = ("-c", "listen_addresses=127.0.0.1")
PG_FAST = ("-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off")


def free_port() -> int:
    """A loopback port free right now."""
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def _as_postgres(command: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root: run its tools as the `postgres` user then."""
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *command]
    return command


def postgres_bin() -> Path:
    """The newest installed PostgreSQL's programs (Debian's layout)."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"), key=lambda p: int(p.parts[-3]))
    if not found:
        raise RuntimeError("PostgreSQL is missing: `make services` (apt-get install postgresql)")
    return found[-1].parent


@dataclass
class PostgresCluster:
    """A throw-away PostgreSQL cluster in a temporary folder, on a loopback port."""

    port: int = 0
    durable: bool = True  # False: fsync off, for tests
    folder: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="outcomes-pg-")))

    def start(self) -> PostgresCluster:
        self.port = self.port or free_port()
        os.chmod(self.folder, 0o755)
        if os.geteuid() == 0:
            shutil.chown(self.folder, "postgres", "postgres")
        data = self.folder / "data"
        bin_dir = postgres_bin()
        run = lambda *cmd: subprocess.run(  # noqa: E731
            _as_postgres([str(c) for c in cmd]), check=True, capture_output=True
        )
        run(bin_dir / "initdb", "-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8")
        options = [*PG_SETTINGS, *(() if self.durable else PG_FAST)]
        options += ["-p", str(self.port), "-k", str(self.folder)]
        run(bin_dir / "pg_ctl", "-D", data, "-l", self.folder / "log", "-w", "-t", "60",
            "-o", " ".join(options), "start")  # fmt: skip
        return self

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://postgres@{HOST}:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        """A new empty database (name: letters, digits and underscores); its URL."""
        if not name.replace("_", "").isalnum():
            raise ValueError(f"not a plain database name: {name!r}")
        import psycopg

        with psycopg.connect(self.url(), autocommit=True) as pg:
            pg.execute(f"CREATE DATABASE {name}")
        return self.url(name)

    def stop(self) -> None:
        data = self.folder / "data"
        if data.exists():
            stop = [str(postgres_bin() / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"]
            subprocess.run(_as_postgres(stop), capture_output=True)
        shutil.rmtree(self.folder, ignore_errors=True)


def nginx_config(listen: int, ports: list[int], run_dir: Path, workers: int = 1) -> str:
    """The nginx configuration for copies on `ports`, proxied from `listen`."""
    servers = "\n".join(f"        server {HOST}:{p} max_fails=1 fail_timeout=5s;" for p in ports)
    fields = {"workers": workers, "run_dir": run_dir, "servers": servers, "static_dir": STATIC}
    text = TEMPLATE.read_text(encoding="utf-8")
    for name, value in {**fields, "listen": f"{HOST}:{listen}"}.items():
        text = text.replace(f"@{name}@", str(value))
    return text


def wait_until_healthy(url: str, seconds: float = STARTUP_SECONDS) -> None:
    """Wait for a Streamlit server (or the proxy in front of one) to answer its health check."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise TimeoutError(f"{url} did not answer within {seconds:.0f} s")


@dataclass
class Deployment:
    """N copies of the dashboard + nginx (+ a PostgreSQL cluster unless a store URL is given)."""

    replicas: int = 2
    port: int = 0  # nginx; the copies take the next ports (0: free ports anywhere)
    public_db: Path | None = None
    store_url: str | None = None
    log_dir: Path | None = None
    extra_env: dict[str, str] = field(default_factory=dict)
    processes: list[subprocess.Popen | None] = field(default_factory=list)
    ports: list[int] = field(default_factory=list)
    cluster: PostgresCluster | None = None
    nginx: subprocess.Popen | None = None
    run_dir: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="outcomes-nginx-")))

    @property
    def url(self) -> str:
        """The proxy's URL: what users open."""
        return f"http://{HOST}:{self.port}"

    def replica_url(self, index: int) -> str:
        return f"http://{HOST}:{self.ports[index]}"

    def start(self) -> Deployment:
        try:
            if self.store_url is None:
                self.cluster = PostgresCluster().start()
                self.store_url = self.cluster.url()
            chosen = self.port  # 0: nginx and every copy on ports found free, anywhere
            self.port = chosen or free_port()
            self.ports = [chosen + i + 1 if chosen else free_port() for i in range(self.replicas)]
            self.processes = [self._start_replica(p) for p in self.ports]
            for index in range(self.replicas):
                wait_until_healthy(self.replica_url(index))
            self._start_nginx()
            wait_until_healthy(self.url)
        except BaseException:
            self.stop()
            raise
        return self

    def _start_replica(self, port: int) -> subprocess.Popen:
        env = {**os.environ, **self.extra_env, "OUTCOMES_STORE_URL": str(self.store_url)}
        if self.public_db is not None:
            env["OUTCOMES_DB"] = str(self.public_db)
        log = open(self._log_path(f"replica-{port}.log"), "wb")  # noqa: SIM115
        command = [sys.executable, "-m", "streamlit", "run", "serve.py"]
        command += ["--server.address", HOST, "--server.port", str(port)]
        command += ["--server.headless", "true", "--browser.gatherUsageStats", "false"]
        return subprocess.Popen(
            command, cwd=PROJECT_DIR, env=env, stdout=log, stderr=subprocess.STDOUT
        )

    def _start_nginx(self) -> None:
        os.chmod(self.run_dir, 0o755)
        config = self.run_dir / "nginx.conf"
        config.write_text(nginx_config(self.port, self.ports, self.run_dir), encoding="utf-8")
        nginx = shutil.which("nginx") or "/usr/sbin/nginx"
        log = open(self._log_path("nginx.log"), "wb")  # noqa: SIM115
        command = [nginx, "-p", str(self.run_dir), "-c", str(config)]
        command += ["-e", str(self.run_dir / "error.log")]
        self.nginx = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)

    def _log_path(self, name: str) -> Path:
        folder = self.log_dir or self.run_dir
        folder.mkdir(parents=True, exist_ok=True)
        return folder / name

    def kill_replica(self, index: int) -> None:
        """Kill one copy at once (SIGKILL), as a crash would."""
        process = self.processes[index]
        if process is not None:
            process.kill()
            process.wait(timeout=20)
            self.processes[index] = None

    def stop(self) -> None:
        """Stop nginx, every copy and the cluster this deployment started."""
        for process in [self.nginx, *self.processes]:
            if process is not None and process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    process.kill()
        self.nginx, self.processes = None, []
        if self.cluster is not None:
            self.cluster.stop()
            self.cluster = None
        shutil.rmtree(self.run_dir, ignore_errors=True)


def _stop_once(*_: object) -> None:
    """SIGTERM: leave the main loop once; a second signal must not interrupt the stopping."""
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    sys.exit(0)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--replicas", type=int, default=2, help="copies of the dashboard")
    parser.add_argument("--port", type=int, default=8080, help="nginx; copies use the next ports")
    parser.add_argument("--store-url", help="an existing PostgreSQL database for the user store")
    parser.add_argument("--public-db", type=Path, help="the public database (OUTCOMES_DB)")
    parser.add_argument("--log-dir", type=Path, help="where the copies and nginx log")
    args = parser.parse_args(argv)
    deployment = Deployment(args.replicas, args.port, args.public_db, args.store_url, args.log_dir)
    signal.signal(signal.SIGTERM, _stop_once)
    deployment.start()
    try:
        print(deployment.url, flush=True)
        while all(p is not None and p.poll() is None for p in deployment.processes):
            time.sleep(1)
        print("a copy of the dashboard stopped; stopping the rest", file=sys.stderr)
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        deployment.stop()


if __name__ == "__main__":
    main()
