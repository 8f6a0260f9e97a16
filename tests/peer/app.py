"""bovine-herd (an ActivityPub server from PyPI, not ours) as an ASGI app for hypercorn.

Run by tests/test_federation_peer.py inside .venv-peer, with BOVINE_DB_URL naming its SQLite
database and BUTCHER_ALLOW_HTTP set (bovine then looks up acct: handles over plain http on
loopback, as the tests need).
"""

import logging
import os

from bovine_herd import BovineHerd
from quart import Quart

logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
app = Quart(__name__)
BovineHerd(app, db_url=os.environ["BOVINE_DB_URL"])
