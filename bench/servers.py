"""Several app servers on PostgreSQL: does signing grow with app servers?

    .venv/bin/python bench/servers.py                 # 3 rounds of 15 s, medians
    .venv/bin/python bench/servers.py --runs 1 --duration 10

One machine holds everything: a throwaway PostgreSQL cluster (.ci/postgres), one `chaton
worker`, one or two `chaton serve --no-worker` on the same database, Debian's nginx with the
documented configuration (deploy/nginx-chaton.conf, its upstream listing each server) and wrk
posting the signing form through nginx at 32 connections, one new address a request. The
signing rate limit is on (a huge one), so that each signature also moves its shared counter in
the database, as in production. Rounds alternate one and two servers, so that the noise of the
shared machine falls on both alike. Prints signatures/s and p99 for each, the ratio, and the
machine; raw results go to bench/results/.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path[:0] = [str(BENCH), str(ROOT / "tests")]
import run  # noqa: E402  (bench/run.py: wrk, machine)
from frontserver import Nginx  # noqa: E402  (tests/frontserver.py: the documented nginx)


def start_postgres(folder):
    url = subprocess.run([str(ROOT / ".ci" / "postgres"), "start", str(folder)], check=True,
                         capture_output=True, text=True).stdout.strip()
    import psycopg2

    con = psycopg2.connect(url)
    con.autocommit = True
    con.cursor().execute("CREATE DATABASE chaton_bench")
    con.close()
    return url.rsplit("/", 1)[0] + "/chaton_bench"


def start(cmd, env, log):
    return subprocess.Popen(run.chaton_cmd() + cmd, env=env, stdout=log,
                            stderr=subprocess.STDOUT)


def wait_ready(port):
    import requests

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if requests.get(f"http://127.0.0.1:{port}/healthz/write", timeout=2).ok:
                return
        except requests.RequestException:
            pass
        time.sleep(0.1)
    raise SystemExit(f"server on {port} not ready")


def one_round(tmp, folder, env, servers, args, label):
    """Start `servers` app servers and nginx, sign through it for args.duration seconds."""
    ports = [run.free_port() for _ in range(servers)]
    log = (folder / f"serve-{label}.log").open("ab")
    procs = [start(["--instance", str(folder), "serve", "--no-worker", "--port", str(p)], env,
                   log) for p in ports]
    nginx = Nginx(tmp / f"nginx-{label}", ports[0])
    site = nginx.folder / "site.conf"
    site.write_text(site.read_text().replace(
        f"    server 127.0.0.1:{ports[0]};\n",
        "".join(f"    server 127.0.0.1:{p};\n" for p in ports)))
    try:
        for port in ports:
            wait_ready(port)
        nginx.start()
        run.wrk(nginx.url + run.SIGN_PATH, 8, 3, "sign.lua", {"BENCH_RUN": f"{label}-warm"})
        pids = [p.pid for p in procs]
        result = run.wrk(nginx.url + run.SIGN_PATH, args.connections, args.duration, "sign.lua",
                         {"BENCH_RUN": label}, server_pids=pids)
        result.pop("stdout", None)
        return result
    finally:
        nginx.stop()
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(20)
        log.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=15)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--connections", type=int, default=32)
    args = parser.parse_args()
    run.RESULTS.mkdir(exist_ok=True)
    results = {"machine": run.machine(), "args": vars(args), "rounds": []}
    with tempfile.TemporaryDirectory(prefix="chaton-servers-") as tmp:
        tmp = Path(tmp)
        # made by .ci/postgres itself, outside the 0700 temporary folder: postgres must enter it
        pg = Path(tempfile.gettempdir()) / f"chaton-servers-pg-{os.getpid()}"
        url = start_postgres(pg)
        try:
            folder = tmp / "instance"
            env = dict(run.chaton_env(run.free_port()), CHATON_DATABASE_URL=url,
                       CHATON_TRUSTED_PROXIES="1",
                       CHATON_SIGN_RATE_LIMIT="1000000 per minute")
            subprocess.run(run.chaton_cmd() + ["--instance", str(folder), "init"], check=True,
                           env=env, stdout=subprocess.DEVNULL)
            with (folder / "worker.log").open("ab") as log:
                worker = start(["--instance", str(folder), "worker"], env, log)
            try:
                for n in range(args.runs):
                    for servers in (1, 2):
                        run.log(f"round {n + 1}/{args.runs}: {servers} server(s)")
                        one = one_round(tmp, folder, env, servers, args, f"{n}-{servers}")
                        results["rounds"].append({"servers": servers, **one})
            finally:
                worker.terminate()
                worker.wait(30)
        finally:
            subprocess.run([str(ROOT / ".ci" / "postgres"), "stop", str(pg)])
    report(results)


def report(results):
    out = run.RESULTS / f"servers-{run.STAMP}.json"
    out.write_text(json.dumps(results, indent=2))
    print(f"\n{results['machine']}")
    medians = {}
    for servers in (1, 2):
        rounds = [r for r in results["rounds"] if r["servers"] == servers]
        medians[servers] = {k: statistics.median(r[k] for r in rounds)
                            for k in ("ok_per_s", "p99_ms", "errors", "server_cores")}
        m = medians[servers]
        print(f"{servers} server(s): {m['ok_per_s']:.0f} signatures/s, p99 {m['p99_ms']:.0f} ms, "
              f"{m['errors']:.0f} errors, app servers using {m['server_cores']:.2f} cores "
              f"(medians of {len(rounds)})")
    print(f"two servers / one: {medians[2]['ok_per_s'] / medians[1]['ok_per_s']:.2f}")
    print(f"raw results: {out}")


if __name__ == "__main__":
    main()
