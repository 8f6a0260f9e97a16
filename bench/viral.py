"""The viral day: readers and signers at once, through Debian's nginx with the documented
configuration (deploy/nginx-chaton.conf), and the app alone against a bare waitress app.

    .venv/bin/python bench/viral.py                  # 3 runs of 20 s each, medians
    .venv/bin/python bench/viral.py --runs 1 --duration 15 --signatures 100000

In one run, on one machine (nginx, Chaton, wrk and the signer share it):
  1. reference: the same nginx serves the petition page's bytes as a static file to wrk at
     128 connections (the physical limit of the box for this page);
  2. through the cache: wrk reads the petition page at 128 connections while a paced signer
     does what 33 browsers a second do: open the page through the cache (a new visitor each
     time, no cookie), post the form (Sec-Fetch-Site: same-origin) and count the 303s;
  3. the app alone: wrk at 32 connections on the petition page straight from `chaton serve`,
     and on a bare waitress "hello" app (the same waitress, the same threads);
  4. signing alone: wrk posting the form straight to `chaton serve` at 16 connections.
It prints page views/s, p99, the cache hit ratio, signature successes and p99, and the
ratios the issue sets as goals, with the machine; raw results go to bench/results/.
Needs nginx and wrk (`sudo apt-get install nginx-light wrk`).
"""

import argparse
import http.client
import json
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlencode

import psutil
import requests

BENCH = Path(__file__).resolve().parent
sys.path[:0] = [str(BENCH), str(BENCH.parent / "tests")]
import run  # noqa: E402  (bench/run.py: instances, wrk, machine)
from frontserver import Nginx  # noqa: E402  (tests/frontserver.py: the documented nginx)

GOALS = {"cache_ratio": 0.3, "cache_p99_ms": 50, "sign_p99_ms": 500, "app_ratio": 0.30,
         "app_p99_ms": 100, "sign_rps": 300, "sign_alone_p99_ms": 150}
HELLO = '''
import waitress

def app(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "5")])
    return [b"hello"]

waitress.serve(app, host="127.0.0.1", port={port}, threads={threads}, ident="hello")
'''


def paced_signer(base, rate, seconds, results):
    """`rate` new visitors a second: GET the page (through the cache), POST the form, each on
    a connection of its own as a first visit (http.client: the signer must cost the machine
    little, or it measures itself)."""
    host, port = base.split("//")[1].split(":")

    def one(i):
        headers = {"Accept": "text/html", "Accept-Language": "fr-FR,fr;q=0.9",
                   "Host": f"{host}:{port}"}
        try:
            conn = http.client.HTTPConnection(host, int(port), timeout=10)
            conn.request("GET", run.PAGE_PATH, headers=headers)
            page = conn.getresponse().read()
            action = re.search(rb'<form method="post" action="([^"#]+)', page).group(1)
            body = urlencode({"name": "Camille Banc", "postal_code": "75011", "website": "",
                              "email": f"viral.{STAMP}.{i}@example.org"})
            started = time.perf_counter()
            conn.request("POST", action.decode().replace("&amp;", "&"), body=body, headers={
                **headers, "Sec-Fetch-Site": "same-origin",
                "Content-Type": "application/x-www-form-urlencoded"})
            response = conn.getresponse()
            response.read()
            results.append((response.status == 303, time.perf_counter() - started))
            conn.close()
        except (OSError, http.client.HTTPException, AttributeError):
            results.append((False, 10.0))

    with ThreadPoolExecutor(max_workers=32) as pool:
        started = time.perf_counter()
        for i in range(int(rate * seconds)):
            delay = started + i / rate - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            pool.submit(one, i)


STAMP = time.strftime("%H%M%S")


def percentile(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))] if values else float("nan")


