"""Chaton load benchmark: petition page views and signature submissions under wrk.

    .venv/bin/python bench/run.py                 # full run: 1,000,000 signatures, 3 x 20 s
    .venv/bin/python bench/run.py --quick         # smoke test: 100,000 signatures, 1 x 5 s
    .venv/bin/python bench/run.py --profile       # also one py-spy profiled run of each test

What it does (see bench/README.md):
  1. creates two throw-away instances with `chaton init` (shipped demo content): one empty,
     one whose petition quartiers-solidaires/ecole-sans-amiante is pre-filled with N confirmed
     signatures (bulk sqlite3 inserts, counters and milestone updates set to match);
  2. starts `chaton serve` on each (waitress + in-process huey worker writing .eml files to
     instance/outbox/), timing start -> first HTTP 200 and measuring idle RSS with psutil;
  3. runs wrk: page views at 32 connections, signatures at 16 connections (bench/sign.lua
     posts the form with a real CSRF token and session cookie, a new e-mail per request);
     each test is run --runs times and the median is reported;
  4. prints a Markdown table and writes raw JSON to bench/results/.

Per-IP rate limiting is disabled (CHATON_SIGN_RATE_LIMIT="") since all requests come
from 127.0.0.1. Nothing in chaton/ is modified.
"""

import argparse
import datetime as dt
import http.client
import json
import os
import platform
import re
import resource
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

import psutil

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
RESULTS = BENCH / "results"
ORG, SLUG = "quartiers-solidaires", "ecole-sans-amiante"
PAGE_PATH = f"/{ORG}/petitions/{SLUG}"
SIGN_PATH = f"{PAGE_PATH}/sign"
BATCH = 50_000

TARGETS = {
    "page_rps": 500, "page_p99_ms": 100,
    "sign_rps": 300, "sign_p99_ms": 150,
    "rss_idle_mb": 60, "first_200_s": 1.0, "page_ratio_min": 0.8,
}


LOG_FILE = None  # bench/results/<stamp>.log, set by main()
STAMP = time.strftime("%Y%m%d-%H%M%S")


def log(msg):
    line = f"[bench {time.strftime('%H:%M:%S')}] {msg}"
    print(line, file=sys.stderr, flush=True)
    if LOG_FILE is not None:
        with LOG_FILE.open("a") as fh:
            fh.write(line + "\n")


def chaton_cmd():
    exe = Path(sys.executable).parent / "chaton"
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "chaton.cli"]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --------------------------------------------------------------------------- instance


def chaton_env(port):
    """Environment of every chaton command: no per-IP limit (all load is from 127.0.0.1)."""
    env = dict(os.environ, CHATON_SIGN_RATE_LIMIT="",
               CHATON_BASE_URL=f"http://127.0.0.1:{port}")
    env.pop("CHATON_INSTANCE", None)
    return env


