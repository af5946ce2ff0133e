"""PUT a day record under gunicorn, on SQLite and on PostgreSQL: latency (and throughput).

Prints figures against the budgets of docs/performance.md; it is never a pass/fail test. The
throughput ratio is no longer a budget (docs/performance.md, "Retired"): part 2 runs only with
--throughput, for information.

1. Latency: gunicorn with 1 sync worker; one patient PUTs typical day records one after another
   (mostly new dates over the last five years, some replaced with changed content). Server-side
   times come from gunicorn's access log (%(D)s); client-side times include the loopback trip.
2. Throughput: gunicorn with sync workers = cores (at least 2); a few client threads, each its own
   patient, PUT as fast as they can, and GET /api/v1/health the same way, on the same server in
   the same run (alternating rounds), so the ratio compares like with like.

Each backend gets a brand-new database (a temporary SQLite file; a PostgreSQL database created
here and dropped at the end), migrated with `flask db upgrade`. Only loopback is used.
Usage: `make bench`, or `.venv/bin/python bench/put_day.py --help`.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import random
import re
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from http.cookies import SimpleCookie
from pathlib import Path
from zoneinfo import ZoneInfo

from common import fresh_database  # noqa: E402  (bench/ is on sys.path when run)

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
TIMEZONE = "Europe/London"
P95_BUDGET_MS = {"sqlite": 20.0, "postgresql": 35.0}
ACCESS_LOG_FORMAT = "bench %(m)s %(s)s %(D)s %(U)s"
ACCESS_LINE = re.compile(r"^bench (\w+) (\d{3}) (\d+) (\S+)$")


# -- HTTP client ------------------------------------------------------------------------------


class Client:
    """One phone: a keep-alive connection (reopened when the server closes it), its cookies
    and its CSRF token. Sync gunicorn workers close after each response, so each request
    opens a new loopback connection; http.client does that by itself."""

    def __init__(self, port: int):
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.cookies: dict[str, str] = {}
        self.csrf: str | None = None

    def request(self, method: str, path: str, body=None) -> tuple[int, bytes]:
        headers = {"Accept": "application/json"}
        payload = None
        if body is not None:
            payload = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if method != "GET" and self.csrf:
            headers["X-CSRFToken"] = self.csrf
        for attempt in (1, 2):
            try:
                self.connection.request(method, path, payload, headers)
                response = self.connection.getresponse()
                data = response.read()
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.connection.close()  # an idle connection the server had closed
                if attempt == 2:
                    raise
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        return response.status, data

    def fetch_csrf(self) -> None:
        status, data = self.request("GET", "/api/v1/auth/csrf")
        if status != 200:
            raise SystemExit(f"GET /api/v1/auth/csrf answered {status}: {data[:300]!r}")
        self.csrf = json.loads(data)["csrf_token"]

    def register_patient(self, label: str) -> None:
        """A new patient account, logged in, with a CSRF token for its session."""
        self.fetch_csrf()
        status, data = self.request(
            "POST",
            "/api/v1/auth/register",
            {
                "email": f"bench-{label}-{uuid.uuid4().hex[:8]}@example.test",
                "password": secrets.token_urlsafe(18),
                "display_name": f"Bench patient {label}",
                "timezone": TIMEZONE,
            },
        )
        if status != 201:
            raise SystemExit(f"register answered {status}: {data[:300]!r}")
        self.fetch_csrf()  # registering starts a new session, with a new token

    def close(self) -> None:
        self.connection.close()


# -- What a patient sends ---------------------------------------------------------------------


def day_body(rng: random.Random, n: int) -> dict:
    """A typical day: usually a headache and a painkiller, sometimes a clear day.
    `n` makes each body differ, so a replaced day is a real write."""
    body: dict = {
        "headaches": [],
        "medications": [],
        "had_headache": False,
        "soreness": rng.choice([None, 0, 1, 2, 3]),
        "exercises_done": rng.choice([True, False, None]),
        "triggers": rng.sample(["stress", "poor_sleep", "screen_time", "posture"], 2),
        "notes": f"Bench day {n}: sore after yesterday's session",
    }
    if rng.random() < 0.6:
        body["had_headache"] = True
        body["headaches"].append(
            {
                "start": "08:30",
                "duration_minutes": rng.choice([60, 120, 180]),
                "intensity": rng.randint(3, 8),
                "type": "tension",
                "side": "both",
                "locations": ["back_of_head", "neck"],
                "symptoms": ["light_sensitivity"],
                "neck_provoked": True,
            }
        )
        body["medications"].append(
            {
                "name": "Ibuprofen 400 mg",
                "drug_class": "non_opioid_analgesic",
                "doses": rng.choice([1, 2]),
                "time": "09:00",
                "relief": "partial",
            }
        )
    return body


def date_plan(rng: random.Random, replace_share: float) -> Iterator[date]:
    """Dates over the last five years, mostly new ones; `replace_share` of them a day already
    sent. Once every date is used, every date is a replacement."""
    today = datetime.now(ZoneInfo(TIMEZONE)).date()
    fresh = [today - timedelta(days=offset) for offset in range(1, 5 * 365 - 5)]
    rng.shuffle(fresh)
    sent: list[date] = []
    while True:
        if fresh and not (sent and rng.random() < replace_share):
            sent.append(fresh.pop())
            yield sent[-1]
        else:
            yield rng.choice(sent)


def put_day(client: Client, day: date, body: dict) -> int:
    status, data = client.request("PUT", f"/api/v1/patients/me/days/{day.isoformat()}", body)
    if status not in (200, 201):
        raise SystemExit(f"PUT {day} answered {status}: {data[:300]!r}")
    return status


# -- Databases and servers --------------------------------------------------------------------


def server_environment(database_url: str) -> dict[str, str]:
    """Production settings, as deployed (README.md), on this database."""
    env = {k: v for k, v in os.environ.items() if k not in ("PORT", "WEB_CONCURRENCY")}
    env.update(
        DIARY_ENV="production",
        SECRET_KEY=secrets.token_hex(32),
        DATABASE_URL=database_url,
        PYTHONUNBUFFERED="1",
        **push_keys(),
    )
    return env


def push_keys() -> dict[str, str]:
    """A new Web Push (VAPID) key pair and subject: production refuses to start without them
    (docs/reminders.md), and this benchmark sends no reminder."""
    import base64

    from cryptography.hazmat.primitives.asymmetric import ec

    sys.path.insert(0, str(ROOT))
    from diary.config import vapid_public_key

    number = ec.generate_private_key(ec.SECP256R1()).private_numbers().private_value
    private = base64.urlsafe_b64encode(number.to_bytes(32, "big")).rstrip(b"=").decode()
    return {
        "VAPID_PRIVATE_KEY": private,
        "VAPID_PUBLIC_KEY": vapid_public_key(private),
        "VAPID_SUBJECT": "mailto:bench@example.test",
    }


def migrate(database_url: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", "db", "upgrade"],
        cwd=ROOT,
        env=server_environment(database_url),
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        raise SystemExit(f"flask db upgrade failed:\n{result.stdout}\n{result.stderr}")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    port: int
    access_log: Path
    process: subprocess.Popen = field(repr=False)

    def access_lines(self, start: int) -> tuple[list[tuple[str, int, float]], int]:
        """(method, status, server ms) of each request logged after byte `start`."""
        with open(self.access_log, "rb") as handle:
            handle.seek(start)
            text = handle.read().decode()
        text = text[: text.rfind("\n") + 1]  # a line still being written waits for next time
        end = start + len(text.encode())
        rows = []
        for line in text.splitlines():
            match = ACCESS_LINE.match(line)
            if match:
                rows.append((match[1], int(match[2]), int(match[3]) / 1000))
        return rows, end

    def log_size(self) -> int:
        return self.access_log.stat().st_size

    def worker_cpu_seconds(self) -> float | None:
        """User + system CPU of the gunicorn workers so far (Linux /proc), or None.

        Less disturbed by other load on the machine than wall-clock time; the database
        server's own CPU (PostgreSQL's backends) is not in it."""
        ticks = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
        total, found = 0, False
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except (OSError, IndexError):
                continue
            if int(fields[1]) == self.process.pid:  # ppid: a worker of this server
                total += int(fields[11]) + int(fields[12])  # utime, stime
                found = True
        return total / ticks if found else None


@contextmanager
def gunicorn(database_url: str, workers: int, workdir: Path) -> Iterator[Server]:
    """The real app under gunicorn (gunicorn.conf.py), on a free loopback port."""
    port = free_port()
    access_log = workdir / f"access-{port}.log"
    error_log = workdir / f"error-{port}.log"
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "-c",
        str(ROOT / "gunicorn.conf.py"),
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        # gunicorn.conf.py writes no access log (it would hold patient ids); the benchmark's
        # patients are made up, and their times are read from it.
        "--access-logfile",
        "-",
        "--access-logformat",
        ACCESS_LOG_FORMAT,
        "--no-control-socket",
        "wsgi:app",
    ]
    with open(access_log, "wb") as out, open(error_log, "wb") as err:
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=server_environment(database_url),
            stdout=out,
            stderr=err,
            stdin=subprocess.DEVNULL,
        )
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise SystemExit(
                    f"gunicorn exited with {process.returncode}:\n" + error_log.read_text()[-3000:]
                )
            try:
                probe = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                probe.request("GET", "/api/v1/health")
                if probe.getresponse().status == 200:
                    probe.close()
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise SystemExit(
                    "gunicorn did not answer /api/v1/health within 60 s:\n" + error_log.read_text()[-3000:]
                )
            time.sleep(0.1)
        yield Server(port, access_log, process)
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


# -- Measurements -----------------------------------------------------------------------------


def percentile(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def summary(values: list[float]) -> dict:
    return {
        "n": len(values),
        "median_ms": round(statistics.median(values), 2),
        "p95_ms": round(percentile(values, 95), 2),
        "max_ms": round(max(values), 2),
    }


def measure_latency(server: Server, args, rng: random.Random) -> dict:
    """Sequential PUTs by one patient: warm-up, then `rounds` batches of `requests`."""
    client = Client(server.port)
    client.register_patient("latency")
    dates = date_plan(rng, args.replace_share)
    n = 0
    for _ in range(args.warmup):
        n += 1
        put_day(client, next(dates), day_body(rng, n))
    rounds = []
    for _ in range(args.rounds):
        time.sleep(0.2)  # the warm-up's or last round's log lines are written
        start = server.log_size()
        cpu_before = server.worker_cpu_seconds()
        client_ms, statuses = [], Counter()
        for _ in range(args.requests):
            n += 1
            day, body = next(dates), day_body(rng, n)
            began = time.perf_counter()
            statuses[put_day(client, day, body)] += 1
            client_ms.append((time.perf_counter() - began) * 1000)
        cpu_after = server.worker_cpu_seconds()
        server_ms: list[float] = []
        deadline = time.monotonic() + 5
        while len(server_ms) < args.requests and time.monotonic() < deadline:
            rows, start = server.access_lines(start)
            server_ms += [ms for method, _status, ms in rows if method == "PUT"]
            time.sleep(0.05)
        rounds.append(
            {
                "client": summary(client_ms),
                "server": summary(server_ms) if len(server_ms) >= 20 else None,
                "inserts": statuses[201],
                "replaces": statuses[200],
                "worker_cpu_ms_per_request": None
                if cpu_before is None or cpu_after is None
                else round((cpu_after - cpu_before) * 1000 / args.requests, 2),
                "client_ms": client_ms,
                "server_ms": server_ms,
            }
        )
    client.close()
    return {"rounds": rounds}


def run_threads(
    server: Server, threads: int, seconds: float, setup: Callable[[Client, int], Callable[[Client], None]]
) -> dict:
    """`threads` clients, each prepared by `setup` (untimed), then each doing its request in a
    loop for `seconds`; requests per second over all of them."""
    counts = [0] * threads
    failures: list[BaseException] = []
    started = [0.0]
    barrier = threading.Barrier(threads + 1, action=lambda: started.__setitem__(0, time.perf_counter()))

    def work(index: int) -> None:
        client = Client(server.port)
        try:
            step = setup(client, index)
        except BaseException as error:  # noqa: BLE001  (reported by the main thread)
            failures.append(error)
            barrier.abort()
            return
        try:
            barrier.wait()
        except threading.BrokenBarrierError:
            return
        deadline = started[0] + seconds
        try:
            while time.perf_counter() < deadline:
                step(client)
                counts[index] += 1
        except BaseException as error:  # noqa: BLE001
            failures.append(error)
        finally:
            client.close()

    workers = [threading.Thread(target=work, args=(i,), daemon=True) for i in range(threads)]
    for worker in workers:
        worker.start()
    try:
        barrier.wait()
    except threading.BrokenBarrierError:
        pass
    cpu_before, server_cpu_before = time.process_time(), server.worker_cpu_seconds()
    for worker in workers:
        worker.join(timeout=seconds + 60)
    elapsed = time.perf_counter() - started[0]
    client_cpu = time.process_time() - cpu_before
    server_cpu_after = server.worker_cpu_seconds()
    if failures:
        raise SystemExit(f"a client thread failed: {failures[0]!r}")
    server_cpu = (
        None
        if server_cpu_before is None or server_cpu_after is None
        else server_cpu_after - server_cpu_before
    )
    return {
        "requests": sum(counts),
        "seconds": elapsed,
        "per_second": sum(counts) / elapsed,
        "client_cpu_share": client_cpu / elapsed,
        "server_cpu": server_cpu,
    }


def measure_throughput(server: Server, args, rng: random.Random) -> dict:
    """Alternating rounds of GET /api/v1/health and PUT day, the same client threads' count."""
    patients: dict[int, tuple[Client, Iterator[date], random.Random]] = {}

    def health_setup(client: Client, index: int):
        def step(c: Client) -> None:
            status, data = c.request("GET", "/api/v1/health")
            if status != 200:
                raise RuntimeError(f"health answered {status}: {data[:200]!r}")

        return step

    def put_setup(client: Client, index: int):
        # Each thread is one patient; its cookies carry over from round to round.
        if index not in patients:
            client.register_patient(f"throughput-{index}")
            patients[index] = (
                client,
                date_plan(random.Random(rng.random()), args.replace_share),
                random.Random(index),
            )
        else:
            client.cookies, client.csrf = patients[index][0].cookies, patients[index][0].csrf
        _, dates, own_rng = patients[index]
        counter = [0]

        def step(c: Client) -> None:
            counter[0] += 1
            put_day(c, next(dates), day_body(own_rng, counter[0]))

        return step

    health, put = [], []
    for _ in range(args.throughput_rounds):
        health.append(run_threads(server, args.threads, args.seconds, health_setup))
        put.append(run_threads(server, args.threads, args.seconds, put_setup))

    def total(rounds: list[dict]) -> dict:
        requests = sum(r["requests"] for r in rounds)
        seconds = sum(r["seconds"] for r in rounds)
        cpu = [r["server_cpu"] for r in rounds]
        return {
            "requests": requests,
            "per_second": requests / seconds,
            "client_cpu_share": sum(r["client_cpu_share"] * r["seconds"] for r in rounds) / seconds,
            "rounds_per_second": [round(r["per_second"], 1) for r in rounds],
            "worker_cpu_ms_per_request": None if None in cpu else sum(cpu) * 1000 / requests,
        }

    health_total, put_total = total(health), total(put)
    cpu_ratio = None
    if health_total["worker_cpu_ms_per_request"] and put_total["worker_cpu_ms_per_request"]:
        cpu_ratio = health_total["worker_cpu_ms_per_request"] / put_total["worker_cpu_ms_per_request"]
    return {
        "health": health_total,
        "put": put_total,
        "ratio": put_total["per_second"] / health_total["per_second"],
        "worker_cpu_ratio": cpu_ratio,
    }


