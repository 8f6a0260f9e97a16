"""An ActivityPub server written by others follows an association: bovine-herd, from PyPI.

bovine signs every request it sends (draft-cavage, Digest spelled `sha-256=`), refuses
unsigned reads of its actors (like Mastodon's secure mode, so Chaton's own fetches must be
signed) and verifies what it receives. Here it runs on loopback in its own environment
(.venv-peer, made by `./install.sh --dev`), against a real `chaton serve` that itself requires
signed fetches: the peer finds the association by WebFinger, follows it, gets an Accept it
verifies, then receives the Create of a petition published afterwards.
"""

import json
import os
import signal
import subprocess
from pathlib import Path

import pytest
import requests
from helpers import ROOT, petition_meta, write_md
from servers import HOST, ChatonServer, free_port
from test_federation_live import wait_until

pytestmark = pytest.mark.slow
PEER_PYTHON = ROOT / ".venv-peer" / "bin" / "python"
PEER_DIR = Path(__file__).parent / "peer"
ORG = "quartiers-solidaires"


class BovinePeer:
    """bovine-herd under hypercorn on 127.0.0.1, with one actor driven by its C2S API."""

    def __init__(self, state):
        self.state = Path(state)
        self.port = free_port()
        self.proc = None

    @property
    def domain(self):
        return f"http://{HOST}:{self.port}"

    def run(self, *args, timeout=60):
        done = subprocess.run([str(PEER_PYTHON), str(PEER_DIR / "peer.py"), *args],
                              cwd=self.state, env=self.env(), capture_output=True, text=True,
                              timeout=timeout)
        assert done.returncode == 0, done.stdout + done.stderr + self.log()
        return json.loads(done.stdout.strip().splitlines()[-1])

    def env(self):
        return {**os.environ, "BOVINE_DB_URL": f"sqlite://{self.state}/bovine.sqlite3",
                "BUTCHER_ALLOW_HTTP": "1", "PYTHONPATH": str(PEER_DIR)}

    def start(self):
        assert PEER_PYTHON.exists(), "bovine-herd is not installed: run ./install.sh --dev"
        self.state.mkdir(parents=True)
        self.actor = self.run("setup", str(self.state), self.domain, "alice")
        log = (self.state / "peer.log").open("ab")
        hypercorn = PEER_PYTHON.parent / "hypercorn"
        self.proc = subprocess.Popen([str(hypercorn), "--bind", f"{HOST}:{self.port}", "app:app"],
                                     cwd=self.state, env=self.env(), stdout=log,
                                     stderr=subprocess.STDOUT, start_new_session=True)
        wait_until(self._ready, timeout=30, what="bovine-herd to answer")
        return self

    def _ready(self):
        try:
            return requests.get(self.domain + "/.well-known/nodeinfo", timeout=2).ok
        except requests.RequestException:
            return False

    def stop(self):
        if self.proc is not None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc = None

    def log(self):
        path = self.state / "peer.log"
        return "\n--- bovine log ---\n" + path.read_text()[-4000:] if path.exists() else ""


@pytest.fixture
def peer(tmp_path):
    bovine = BovinePeer(tmp_path / "bovine")
    bovine.start()
    try:
        yield bovine
    finally:
        bovine.stop()


def test_bovine_follows_an_association_and_receives_its_new_campaign(tmp_path, peer):
    chaton = ChatonServer(tmp_path / "chaton", federation_allow_private_addresses=1,
                          federation_require_signed_fetch=1).init()
    chaton.start()
    try:
        handle = f"acct:{ORG}@{HOST}:{chaton.port}"
        followed = peer.run("follow", str(peer.state), handle)
        assert followed["remote"] == chaton.url(f"/{ORG}/")
        # Chaton checked bovine's signature (key fetched by a signed GET) and recorded it...
        wait_until(lambda: chaton.query("SELECT actor FROM fed_follower"), timeout=30,
                   what="Chaton to record the follower")
        assert chaton.query("SELECT actor FROM fed_follower") == [(peer.actor["id"],)]
        # ...and bovine verified Chaton's signed Accept: the association is in its following
        wait_until(lambda: chaton.url(f"/{ORG}/") in peer.run("inbox", str(peer.state))
                   ["following"], timeout=30, what="bovine to accept the Accept")

        write_md(chaton.content / ORG / "petitions/arbres.md",
                 petition_meta(title="Des arbres rue Voltaire"), "Plantons **vingt** arbres.")
        chaton.reindex()
        petition = chaton.url(f"/{ORG}/petitions/arbres")

        def created():
            return [a for a in peer.run("inbox", str(peer.state))["inbox"]
                    if a.get("type") == "Create"
                    and (a.get("object") or {}).get("id", a.get("object")) == petition]

        found = wait_until(created, timeout=30, what="bovine to receive the Create")
        actor = found[0]["actor"]  # bovine stores it with the actor's document embedded
        assert (actor.get("id") if isinstance(actor, dict) else actor) == chaton.url(f"/{ORG}/")
        # secure mode: without a signature Chaton does not answer; bovine's fetches were signed
        assert requests.get(petition, headers={"Accept": "application/activity+json"},
                            timeout=5).status_code == 401
        chaton.assert_no_tracebacks()
    finally:
        chaton.stop()
        print(peer.log())