def make_instance(folder, port):
    env = chaton_env(port)
    subprocess.run(chaton_cmd() + ["--instance", str(folder), "init"], check=True, env=env,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    # `init` indexes the demo content and queues handle_event tasks for its events (opened,
    # updates, the 100 milestone reached by the paper signatures). On a real instance they
    # would have been handled long before a million people signed; left in the queue, they
    # would fan out one send_news task per follower of the pre-filled petition while we
    # measure. Drop them, so that the only background work is the load's own mail.
    con = sqlite3.connect(folder / "queue.db")
    con.execute("DELETE FROM task")
    con.commit()
    con.close()
    return env


DEPARTEMENTS = ["75", "93", "94", "92", "69", "13", "33", "59", "31", "44", "67", "34", "35",
                "06", "38", "76", "62", "57", "2A", "971"]
FIRST = ["Camille", "Dominique", "Claude", "Sacha", "Alex", "Morgan", "Lou", "Yanis", "Inès",
         "Hugo", "Léa", "Nora", "Karim", "Jeanne", "Théo", "Amina"]
LAST = ["Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand",
        "Leroy", "Moreau", "Simon", "Laurent", "Lefebvre", "Michel", "Garcia", "Diallo"]


def prefill(db_path, count):
    """Insert `count` confirmed signatures on ORG/SLUG and set the counters to match."""
    started = time.perf_counter()
    con = sqlite3.connect(db_path, isolation_level=None)
    con.execute("PRAGMA synchronous=OFF")  # fill only; the server uses its own pragmas
    con.execute("PRAGMA cache_size=-200000")
    pid, revision = con.execute(
        "SELECT p.id, p.revision_number FROM petition p JOIN association a "
        "ON a.id = p.association_id WHERE a.slug = ? AND p.slug = ?", (ORG, SLUG)).fetchone()
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    start = now - dt.timedelta(days=60)
    span = (now - start).total_seconds() - 60
    areas, days = Counter(), Counter()

    def rows(lo, hi):
        for i in range(lo, hi):
            at = start + dt.timedelta(seconds=span * i / max(count, 1))
            dep = DEPARTEMENTS[i % len(DEPARTEMENTS)]
            postal = dep + "000" if len(dep) == 2 else dep + "10"
            area = dep
            areas[area] += 1
            days[at.date()] += 1
            email = f"signataire{i:08d}@example.org"
            stamp = str(at)
            yield (pid, revision, f"{FIRST[i % 16]} {LAST[(i // 16) % 16]}", email, email,
                   postal, area, "Je signe !" if i % 7 == 0 else "", i % 3 != 0, i % 2 == 0,
                   "fr", "confirmed", f"{(i * 2654435761) % (1 << 64):016x}", stamp, stamp,
                   *([stamp] * extra))

    columns = ["petition_id", "revision", "name", "email", "email_key", "postal_code", "area",
               "comment", "show_name", "keep_informed", "language", "status", "nonce",
               "created_at", "confirmed_at"]
    existing = {row[1] for row in con.execute("PRAGMA table_info(signature)")}
    if "confirmation_sent_at" in existing:  # since migration 4: the mail went out
        columns.append("confirmation_sent_at")
    extra = len(columns) - 15
    sql = (f"INSERT INTO signature ({', '.join(columns)}) "
           f"VALUES ({', '.join('?' * len(columns))})")
    for lo in range(0, count, BATCH):
        con.execute("BEGIN")
        con.executemany(sql, rows(lo, min(count, lo + BATCH)))
        con.execute("COMMIT")
    con.execute("BEGIN")
    con.execute("UPDATE petition SET signature_count = signature_count + ? WHERE id = ?",
                (count, pid))
    con.executemany("INSERT INTO area_count (petition_id, area, count) VALUES (?,?,?) "
                    "ON CONFLICT (petition_id, area) DO UPDATE SET count = count + excluded.count",
                    [(pid, a, n) for a, n in areas.items()])
    con.executemany("INSERT INTO daily_count (petition_id, day, count) VALUES (?,?,?) "
                    "ON CONFLICT (petition_id, day) DO UPDATE SET count = count + excluded.count",
                    [(pid, str(d), n) for d, n in days.items()])
    # the milestone updates and events signing.record_milestones() would have written
    meta, total = con.execute("SELECT meta, signature_count FROM petition WHERE id = ?",
                              (pid,)).fetchone()
    meta = json.loads(meta)
    total += int(meta.get("paper_signatures") or 0)
    total += sum(int(o["count"]) for o in meta.get("other_signatures") or [])
    marks = {m: "milestone" for m in meta.get("milestones") or []}
    if meta.get("goal"):
        marks.setdefault(meta["goal"], "milestone")
    if meta.get("answer_threshold"):
        marks[meta["answer_threshold"]] = "threshold"
    for mark, kind in sorted(marks.items()):
        if mark > total:
            continue
        at = str(start + dt.timedelta(seconds=span * min(mark, count) / max(count, 1)))
        con.execute("INSERT OR IGNORE INTO petition_update (petition_id, slug, kind, title, "
                    "html, value, checksum, published_at, present) VALUES (?,?,?,?,?,?,?,?,1)",
                    (pid, f"{kind}-{mark}", kind, f"{kind}-{mark}", "", mark, "", at))
        con.execute("INSERT OR IGNORE INTO event (association, campaign, kind, key, data, "
                    "created_at) VALUES (?,?,?,?,?,?)",
                    (ORG, SLUG, kind, str(mark), json.dumps({"value": mark}), at))
    con.execute("COMMIT")
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()
    seconds = time.perf_counter() - started
    log(f"pre-filled {count:,} signatures in {seconds:.1f} s")
    return seconds


# --------------------------------------------------------------------------- server


class Server:
    """`chaton serve` as a subprocess, with RSS sampling."""

    def __init__(self, folder, port, env, separate_worker=False):
        self.folder, self.port, self.env = folder, port, env
        self.separate_worker = separate_worker
        self.proc = self.worker = None
        self.peak_rss = 0
        self._sampling = False

    def start(self):
        """Start and return seconds from spawn to the first HTTP 200 on the petition page."""
        serve = ["--instance", str(self.folder), "serve", "--port", str(self.port)]
        with open(self.folder / "serve.log", "ab") as logfile:
            started = time.perf_counter()
            if self.separate_worker:
                serve.append("--no-worker")
                self.worker = subprocess.Popen(
                    chaton_cmd() + ["--instance", str(self.folder), "worker"],
                    env=self.env, stdout=logfile, stderr=subprocess.STDOUT)
            self.proc = subprocess.Popen(chaton_cmd() + serve, env=self.env, stdout=logfile,
                                         stderr=subprocess.STDOUT)
        deadline = started + 30
        while time.perf_counter() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit(f"chaton serve exited ({self.proc.returncode}); "
                                 f"see {self.folder / 'serve.log'}")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                conn.request("GET", PAGE_PATH)
                status = conn.getresponse().status
                conn.close()
                if status == 200:
                    return time.perf_counter() - started
            except OSError:
                pass
            time.sleep(0.002)
        raise SystemExit("chaton serve did not answer 200 within 30 s")

    def pids(self):
        return [p.pid for p in (self.proc, self.worker) if p is not None]

    def rss(self):
        """Resident memory of the server (and separate worker) processes, in bytes."""
        total = 0
        for pid in self.pids():
            proc = psutil.Process(pid)
            total += proc.memory_info().rss + sum(
                c.memory_info().rss for c in proc.children(recursive=True))
        return total

    def sample(self):
        """Record peak RSS every 0.25 s until stop_sampling()."""
        self._sampling = True

        def loop():
            while self._sampling and self.proc.poll() is None:
                self.peak_rss = max(self.peak_rss, self.rss())
                time.sleep(0.25)

        threading.Thread(target=loop, daemon=True).start()

    def stop_sampling(self):
        self._sampling = False

    def rss_by_process(self):
        procs = {"serve": self.proc, "worker": self.worker}
        return {n: psutil.Process(p.pid).memory_info().rss / 2**20
                for n, p in procs.items() if p is not None}

    def stop(self):
        """SIGINT (waitress exits, the huey consumer stops gracefully); seconds it took."""
        started = time.perf_counter()
        for proc in (self.proc, self.worker):
            if proc is None or proc.poll() is not None:
                continue
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                dump = self.folder / f"hung-{proc.pid}.txt"
                spy = Path(sys.executable).parent / "py-spy"
                if spy.exists():  # where is it stuck? (kept with the server log)
                    with dump.open("w") as fh:
                        subprocess.run([str(spy), "dump", "--pid", str(proc.pid)], stdout=fh,
                                       stderr=subprocess.STDOUT, timeout=30)
                    shutil.copy(dump, RESULTS / f"hung-{time.strftime('%Y%m%d-%H%M%S')}.txt")
                log(f"pid {proc.pid} still running 10 s after SIGINT: killed"
                    + (" (py-spy dump in bench/results/)" if dump.exists() else ""))
                proc.kill()
                proc.wait()
        return time.perf_counter() - started


def get_form_credentials(port):
    """One GET of the petition page: the CSRF token and the session cookie it is tied to, for
    versions whose signing form needed them; ('', '') since the viral-day issue (none)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("GET", PAGE_PATH)
    resp = conn.getresponse()
    html = resp.read().decode()
    cookies = [v for k, v in resp.getheaders() if k.lower() == "set-cookie"]
    conn.close()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    session = next((c.split(";", 1)[0] for c in cookies if c.startswith("session=")), "")
    return (token.group(1) if token else ""), session


# --------------------------------------------------------------------------- wrk


def cpu_seconds(pids):
    """User + system CPU seconds of processes (and their children) so far."""
    total = 0.0
    for pid in pids:
        t = psutil.Process(pid).cpu_times()
        total += t.user + t.system + t.children_user + t.children_system
    return total


def wrk(url, connections, seconds, script, env=None, threads=2, server_pids=None):
    cmd = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency",
           "--timeout", "10s", "-s", str(BENCH / script), url]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    system_before = psutil.cpu_times()
    server_before = cpu_seconds(server_pids) if server_pids else 0
    out = subprocess.run(cmd, capture_output=True, text=True, check=True,
                         env=dict(os.environ, **(env or {})))
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    wrk_cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    server_cpu = cpu_seconds(server_pids) - server_before if server_pids else None
    system_after = psutil.cpu_times()
    busy = sum(getattr(system_after, f) - getattr(system_before, f)
               for f in ("user", "nice", "system", "irq", "softirq", "steal"))
    line = next(ln for ln in out.stdout.splitlines() if ln.startswith("BENCH_JSON "))
    data = json.loads(line[len("BENCH_JSON "):])
    secs = data["duration_us"] / 1e6
    lat = data["latency_us"]
    errors = data["bad"] + sum(data["errors"][k] for k in ("connect", "read", "write",
                                                             "timeout"))
    return {
        "command": " ".join(cmd),
        "requests": data["requests"],
        "ok": data["ok"],
        "errors": errors,
        "codes": data["codes"],
        "socket_errors": data["errors"],
        "rps": data["requests"] / secs,
        "ok_per_s": data["ok"] / secs,
        "p50_ms": lat["p50"] / 1000, "p75_ms": lat["p75"] / 1000, "p90_ms": lat["p90"] / 1000,
        "p99_ms": lat["p99"] / 1000, "p999_ms": lat["p999"] / 1000,
        "mean_ms": lat["mean"] / 1000, "max_ms": lat["max"] / 1000,
        # CPU cores used on average: the server process, and wrk itself (same machine)
        "server_cores": server_cpu / secs if server_pids else None,
        "wrk_cores": wrk_cpu / secs,
        # everything else the (shared) machine did meanwhile: the noise
        "other_cores": (busy - wrk_cpu - (server_cpu or 0)) / secs,
        "server_cpu_ms_per_request": (server_cpu or 0) * 1000 / max(data["requests"], 1),
        "loadavg_before": os.getloadavg()[0],
        "stdout": out.stdout,
    }


def cpu_note(r):
    return (f"CPU cores: server {r['server_cores']:.2f} ({r['server_cpu_ms_per_request']:.1f} ms"
            f"/req), wrk {r['wrk_cores']:.2f}, others {r['other_cores']:.2f}")


def summarize(runs):
    """Median of each figure across runs, plus min and max."""
    keys = ["rps", "ok_per_s", "p50_ms", "p99_ms", "p999_ms", "max_ms", "server_cores",
            "wrk_cores", "other_cores", "server_cpu_ms_per_request"]
    out = {"runs": len(runs), "errors": sum(r["errors"] for r in runs),
           "requests": sum(r["requests"] for r in runs)}
    for k in keys:
        values = [r[k] for r in runs]
        out[k] = statistics.median(values)
        out[k + "_min"], out[k + "_max"] = min(values), max(values)
    return out


def profile(server, seconds, label, load):
    """Run `load` while py-spy samples the server; keep the raw stacks and a top-functions list.

    --gil samples only the thread holding the GIL: the shares are shares of Python CPU time
    (without it, threads waiting to re-take the GIL after a SQLite call or a socket write are
    counted where they wait, which makes peewee's cursor look like the bottleneck)."""
    spy = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    if not Path(spy).exists():
        log("py-spy not installed (.venv/bin/pip install py-spy): skipping profile")
        return None
    raw = RESULTS / f"profile-{STAMP}-{label}.txt"
    spy_proc = subprocess.Popen([spy, "record", "--format", "raw", "--rate", "100",
                                 "--duration", str(seconds), "--pid", str(server.proc.pid),
                                 "--threads", "--gil", "-o", str(raw)],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(0.5)
    load()
    spy_proc.wait()
    return top_functions(raw) if raw.exists() else None


def top_functions(raw_path, n=25):
    """From py-spy raw (collapsed) stacks: self and inclusive share of samples per function."""
    own, inclusive, total = Counter(), Counter(), 0
    by_thread = Counter()
    for line in raw_path.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack:
            continue
        count = int(count)
        frames = stack.split(";")
        by_thread[frames[0]] += count
        frames = [re.sub(r":\d+\)$", ")", f) for f in frames[1:]]
        total += count
        if frames:
            own[frames[-1]] += count
        for f in set(frames):
            inclusive[f] += count
    pct = lambda c: round(100 * c / max(total, 1), 1)  # noqa: E731
    return {
        "samples": total,
        "threads": {k: pct(v) for k, v in by_thread.most_common(12)},
        "self": [(f, pct(c)) for f, c in own.most_common(n)],
        "inclusive": [(f, pct(c)) for f, c in inclusive.most_common(n)],
    }


# --------------------------------------------------------------------------- main


def machine():
    def sh(cmd):
        try:
            return subprocess.run(cmd, shell=True, capture_output=True, text=True).stdout.strip()
        except OSError:
            return ""

    return {
        "nproc": sh("nproc"), "cpu": sh("lscpu | sed -n 's/^Model name: *//p'"),
        "memory": sh("free -g | sed -n 2p"), "kernel": platform.release(),
        "python": platform.python_version(), "wrk": sh("wrk -v 2>&1 | head -1"),
        "sqlite": sqlite3.sqlite_version,
        # the code measured: the checkout's, unless PYTHONPATH points at another tree
        "chaton_code": sh(f"{sys.executable} -c 'import chaton; print(chaton.__file__)'"),
        "commit": sh(f"git -C {ROOT} rev-parse --short HEAD"),
        # the checkout is shared: note uncommitted changes to what is being measured
        "dirty": sh(f"git -C {ROOT} status --short -- chaton themes content pyproject.toml"),
        "loadavg_at_start": os.getloadavg(),
    }


def queue_depth(folder):
    try:
        con = sqlite3.connect(folder / "queue.db", timeout=5)
        n = con.execute("SELECT count(*) FROM task").fetchone()[0]
        con.close()
        return n
    except sqlite3.Error:
        return None


def outbox_count(folder):
    return sum(1 for _ in (folder / "outbox").glob("*.eml"))


def serve_and_measure(folder, env, port, args, label, page=True, signing=False, healthz=False,
                      separate_worker=False):
    result = {"label": label, "separate_worker": separate_worker}
    starts, stops = [], []
    for i in range(args.starts):
        server = Server(folder, port, env, separate_worker)
        starts.append(server.start())
        if i < args.starts - 1:
            stops.append(server.stop())
    result["first_200_s"] = starts
    result["stop_s"] = stops
    log(f"[{label}] start -> first 200: " + ", ".join(f"{s:.3f} s" for s in starts)
        + "; stop: " + ", ".join(f"{s:.2f} s" for s in stops))
    time.sleep(2)
    result["rss_idle_mb"] = server.rss() / 2**20
    result["rss_idle_by_process_mb"] = server.rss_by_process()
    log(f"[{label}] RSS idle: {result['rss_idle_mb']:.1f} MB "
        f"{ {k: round(v, 1) for k, v in result['rss_idle_by_process_mb'].items()} }")
    url = f"http://127.0.0.1:{port}{PAGE_PATH}"
    server.sample()
    try:
        if page:
            wrk(url, 32, args.warmup, "page.lua")
            runs = []
            for i in range(args.runs):
                r = wrk(url, 32, args.duration, "page.lua", server_pids=server.pids())
                runs.append(r)
                log(f"[{label}] page run {i + 1}: {r['rps']:.0f} req/s, p50 {r['p50_ms']:.1f} "
                    f"ms, p99 {r['p99_ms']:.1f} ms, errors {r['errors']}, {cpu_note(r)}")
            result["page_runs"] = runs
            result["page"] = summarize(runs)
            if args.profile:
                result["page_profile"] = profile(
                    server, args.duration, f"{label}-page",
                    lambda: wrk(url, 32, args.duration, "page.lua"))
        if healthz:
            # reference: the cheapest route (one tiny query, JSON), same 32 connections;
            # the ceiling of waitress + Flask + peewee in this process, not a target
            r = wrk(f"http://127.0.0.1:{port}/healthz", 32, args.duration, "page.lua",
                    server_pids=server.pids())
            log(f"[{label}] /healthz: {r['rps']:.0f} req/s, p50 {r['p50_ms']:.1f} ms, "
                f"p99 {r['p99_ms']:.1f} ms, {cpu_note(r)}")
            result["healthz_runs"] = [r]
            result["healthz"] = summarize([r])
        if signing:
            token, cookie = get_form_credentials(port)
            sign_env = {"BENCH_CSRF": token, "BENCH_COOKIE": cookie, "BENCH_SIGN_PATH": SIGN_PATH}
            sign_url = f"http://127.0.0.1:{port}{SIGN_PATH}"
            outbox_before = outbox_count(folder)
            signing_started = time.perf_counter()
            wrk(sign_url, 16, args.warmup, "sign.lua", dict(sign_env, BENCH_RUN="warmup"))
            runs = []
            for i in range(args.runs):
                r = wrk(sign_url, 16, args.duration, "sign.lua",
                        dict(sign_env, BENCH_RUN=f"{os.getpid()}r{i}"), server_pids=server.pids())
                runs.append(r)
                log(f"[{label}] sign run {i + 1}: {r['ok_per_s']:.0f} sig/s, "
                    f"p50 {r['p50_ms']:.1f} ms, p99 {r['p99_ms']:.1f} ms, "
                    f"errors {r['errors']} {r['codes']}, {cpu_note(r)}")
            result["sign_runs"] = runs
            result["sign"] = summarize(runs)
            if args.profile:
                result["sign_profile"] = profile(
                    server, args.duration, f"{label}-sign",
                    lambda: wrk(sign_url, 16, args.duration, "sign.lua",
                                dict(sign_env, BENCH_RUN=f"{os.getpid()}p")))
            result["rss_after_load_mb"] = server.rss() / 2**20
            result["outbox_at_end_of_load"] = outbox_count(folder) - outbox_before
            result["queue_at_end_of_load"] = queue_depth(folder)
            # let the worker drain the confirmation mails (bounded wait)
            waited = time.perf_counter()
            while (queue_depth(folder) or 0) > 0 and time.perf_counter() - waited < args.drain:
                time.sleep(0.5)
            result["queue_drain_s"] = time.perf_counter() - waited
            result["queue_after_drain"] = queue_depth(folder)
            result["outbox_after_drain"] = outbox_count(folder) - outbox_before
            # end to end: signatures recorded *and* their mail written, from the first signing
            # request to the empty queue (the worker falls behind during the load)
            if not result["queue_after_drain"]:
                result["sustained_mailed_signatures_per_s"] = result["outbox_after_drain"] / (
                    time.perf_counter() - signing_started)
            log(f"[{label}] mails: {result['outbox_at_end_of_load']} written during load, "
                f"queue {result['queue_at_end_of_load']} -> {result['queue_after_drain']} "
                f"after {result['queue_drain_s']:.0f} s")
        else:
            result["rss_after_load_mb"] = server.rss() / 2**20
        log(f"[{label}] RSS after load: {result['rss_after_load_mb']:.1f} MB "
            f"(peak {server.peak_rss / 2**20:.1f} MB)")
    finally:
        server.stop_sampling()
        result["rss_peak_mb"] = server.peak_rss / 2**20
        result["rss_end_by_process_mb"] = server.rss_by_process()
        result["stop_s"].append(server.stop())
        result["server_problems"] = server_problems(folder, label)
    return result


def server_problems(folder, label):
    """Keep the server log's warnings, errors and tracebacks (not its INFO lines) in results/.

    waitress warns "Task queue depth is N" each time a request waits for a free thread,
    which is every request at 32 connections and 8 threads: those are only counted; its
    "Canceling N pending task(s)" at shutdown (requests still in flight) is left out."""
    log_file = folder / "serve.log"
    if not log_file.exists():
        return {}
    lines, level = [], "INFO"
    for ln in log_file.read_text(errors="replace").splitlines():
        head = re.match(r"^\d{4}-\d\d-\d\d [\d:,]+ ([A-Z]+) ", ln)
        if head:
            level = head.group(1)
        elif ln.startswith("Traceback"):
            level = "ERROR"
        if level not in ("DEBUG", "INFO"):  # a record and its continuation lines
            lines.append(ln)
    log_file.write_text("")  # the next server of this folder starts a fresh log
    depth = [ln for ln in lines if "waitress.queue: Task queue depth" in ln]
    # "Canceling N pending task(s)": requests in flight when the server is stopped
    other = [ln for ln in lines if "waitress.queue: Task queue depth" not in ln
             and not re.search(r"WARNING waitress: Canceling \d+ pending task", ln)]
    if other:
        out = RESULTS / f"serve-{time.strftime('%Y%m%d-%H%M%S')}-{label}.log"
        out.write_text("\n".join(other) + "\n")
        log(f"[{label}] {len(other)} warning/error lines in the server log, kept in "
            f"{out.relative_to(ROOT)}")
    return {"queue_depth_warnings": len(depth), "other_lines": len(other)}


def verdict(ok):
    return "met" if ok else "**missed**"


def table(res, args):
    full, empty = res["filled"], res["empty"]
    page, sign = full["page"], full["sign"]
    ratio = page["rps"] / empty["page"]["rps"]
    first = statistics.median(full["first_200_s"])
    t = TARGETS
    n = f"{args.signatures:,}"
    rows = [
        ("Page views/s, 32 conn., " + n + " sig.",
         f"{page['rps']:.0f} ({page['rps_min']:.0f}–{page['rps_max']:.0f})",
         f">= {t['page_rps']}", verdict(page["rps"] >= t["page_rps"])),
        ("Page p50 / p99",
         f"{page['p50_ms']:.1f} / {page['p99_ms']:.1f} ms "
         f"(p99 {page['p99_ms_min']:.0f}–{page['p99_ms_max']:.0f})",
         f"p99 < {t['page_p99_ms']} ms", verdict(page["p99_ms"] < t["page_p99_ms"])),
        ("Signatures/s (303), 16 conn.",
         f"{sign['ok_per_s']:.0f} ({sign['ok_per_s_min']:.0f}–{sign['ok_per_s_max']:.0f})",
         f">= {t['sign_rps']}", verdict(sign["ok_per_s"] >= t["sign_rps"])),
        ("Signature p50 / p99",
         f"{sign['p50_ms']:.1f} / {sign['p99_ms']:.1f} ms "
         f"(p99 {sign['p99_ms_min']:.0f}–{sign['p99_ms_max']:.0f})",
         f"p99 < {t['sign_p99_ms']} ms", verdict(sign["p99_ms"] < t["sign_p99_ms"])),
        ("Errors (non-200 pages / non-303 signatures)",
         f"{page['errors']} / {sign['errors']}", "0", verdict(page["errors"] + sign["errors"] == 0)),
        ("Page views/s, empty database",
         f"{empty['page']['rps']:.0f} (p99 {empty['page']['p99_ms']:.1f} ms)", "", ""),
        ("Page speed, " + n + " sig. vs empty", f"{ratio:.0%}", ">= 80%",
         verdict(ratio >= t["page_ratio_min"])),
        ("RSS idle", f"{full['rss_idle_mb']:.1f} MB (empty db {empty['rss_idle_mb']:.1f} MB)",
         f"< {t['rss_idle_mb']} MB", verdict(full["rss_idle_mb"] < t["rss_idle_mb"])),
        ("RSS after load (peak)", f"{full['rss_after_load_mb']:.1f} MB "
         f"({full['rss_peak_mb']:.1f} MB)", "", ""),
        ("Start to first 200", f"{first:.2f} s ({min(full['first_200_s']):.2f}–"
         f"{max(full['first_200_s']):.2f})", f"< {t['first_200_s']:.0f} s",
         verdict(first < t["first_200_s"])),
    ]
    for key, name in (("filled", "in-process worker"), ("split", "separate worker")):
        part = res.get(key) or {}
        if part.get("sustained_mailed_signatures_per_s"):
            rows.append((
                f"Signatures with their mail written, end to end ({name})",
                f"{part['sustained_mailed_signatures_per_s']:.0f}/s (queue {part['queue_at_end_of_load']}"
                f" at end of load, empty {part['queue_drain_s']:.0f} s later)", "", ""))
    if "healthz" in empty:
        h = empty["healthz"]
        rows.append(("Reference: /healthz req/s (1 run)",
                     f"{h['rps']:.0f} (p99 {h['p99_ms']:.1f} ms)", "", ""))
    split = res.get("split")
    if split:
        s = split["sign"]
        rows.append(("Signatures/s, serve --no-worker + chaton worker",
                     f"{s['ok_per_s']:.0f} ({s['ok_per_s_min']:.0f}–{s['ok_per_s_max']:.0f}), "
                     f"p50 {s['p50_ms']:.1f} / p99 {s['p99_ms']:.1f} ms",
                     f">= {t['sign_rps']}, p99 < {t['sign_p99_ms']} ms",
                     verdict(s["ok_per_s"] >= t["sign_rps"] and s["p99_ms"] < t["sign_p99_ms"])))
    lines = ["| Measure | Result (median, min–max) | Target | |", "|---|---|---|---|"]
    lines += [f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows]
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--signatures", type=int, default=1_000_000)
    parser.add_argument("--duration", type=int, default=20, help="seconds per wrk run")
    parser.add_argument("--runs", type=int, default=3, help="wrk runs per test (median kept)")
    parser.add_argument("--starts", type=int, default=3, help="cold starts timed")
    parser.add_argument("--warmup", type=int, default=3, help="seconds of unrecorded load first")
    parser.add_argument("--drain", type=int, default=60,
                        help="max seconds to wait for the mail queue after signing")
    parser.add_argument("--quick", action="store_true",
                        help="smoke test: 100,000 signatures, 1 run of 5 s")
    parser.add_argument("--profile", action="store_true",
                        help="one extra py-spy-sampled run of each test (needs py-spy)")
    parser.add_argument("--keep", action="store_true", help="keep the instance folders")
    parser.add_argument("--separate-worker", action="store_true",
                        help="also measure signing with `serve --no-worker` + `chaton worker`")
    args = parser.parse_args()
    if args.quick:
        args.signatures, args.duration, args.runs, args.starts = 100_000, 5, 1, 1
        args.warmup = 1
    if not shutil.which("wrk"):
        raise SystemExit("wrk not found: sudo apt-get install wrk")
    global LOG_FILE
    RESULTS.mkdir(exist_ok=True)
    stamp = STAMP + ("-quick" if args.quick else "")
    LOG_FILE = RESULTS / f"{stamp}.log"
    out = RESULTS / f"{stamp}.json"
    tmp = Path(tempfile.mkdtemp(prefix="chaton-bench-"))
    res = {"started": dt.datetime.now().isoformat(timespec="seconds"), "args": vars(args),
           "machine": machine(), "targets": TARGETS}
    try:
        # filled database first: its page tests run before the signing tests add rows
        for label, count in (("filled", args.signatures), ("empty", 0)):
            folder, port = tmp / label, free_port()
            env = make_instance(folder, port)
            if count:
                res["prefill_s"] = prefill(folder / "chaton.db", count)
            res[label] = serve_and_measure(folder, env, port, args, label, signing=bool(count),
                                           healthz=not count)
            res[label]["db_mb"] = sum(p.stat().st_size for p in folder.glob("chaton.db*")) / 2**20
        if args.separate_worker:
            # same filled instance, `chaton serve --no-worker` + `chaton worker` (2 processes)
            folder, port = tmp / "filled", free_port()
            env = chaton_env(port)
            res["split"] = serve_and_measure(folder, env, port, args, "split", page=False,
                                             signing=True, separate_worker=True)
    except BaseException as exc:
        res["failed"] = repr(exc)
        log(f"failed: {exc!r}")
        raise
    finally:
        out.write_text(json.dumps(res, indent=2, default=str))  # partial results too
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            log(f"instances kept in {tmp}")
    md = table(res, args)
    res["table"] = md
    out.write_text(json.dumps(res, indent=2, default=str))
    log(f"results in {out.relative_to(ROOT)}")
    with LOG_FILE.open("a") as fh:
        fh.write(md + "\n")
    print(md)
    print(f"\nraw results: {out.relative_to(ROOT)}")
    for label in ("filled", "empty"):
        for kind in ("page_profile", "sign_profile"):
            prof = res[label].get(kind)
            if prof:
                print(f"\n{label} {kind} ({prof['samples']} samples), top self time:")
                for f, p in prof["self"][:15]:
                    print(f"  {p:5.1f}%  {f}")


if __name__ == "__main__":
    main()