def viral_run(nginx, args, server):
    signed = []
    signer = threading.Thread(target=paced_signer,
                              args=(nginx.url, args.rate, args.duration, signed))
    signer.start()
    reads = run.wrk(nginx.url + run.PAGE_PATH, 128, args.duration, "cached_page.lua",
                    server_pids=server.pids())
    signer.join()
    hits = json.loads(next(ln for ln in reads["stdout"].splitlines()
                           if ln.startswith("BENCH_CACHE "))[len("BENCH_CACHE "):])
    ok = [latency for success, latency in signed if success]
    return {"reads": reads, "hit_ratio": hits["hit"] / max(1, hits["total"]),
            "cache_statuses": hits["kinds"],
            "signatures": len(signed), "signed_ok": len(ok),
            "sign_p99_ms": percentile([lat for _s, lat in signed], 0.99) * 1000}


def hello_server(threads):
    port = run.free_port()
    proc = subprocess.Popen([sys.executable, "-c", HELLO.format(port=port, threads=threads)])
    for _ in range(100):
        try:
            requests.get(f"http://127.0.0.1:{port}/", timeout=1)
            return proc, port
        except requests.RequestException:
            time.sleep(0.05)
    raise SystemExit("the hello app did not start")


def median(runs, key):
    return statistics.median(r[key] for r in runs)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=20)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--rate", type=float, default=33.0, help="signatures a second")
    parser.add_argument("--signatures", type=int, default=200_000, help="pre-filled")
    parser.add_argument("--nice", type=int, default=0,
                        help="run Chaton's processes with this niceness (docs/deploy.md: 5)")
    parser.add_argument("--nginx-workers", type=int, default=1,
                        help="worker_processes (docs/deploy.md: 1 on two cores shared with "
                             "Chaton)")
    parser.add_argument("--in-process-worker", action="store_true",
                        help="the worker inside `chaton serve` (default: `chaton worker` in its "
                             "own process, as docs/deploy.md advises for busier hosts)")
    args = parser.parse_args()
    run.RESULTS.mkdir(exist_ok=True)
    machine = run.machine()
    with tempfile.TemporaryDirectory(prefix="chaton-viral-") as tmp:
        tmp = Path(tmp)
        port = run.free_port()
        folder = tmp / "instance"
        env = run.make_instance(folder, port)
        run.prefill(folder / "chaton.db", args.signatures)
        static = tmp / "static"
        static.mkdir()
        nginx = Nginx(tmp / "nginx", port, workers=args.nginx_workers, static_dir=static)
        env = dict(env, CHATON_BASE_URL=nginx.url, CHATON_TRUSTED_PROXIES="1")
        server = run.Server(folder, port, env, separate_worker=not args.in_process_worker)
        server.start()
        for pid in server.pids():
            psutil.Process(pid).nice(args.nice)
        (static / "page.html").write_bytes(requests.get(
            f"http://127.0.0.1:{port}{run.PAGE_PATH}", timeout=10).content)
        nginx.start()
        hello, hello_port = hello_server(8)
        results = {"machine": machine, "args": vars(args), "runs": []}
        try:
            # warm up, as a server that has been running is: pages, then signatures
            run.wrk(nginx.url + run.PAGE_PATH, 32, 3, "page.lua")
            run.wrk(f"http://127.0.0.1:{port}{run.SIGN_PATH}", 4, 3, "sign.lua",
                    {"BENCH_RUN": f"{STAMP}-warm", "BENCH_CSRF": "", "BENCH_COOKIE": ""})
            time.sleep(5)  # the worker sends the warm-up's mails
            for n in range(args.runs):
                run.log(f"run {n + 1}/{args.runs}")
                one = {"static": run.wrk(nginx.url + "/reference/page.html", 128, args.duration,
                                         "page.lua")}
                one.update(viral_run(nginx, args, server))
                one["app"] = run.wrk(f"http://127.0.0.1:{port}{run.PAGE_PATH}", 32,
                                     args.duration, "page.lua", server_pids=server.pids())
                one["hello"] = run.wrk(f"http://127.0.0.1:{hello_port}/", 32, args.duration,
                                       "page.lua")
                one["sign"] = run.wrk(f"http://127.0.0.1:{port}{run.SIGN_PATH}", 16,
                                      args.duration, "sign.lua",
                                      {"BENCH_RUN": f"{STAMP}-{n}", "BENCH_CSRF": "",
                                       "BENCH_COOKIE": ""}, server_pids=server.pids())
                for part in ("static", "reads", "app", "hello", "sign"):
                    one[part].pop("stdout", None)
                results["runs"].append(one)
        finally:
            hello.terminate()
            nginx.stop()
            server.stop()
    report(results)