# -- Report -----------------------------------------------------------------------------------


def report_latency(backend: str, result: dict) -> dict:
    rounds = result["rounds"]
    print(f"  {backend}:")
    for index, r in enumerate(rounds, 1):
        server = r["server"]
        server_text = (
            f"server median {server['median_ms']:6.2f} ms  p95 {server['p95_ms']:6.2f} ms"
            if server
            else "server (no access log lines)"
        )
        cpu = r["worker_cpu_ms_per_request"]
        print(
            f"    round {index}: {server_text}   client median {r['client']['median_ms']:6.2f} ms"
            f"  p95 {r['client']['p95_ms']:6.2f} ms   worker CPU "
            f"{'n/a' if cpu is None else f'{cpu:.2f} ms'}/request"
            f"   ({r['inserts']} new, {r['replaces']} replaced)"
        )
    all_server = [ms for r in rounds for ms in r["server_ms"]]
    all_client = [ms for r in rounds for ms in r["client_ms"]]
    pooled = {"server": summary(all_server) if len(all_server) >= 20 else None, "client": summary(all_client)}
    measured = pooled["server"] or pooled["client"]
    budget = P95_BUDGET_MS[backend]
    verdict = "within budget" if measured["p95_ms"] <= budget else "OVER BUDGET"
    print(
        f"    all {len(all_client)}: server median {measured['median_ms']:.2f} ms, "
        f"p95 {measured['p95_ms']:.2f} ms (budget p95 <= {budget:.0f} ms: {verdict}); "
        f"client median {pooled['client']['median_ms']:.2f} ms, p95 {pooled['client']['p95_ms']:.2f} ms"
    )
    return {
        "pooled": pooled,
        "budget_p95_ms": budget,
        "verdict": verdict,
        "rounds": [{k: v for k, v in r.items() if not k.endswith("_ms")} for r in rounds],
    }


