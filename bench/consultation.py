"""Consultation page benchmark: 10,000 participants, 2,000 contributions, under wrk.

    .venv/bin/python bench/consultation.py               # 3 runs of 10 s per page, median
    .venv/bin/python bench/consultation.py --quick       # 1 run of 5 s per page

What it does:
  1. creates a throw-away instance with `chaton init` (shipped demo content);
  2. fills the demo consultation quartiers-solidaires/avenir-friche-jean-moulin with
     N participants (each voting on every topic), M contributions spread over its topics,
     supports and comments, with bulk sqlite3 inserts and every counter set as the
     participation services would have left it;
  3. starts `chaton serve` and runs wrk (bench/page.lua, 32 connections) on the consultation
     page, a topic page (by support, then in random order), a contribution page, the
     dashboard and the JSON export; prints a Markdown table, writes JSON to bench/results/.
Nothing in chaton/ is modified; run.py's helpers (instance, wrk, ports) are reused.
"""

import argparse
import datetime as dt
import json
import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import BENCH, RESULTS, chaton_cmd, free_port, make_instance, wrk  # noqa: E402

ORG, SLUG = "quartiers-solidaires", "avenir-friche-jean-moulin"
BASE = f"/{ORG}/consultations/{SLUG}"
PAGES = {
    "consultation page": BASE,
    "topic, by support": BASE + "/topics/usage-principal",
    "topic, random order": BASE + "/topics/usage-principal?order=random&seed=1234",
    "contribution page": BASE + "/contributions/1000",
    "dashboard": BASE + "/dashboard",
    "petition page (reference, empty)": f"/{ORG}/petitions/ecole-sans-amiante",
}
CHOICES = {"yes_no": ["yes", "no", "abstain"], "options": ["1", "2", "3", "abstain"]}