def report(results):
    runs = results["runs"]
    rows = {
        "static_rps": median([{"v": r["static"]["rps"]} for r in runs], "v"),
        "cache_rps": median([{"v": r["reads"]["ok_per_s"]} for r in runs], "v"),
        "cache_p99_ms": median([{"v": r["reads"]["p99_ms"]} for r in runs], "v"),
        "cache_errors": max(r["reads"]["errors"] for r in runs),
        "hit_ratio": median(runs, "hit_ratio"),
        "signed": f"{min(r['signed_ok'] for r in runs)}/{max(r['signatures'] for r in runs)}",
        "sign_p99_ms": median(runs, "sign_p99_ms"),
        "app_rps": median([{"v": r["app"]["ok_per_s"]} for r in runs], "v"),
        "app_p99_ms": median([{"v": r["app"]["p99_ms"]} for r in runs], "v"),
        "hello_rps": median([{"v": r["hello"]["rps"]} for r in runs], "v"),
        "sign_rps": median([{"v": r["sign"]["ok_per_s"]} for r in runs], "v"),
        "sign_alone_p99_ms": median([{"v": r["sign"]["p99_ms"]} for r in runs], "v"),
    }
    rows["cache_ratio"] = rows["cache_rps"] / rows["static_rps"]
    rows["app_ratio"] = rows["app_rps"] / rows["hello_rps"]
    results["summary"] = rows
    out = run.RESULTS / f"viral-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.write_text(json.dumps(results, indent=2, default=str))
    m = results["machine"]
    print(f"Machine: {m['cpu']}, {m['nproc']} CPUs; commit {m['commit']}; "
          f"medians of {len(runs)} runs of {results['args']['duration']} s.\n")
    print("| measure | value | goal |\n|---|---|---|")
    lines = [
        ("nginx, the page as a static file (128 conn.)", f"{rows['static_rps']:,.0f} req/s", ""),
        ("the page through the cache (128 conn.)", f"{rows['cache_rps']:,.0f} req/s, "
         f"{rows['cache_ratio']:.2f} of static", f">= {GOALS['cache_ratio']} of static"),
        ("  its p99 / errors / hits", f"{rows['cache_p99_ms']:.1f} ms / {rows['cache_errors']} "
         f"/ {rows['hit_ratio']:.1%}", f"< {GOALS['cache_p99_ms']} ms / 0"),
        ("signatures meanwhile (33/s, browser-like)", f"{rows['signed']} ok, p99 "
         f"{rows['sign_p99_ms']:.0f} ms", f"all ok, p99 < {GOALS['sign_p99_ms']} ms"),
        ("bare waitress hello (32 conn.)", f"{rows['hello_rps']:,.0f} req/s", ""),
        ("the page from the app alone (32 conn.)", f"{rows['app_rps']:,.0f} req/s, "
         f"{rows['app_ratio']:.2f} of hello, p99 {rows['app_p99_ms']:.1f} ms",
         f">= {GOALS['app_ratio']} of hello, p99 < {GOALS['app_p99_ms']} ms"),
        ("signing alone (16 conn.)", f"{rows['sign_rps']:,.0f}/s, p99 "
         f"{rows['sign_alone_p99_ms']:.0f} ms", f">= {GOALS['sign_rps']}/s, p99 < "
         f"{GOALS['sign_alone_p99_ms']} ms"),
    ]
    for name, value, goal in lines:
        print(f"| {name} | {value} | {goal} |")
    print(f"\nRaw results: {out}")


if __name__ == "__main__":
    main()
