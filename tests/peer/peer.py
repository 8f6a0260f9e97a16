"""Drive the bovine-herd peer through its own interfaces (run with .venv-peer's Python).

    peer.py setup STATE DOMAIN HANDLE   create its database and an actor; print its facts
    peer.py follow STATE ACCOUNT        the actor follows acct:name@host (found by bovine's
                                        WebFinger client); print the remote actor's id
    peer.py inbox STATE                 what arrived in the actor's inbox, as stored, and its
                                        following collection (JSON)

The actor is driven by bovine's client-to-server API (Moo-Auth-1 with an Ed25519 did:key made
at setup), exactly as a person's client would. bovine keeps a JSON-LD context cache in the
current directory: the tests run this with cwd=STATE.
"""

import asyncio
import json
import sys
from pathlib import Path


async def setup(state, domain, handle):
    from bovine.crypto import generate_ed25519_private_key, private_key_to_did_key
    from bovine.types import Visibility
    from bovine_store import bovine_admin_store
    from tortoise import Tortoise

    async with bovine_admin_store(db_url=f"sqlite://{state}/bovine.sqlite3",
                                  domain=domain) as store:
        await Tortoise.generate_schemas()
        name = await store.register(handle)
        secret = generate_ed25519_private_key()
        did_key = private_key_to_did_key(secret)
        await store.add_identity_string_to_actor(name, did_key.removeprefix("did:key:"), did_key)
        actor = (await store.actor_for_name(name)).actor_object.build(visibility=Visibility.OWNER)
    facts = {"domain": domain, "secret": secret, "id": actor["id"], "inbox": actor["inbox"],
             "following": actor["following"], "key_id": actor["publicKey"]["id"]}
    (Path(state) / "peer.json").write_text(json.dumps(facts))
    return facts


def _client(state):
    from bovine import BovineClient

    facts = json.loads((Path(state) / "peer.json").read_text())
    return facts, BovineClient(domain=facts["domain"], secret=facts["secret"])


async def _ids(client, url):
    data = await client.get(url)
    if "orderedItems" in data or "items" in data:
        return list(data.get("orderedItems", data.get("items", [])))
    ids, page_url = [], data.get("first")
    while page_url:
        page = await client.get(page_url)
        items = page.get("orderedItems", page.get("items", []))
        if not items:
            break
        ids += items
        page_url = page.get("next")
    return ids


async def follow(state, account):
    from bovine.clients import lookup_uri_with_webfinger

    facts, client = _client(state)
    host = account.rpartition("@")[2]
    async with client:
        # bovine's WebFinger client, told to speak plain http (it tries https first, and a
        # TLS handshake sent to a plain-http waitress waits for its timeout)
        remote, _ = await lookup_uri_with_webfinger(client.session, account,
                                                    domain=f"http://{host}")
        await client.send_to_outbox(client.activity_factory.follow(remote).build())
    return {"remote": remote}


async def inbox(state):
    facts, client = _client(state)
    async with client:
        items = []
        for object_id in await _ids(client, facts["inbox"]):
            try:
                items.append(await client.proxy(object_id))
            except Exception as exc:  # noqa: BLE001  (an item it could not give back)
                items.append({"id": object_id, "error": repr(exc)})
        return {"inbox": items, "following": await _ids(client, facts["following"])}


if __name__ == "__main__":
    command, *args = sys.argv[1:]
    print(json.dumps(asyncio.run({"setup": setup, "follow": follow, "inbox": inbox}[command](*args))))
