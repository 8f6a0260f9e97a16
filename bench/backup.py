"""Timings of `chaton backup` and `chaton restore` on a database of 1,000,000 signatures.

    .venv/bin/python bench/backup.py                          # 1,000,000 signatures
    .venv/bin/python bench/backup.py --signatures 100000 --duration 10 --runs 1

  1. a throw-away instance (`chaton init`) whose demo petition is pre-filled with N confirmed
     signatures (bench/run.py's make_instance and prefill: bulk sqlite3 inserts);
  2. `chaton backup` on the idle instance, --runs times: wall time of the command, archive size;
  3. `chaton serve`, then wrk posting signatures at 16 connections for --duration seconds with no
     backup, then again with `chaton backup` started 2 s into the run: signatures/s and latency
     with and without a backup running, and the backup's own time under that load;
  4. `chaton restore` of the idle archive into a new folder, --runs times, with its steps;
  5. a Markdown table on stdout, everything in bench/results/backup-<date>.json.
"""

import argparse
import datetime as dt
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import (  # noqa: E402  (bench/run.py: instance, pre-fill, server, wrk)
    RESULTS,
    ROOT,
    SIGN_PATH,
    Server,
    chaton_cmd,
    free_port,
    get_form_credentials,
    log,
    machine,
    make_instance,
    prefill,
    wrk,
)


def timed(args, env, prefix=()):
    """Run a chaton command (after `prefix`, e.g. nice); (wall seconds, stdout). Fails loudly."""
    started = time.perf_counter()
    done = subprocess.run([*prefix, *chaton_cmd(), *map(str, args)], env=env, capture_output=True,
                          text=True)
    seconds = time.perf_counter() - started
    if done.returncode:
        raise SystemExit(f"chaton {' '.join(map(str, args))} failed:\n{done.stdout}{done.stderr}")
    return seconds, done.stdout


def db_mb(folder):
    return sum(p.stat().st_size for p in folder.glob("*.db*")) / 2**20


def idle_backups(folder, env, runs, tmp):
    """`chaton backup` with nothing else running; the last archive is kept for the restores."""
    results = []
    for i in range(runs):
        out = tmp / f"idle-{i}.tar.gz"
        seconds, stdout = timed(["--instance", folder, "backup", "--output", out], env)
        steps = {m[0]: float(m[1]) for m in re.findall(r"(?:\(|, )([a-z ]+) (\d+\.\d) s", stdout)}
        results.append({"wall_s": seconds, "archive_mb": out.stat().st_size / 2**20,
                        "steps": steps, "stdout": stdout})
        log(f"idle backup {i + 1}: {seconds:.1f} s, {out.stat().st_size / 2**20:.1f} MiB {steps}")
    return results, out


def restores(archive, env, runs, tmp):
    """`chaton restore` into fresh folders; the wall time and the steps it reports."""
    results = []
    for i in range(runs):
        target = tmp / f"restored-{i}"
        seconds, stdout = timed(["restore", archive, "--instance-dir", target / "instance",
                                 "--content-dir", target / "content"], env)
        steps = {m[0]: float(m[1]) for m in re.findall(r"^(.+) \((\d+\.\d) s\)$", stdout, re.M)}
        results.append({"wall_s": seconds, "steps": steps, "stdout": stdout})
        log(f"restore {i + 1}: {seconds:.1f} s {steps}")
        shutil.rmtree(target)
    return results


def signing_with_backup(folder, env, port, args, tmp):
    """wrk signing without, then with, a backup running; the backup's time under load."""
    server = Server(folder, port, env)
    server.start()
    try:
        token, cookie = get_form_credentials(port)
        sign_env = {"BENCH_CSRF": token, "BENCH_COOKIE": cookie, "BENCH_SIGN_PATH": SIGN_PATH}
        url = f"http://127.0.0.1:{port}{SIGN_PATH}"
        wrk(url, 16, 3, "sign.lua", dict(sign_env, BENCH_RUN="warmup"))
        alone = wrk(url, 16, args.duration, "sign.lua", dict(sign_env, BENCH_RUN="alone"),
                    server_pids=server.pids())
        log(f"signing alone: {alone['ok_per_s']:.0f}/s, p99 {alone['p99_ms']:.1f} ms")
        result = {"alone": alone}
        for label, prefix in (("during", ()), ("during_nice", ("nice", "-n", "19"))):
            result[label] = during = wrk_with_backup(url, sign_env, label, prefix, server, folder,
                                                     env, args, tmp)
            log(f"signing {label}: {during['ok_per_s']:.0f}/s, p99 {during['p99_ms']:.1f} ms;"
                f" backup {during['backup']['wall_s']:.1f} s")
        return result
    finally:
        server.stop()