def log(msg):
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def prefill(db_path, participants, contributions, rng):
    """Insert participation for the demo consultation and set every counter to match."""
    started = time.perf_counter()
    con = sqlite3.connect(db_path, isolation_level=None)
    con.execute("PRAGMA synchronous=OFF")
    cid = con.execute("SELECT c.id FROM consultation c JOIN association a ON a.id = "
                      "c.association_id WHERE a.slug = ? AND c.slug = ?", (ORG, SLUG)).fetchone()[0]
    topics = con.execute("SELECT id, vote_type FROM consultation_topic WHERE consultation_id = ?",
                         (cid,)).fetchall()
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    con.execute("BEGIN")
    con.executemany(
        "INSERT INTO consultation_participant (consultation_id, email, email_key, display_name, "
        "language, notify_news, notify_replies, nonce, session_key, created_at, confirmed_at) "
        "VALUES (?,?,?,?,?,?,?,?,?,?,?)",
        ((cid, f"p{i}@example.org", f"p{i}@example.org", f"Participant {i}", "fr", i % 3 == 0,
          i % 2 == 0, f"{i:016x}", f"{i:016x}", str(now - dt.timedelta(minutes=i)),
          str(now - dt.timedelta(minutes=i))) for i in range(participants)))
    pids = [r[0] for r in con.execute(
        "SELECT id FROM consultation_participant WHERE consultation_id = ?", (cid,))]
    votes = 0
    for tid, vote_type in topics:
        picks = [rng.choice(CHOICES[vote_type]) for _ in pids]
        con.executemany("INSERT INTO consultation_vote (topic_id, participant_id, choice, "
                        "created_at, updated_at) VALUES (?,?,?,?,?)",
                        ((tid, p, c, str(now), str(now)) for p, c in zip(pids, picks, strict=True)))
        con.executemany("INSERT INTO consultation_vote_count (topic_id, choice, count) "
                        "VALUES (?,?,?)", [(tid, c, picks.count(c)) for c in set(picks)])
        votes += len(picks)
    counts = {tid: [0, 0] for tid, _ in topics}
    comments = 0
    for n in range(1, contributions + 1):
        tid = topics[n % len(topics)][0]
        author = pids[n % len(pids)]
        supporters = rng.sample(pids, rng.randint(0, 40))
        cur = con.execute(
            "INSERT INTO consultation_contribution (consultation_id, topic_id, number, "
            "participant_id, author_name, kind, stance, title, body, status, moderation_reason, "
            "support_count, comment_count, created_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (cid, tid, n, author, f"Participant {author}", "online",
             rng.choice(["for", "against", "neutral", "proposal"]), f"Contribution {n}",
             "Un texte de contribution assez long pour ressembler à un vrai. " * 6, "published",
             "", len(supporters), 2, str(now - dt.timedelta(minutes=n))))
        con.executemany("INSERT INTO consultation_support (contribution_id, participant_id, "
                        "created_at) VALUES (?,?,?)", ((cur.lastrowid, p, str(now))
                                                       for p in supporters))
        for _ in range(2):
            con.execute("INSERT INTO consultation_comment (consultation_id, topic_id, "
                        "contribution_id, participant_id, author_name, body, status, "
                        "moderation_reason, created_at) VALUES (?,?,?,?,?,?,?,?,?)",
                        (cid, tid, cur.lastrowid, author, "Quelqu'un", "Un commentaire.",
                         "published", "", str(now)))
        counts[tid][0] += 1
        counts[tid][1] += 2
        comments += 2
    for tid, (contribs, comms) in counts.items():
        con.execute("UPDATE consultation_topic SET vote_count = ?, contribution_count = ?, "
                    "comment_count = ? WHERE id = ?", (len(pids), contribs, comms, tid))
    con.executemany("INSERT INTO consultation_day (consultation_id, day, participants, votes, "
                    "contributions, comments) VALUES (?,?,?,?,?,?)",
                    [(cid, str((now - dt.timedelta(days=d)).date()), participants // 60,
                      votes // 60, contributions // 60, comments // 60) for d in range(60)])
    con.execute("UPDATE consultation SET participant_count = ?, vote_count = ?, "
                "contribution_count = ?, comment_count = ?, last_number = ? WHERE id = ?",
                (participants, votes, contributions, comments, contributions, cid))
    con.execute("COMMIT")
    con.close()
    log(f"filled: {participants} participants, {votes} votes, {contributions} contributions, "
        f"{comments} comments in {time.perf_counter() - started:.1f} s")


def serve(folder, port, env):
    proc = subprocess.Popen(chaton_cmd() + ["--instance", str(folder), "serve", "--port",
                                            str(port)], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if requests.get(f"http://127.0.0.1:{port}{BASE}", timeout=2).status_code == 200:
                return proc
        except requests.RequestException:
            pass
        time.sleep(0.05)
    proc.kill()
    raise SystemExit("chaton serve did not answer")


def measure(port, runs, seconds, connections):
    table = {}
    for name, path in PAGES.items():
        url = f"http://127.0.0.1:{port}{path}"
        wrk(url, connections, 2, BENCH / "page.lua")  # warm-up
        results = [wrk(url, connections, seconds, BENCH / "page.lua") for _ in range(runs)]
        table[name] = {"path": path, "runs": results,
                       "rps": statistics.median(r["rps"] for r in results),
                       "p50_ms": statistics.median(r["p50_ms"] for r in results),
                       "p99_ms": statistics.median(r["p99_ms"] for r in results),
                       "errors": sum(r["errors"] for r in results)}
        log(f"{name}: {table[name]['rps']:.0f} req/s, p99 {table[name]['p99_ms']:.1f} ms")
    return table


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--participants", type=int, default=10_000)
    parser.add_argument("--contributions", type=int, default=2_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    if args.quick:
        args.runs, args.duration = 1, 5
    with tempfile.TemporaryDirectory(prefix="chaton-bench-consultation-") as tmp:
        folder, port = Path(tmp) / "instance", free_port()
        env = make_instance(folder, port)
        prefill(folder / "chaton.db", args.participants, args.contributions, random.Random(1))
        proc = serve(folder, port, env)
        try:
            table = measure(port, args.runs, args.duration, args.connections)
        finally:
            proc.terminate()
            proc.wait(timeout=15)
    report(args, table)


def report(args, table):
    print(f"\n{args.participants:,} participants, {args.contributions:,} contributions, "
          f"{args.connections} connections, median of {args.runs} x {args.duration} s\n")
    print("| page | req/s | p50 (ms) | p99 (ms) | errors |\n|---|---:|---:|---:|---:|")
    for name, row in table.items():
        print(f"| {name} | {row['rps']:.0f} | {row['p50_ms']:.1f} | {row['p99_ms']:.1f} "
              f"| {row['errors']} |")
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"consultation-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.write_text(json.dumps({"args": vars(args), "pages": table}, indent=2, default=str))
    log(f"raw results in {out}")


if __name__ == "__main__":
    main()