def report_throughput(backend: str, result: dict) -> dict:
    health, put, ratio = result["health"], result["put"], result["ratio"]
    print(
        f"  {backend}: health {health['per_second']:7.0f} req/s {health['rounds_per_second']}, "
        f"PUT {put['per_second']:6.0f} req/s {put['rounds_per_second']}  "
        f"ratio {ratio:.2f} (for information: no longer a budget)"
    )
    print(
        f"    client threads used {health['client_cpu_share']:.0%} of a core during health, "
        f"{put['client_cpu_share']:.0%} during PUT (same machine as the server)"
    )
    if result["worker_cpu_ratio"]:
        print(
            f"    gunicorn worker CPU per request: health {health['worker_cpu_ms_per_request']:.2f} ms, "
            f"PUT {put['worker_cpu_ms_per_request']:.2f} ms; their ratio {result['worker_cpu_ratio']:.2f} "
            f"is the throughput ratio a CPU-bound, otherwise idle server would show"
        )
    return result


def load_average() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"),
        help="server on which a throw-away database is created",
    )
    parser.add_argument("--warmup", type=int, default=50)
    parser.add_argument("--requests", type=int, default=500, help="measured PUTs per round")
    parser.add_argument("--rounds", type=int, default=3, help="latency rounds")
    parser.add_argument(
        "--replace-share", type=float, default=0.15, help="share of PUTs that replace a day already sent"
    )
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    parser.add_argument(
        "--workers",
        type=int,
        default=max(2, cores or 1),
        help="gunicorn workers for throughput (default: cores, at least 2)",
    )
    parser.add_argument("--threads", type=int, default=4, help="client threads for throughput")
    parser.add_argument("--seconds", type=float, default=4.0, help="length of each throughput round")
    parser.add_argument("--throughput-rounds", type=int, default=2)
    parser.add_argument(
        "--throughput",
        action="store_true",
        help="also measure throughput against /api/v1/health (retired budget; information only)",
    )
    parser.add_argument("--seed", type=int, default=20261128)
    args = parser.parse_args()
    if not (1 <= args.threads <= 16 and 0 < args.seconds <= 60 and args.requests >= 20):
        parser.error("keep to 1-16 threads, rounds of at most 60 s and at least 20 requests")
    backends = [b.strip() for b in args.backends.split(",") if b.strip()]

    import gunicorn as gunicorn_package

    print(
        f"bench/put_day.py  {datetime.now().isoformat(timespec='seconds')}  "
        f"Python {platform.python_version()}, gunicorn {gunicorn_package.__version__}, "
        f"{cores} cores, DIARY_ENV=production, rate limits in "
        f"{'Redis' if os.environ.get('REDIS_URL') else 'memory'}"
    )
    print(f"load average before: {load_average()} (a busy machine skews every figure below)")
    results: dict = {
        "args": vars(args),
        "cores": cores,
        "load_average_before": load_average(),
        "latency": {},
        "throughput": {},
    }
    with tempfile.TemporaryDirectory(prefix="diary-bench-") as tmp:
        workdir = Path(tmp)
        for backend in backends:
            backend_dir = workdir / backend
            backend_dir.mkdir()
            with fresh_database(backend, args.postgres_url, backend_dir) as url:
                migrate(url)
                rng = random.Random(args.seed)
                print(
                    f"\nPUT /api/v1/patients/me/days/{{date}}, one client, gunicorn 1 sync worker, "
                    f"{args.rounds} x {args.requests} requests after {args.warmup} warm-up"
                )
                with gunicorn(url, 1, backend_dir) as server:
                    latency = measure_latency(server, args, rng)
                results["latency"][backend] = report_latency(backend, latency)
                if not args.throughput:
                    continue
                print(
                    f"\nThroughput, gunicorn {args.workers} sync workers, {args.threads} client "
                    f"threads, {args.throughput_rounds} x {args.seconds:g} s per side, alternating"
                )
                with gunicorn(url, args.workers, backend_dir) as server:
                    throughput = measure_throughput(server, args, rng)
                results["throughput"][backend] = report_throughput(backend, throughput)
            shutil.rmtree(backend_dir, ignore_errors=True)
    print(f"\nload average after: {load_average()}")
    results["load_average_after"] = load_average()
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"put_day-{datetime.now():%Y%m%d-%H%M%S}.json"
    out.write_text(json.dumps(results, indent=2, default=str))
    print(f"\nFigures saved to {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