def wrk_with_backup(url, sign_env, label, prefix, server, folder, env, args, tmp):
    """One wrk signing run with `chaton backup` (after `prefix`) started 2 s into it."""
    backup = {}

    def run_backup():
        time.sleep(2)
        backup["wall_s"], backup["stdout"] = timed(
            ["--instance", folder, "backup", "--output", tmp / f"{label}.tar.gz"], env, prefix)

    thread = threading.Thread(target=run_backup)
    thread.start()
    result = wrk(url, 16, args.duration, "sign.lua", dict(sign_env, BENCH_RUN=label),
                 server_pids=server.pids())
    thread.join()
    return dict(result, backup=backup)


def table(res):
    idle = res["idle_backups"]
    med = lambda rows, key: statistics.median(r[key] for r in rows)  # noqa: E731
    spread = lambda rows, key: f"{min(r[key] for r in rows):.1f}–{max(r[key] for r in rows):.1f}"  # noqa: E731
    rest = res["restores"]
    steps = {k: statistics.median(r["steps"].get(k, 0) for r in rest) for k in rest[0]["steps"]}
    load = res["load"]
    a, d, n = load["alone"], load["during"], load["during_nice"]
    rows = [
        ("Database (chaton.db + queue.db)", f"{res['db_mb']:.0f} MiB"),
        ("`chaton backup`, idle site (wall time)", f"{med(idle, 'wall_s'):.1f} s ({spread(idle, 'wall_s')})"),
    ]
    rows += [(f"  of which: {k}", f"{statistics.median(r['steps'].get(k, 0) for r in idle):.1f} s")
             for k in idle[0]["steps"]]
    rows += [
        ("Archive size", f"{med(idle, 'archive_mb'):.0f} MiB"),
        ("`chaton backup` while signing at 16 connections", f"{d['backup']['wall_s']:.1f} s"),
        ("`nice -n 19 chaton backup` while signing", f"{n['backup']['wall_s']:.1f} s"),
        ("Signatures/s (p50 / p99) without backup",
         f"{a['ok_per_s']:.0f} ({a['p50_ms']:.0f} / {a['p99_ms']:.0f} ms)"),
        (f"Signatures/s (p50 / p99) over {res['args']['duration']} s with a backup running",
         f"{d['ok_per_s']:.0f} ({d['p50_ms']:.0f} / {d['p99_ms']:.0f} ms), "
         f"errors {d['errors']}"),
        ("Signatures/s (p50 / p99) with a `nice -n 19` backup running",
         f"{n['ok_per_s']:.0f} ({n['p50_ms']:.0f} / {n['p99_ms']:.0f} ms), "
         f"errors {n['errors']}"),
        ("`chaton restore` (wall time)", f"{med(rest, 'wall_s'):.1f} s ({spread(rest, 'wall_s')})"),
    ]
    rows += [(f"  of which: {k}", f"{v:.1f} s") for k, v in steps.items()]
    lines = ["| Measure | Result (median, min–max) |", "|---|---|"]
    return "\n".join(lines + [f"| {k} | {v} |" for k, v in rows])


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--signatures", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3, help="idle backups and restores timed")
    parser.add_argument("--duration", type=int, default=30, help="seconds of each wrk run")
    args = parser.parse_args()
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"backup-{time.strftime('%Y%m%d-%H%M%S')}.json"
    tmp = Path(tempfile.mkdtemp(prefix="chaton-bench-backup-"))
    res = {"started": dt.datetime.now().isoformat(timespec="seconds"), "args": vars(args),
           "machine": machine()}
    try:
        folder, port = tmp / "instance", free_port()
        env = make_instance(folder, port)
        env["CHATON_CONTENT_DIR"] = str(ROOT / "content")
        res["prefill_s"] = prefill(folder / "chaton.db", args.signatures)
        res["db_mb"] = db_mb(folder)
        res["idle_backups"], archive = idle_backups(folder, env, args.runs, tmp)
        res["restores"] = restores(archive, env, args.runs, tmp)
        res["load"] = signing_with_backup(folder, env, port, args, tmp)
        res["table"] = table(res)
    finally:
        out.write_text(json.dumps(res, indent=2, default=str))
        shutil.rmtree(tmp, ignore_errors=True)
    print(res["table"])
    print(f"\nraw results: {out.relative_to(ROOT)}; machine: {res['machine']['nproc']} x "
          f"{res['machine']['cpu']}, load {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
