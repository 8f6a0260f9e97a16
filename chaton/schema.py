"""The shipped schema migrations, in order: numbered, applied by `chaton db upgrade` (the
machinery is chaton/core/migrations.py, which says the rules: only expand, never edit a
shipped one). They name the models of every capability, so they live here, beside the list of
installed capabilities, not in the core.
"""

from chaton.core.migrations import add_columns


def m0001_initial(db):
    """Associations, petitions, signatures, counters, events, content index."""
    from chaton.core.events import Event
    from chaton.orgs.models import Association, ContentError
    from chaton.petitions.models import (
        AreaCount,
        DailyCount,
        Petition,
        PetitionRevision,
        PetitionUpdate,
        Signature,
    )

    db.create_tables([
        Association, ContentError, Event, Petition, PetitionRevision,
        PetitionUpdate, Signature, DailyCount, AreaCount,
    ])


def m0002_federation(db):
    """Keys, remote actors, followers, inbox log, deliveries, mirrors, partner counts."""
    from chaton.federation.models import MODELS

    db.create_tables(MODELS)
    add_columns(db, 2)


# columns added to existing tables, by migration: the rule above applies to each
ADDED_COLUMNS = {
    2: [("chaton.petitions.models:Petition", "partner_count")],
    4: [("chaton.petitions.models:Signature", "confirmation_sent_at")],
    6: [("chaton.orgs.models:Association", name)
        for name in ("disabled_at", "max_campaigns", "max_storage_mb")],
    7: [("chaton.petitions.models:Petition", "archived"),
        ("chaton.consultations.models:Consultation", "archived")],
    9: [("chaton.federation.models:RemoteHost", "fetch_failed_until"),
        ("chaton.federation.models:PartnerCount", "duplicates"),
        ("chaton.federation.models:PartnerCount", "hashes")],
    12: [("chaton.core.events:Event", "campaign_kind")],
    15: [("chaton.consultations.models:Topic", "question")],
    16: [("chaton.petitions.models:Signature", "share_code"),
         ("chaton.petitions.models:Signature", "via")],
    17: [("chaton.petitions.models:Signature", "commune")],
}


def m0003_consultations(db):
    """Consultations: topics, participants, votes, contributions, comments, moderation."""
    from chaton.consultations.models import TABLES

    db.create_tables(TABLES)


def m0004_confirmation_sent(db):
    """Remember when a confirmation mail went out, to send again those lost in a crash."""
    add_columns(db, 4)


def m0005_accounts(db):
    """Accounts, roles in associations, invitations, sign-in links, audit log."""
    from chaton.accounts.models import TABLES

    db.create_tables(TABLES)


def m0006_hosting(db):
    """What the hoster keeps per association: suspension, quotas, domains."""
    from chaton.hoster.models import TABLES

    add_columns(db, 6)
    db.create_tables(TABLES)


def m0007_archived(db):
    """Archived campaigns: hidden from lists and feeds, their page still reachable."""
    add_columns(db, 7)


def m0008_invalidations(db):
    """Signatures removed after the fact, with their public explanation."""
    from chaton.petitions.models import SignatureInvalidation

    db.create_tables([SignatureInvalidation])


def m0009_federation_trust(db):
    """Requests waiting for a key apart from verified activities; hosts whose keys cannot be
    fetched; co-hosting secrets and de-duplicated partner counts; remote keys cached under the
    old rule (which let one server replace another's key) are forgotten and fetched again."""
    from chaton.federation.models import (
        Cohosting,
        InboxActivity,
        InboxWaiting,
        RemoteActor,
    )

    db.create_tables([InboxWaiting, Cohosting])
    add_columns(db, 9)
    InboxActivity.delete().where(InboxActivity.status.not_in(["verified", "done"])).execute()
    RemoteActor.delete().execute()


def m0010_account_sessions(db):
    """Sessions kept on the server, so that signing out ends them (everyone signs in again)."""
    from chaton.accounts.models import AccountSession

    db.create_tables([AccountSession])


def m0011_several_servers(db):
    """Database defaults for the columns earlier migrations added without one (servers on the
    previous release failed to insert rows without them during a rolling upgrade), the
    heartbeat rows of `/healthz/write` and the rate limits app servers share."""
    from chaton.core.health import Heartbeat
    from chaton.core.ratelimits import RateLimit

    db.create_tables([Heartbeat, RateLimit])
    for number in ADDED_COLUMNS:
        if number < 11:
            add_columns(db, number)


def m0012_event_campaign_kind(db):
    """Each event names its campaign's content kind, declared when it is recorded; the events
    recorded before get theirs from the campaign tables (slugs never collide between kinds)."""
    add_columns(db, 12)
    for kind, table in (("petitions", "petition"), ("consultations", "consultation")):
        db.execute_sql(  # two constant names: the same SQL on SQLite and PostgreSQL
            f'UPDATE "event" SET "campaign_kind" = \'{kind}\' WHERE "campaign_kind" = \'\' '
            f'AND "campaign" != \'\' AND EXISTS (SELECT 1 FROM "{table}" c '
            'JOIN "association" a ON a."id" = c."association_id" '
            'WHERE a."slug" = "event"."association" AND c."slug" = "event"."campaign")')


def m0013_interpellation(db):
    """Counts of the messages signatories sent to decision makers (no content, no sender)."""
    from chaton.petitions.interpellation import TABLES

    db.create_tables(TABLES)


def m0014_handover(db):
    """Handover dossiers of petitions: what each certified, fixed when it was made."""
    from chaton.petitions.handover import TABLES

    db.create_tables(TABLES)


def m0015_topic_question(db):
    """Each topic asks its own question in its vote (the consultation's is wider)."""
    add_columns(db, 15)


def m0016_share_codes(db):
    """Personal share links: each confirmed signature's code and the code that brought it,
    with their indexes (IF NOT EXISTS: a database made by migration 1 has them already).
    Signatures confirmed before get their code when their signatory next opens their page."""
    from chaton.petitions.models import Signature

    add_columns(db, 16)
    Signature._schema.create_indexes(safe=True)
def m0017_signature_commune(db):
    """Each signature of a petition with a territory keeps its commune (INSEE code)."""
    add_columns(db, 17)


def m0018_proposals(db):
    """Residents' proposals of petitions and their supporters."""
    from chaton.proposals.models import TABLES

    db.create_tables(TABLES)


def m0019_messages_through_the_site(db):
    """Messages signatories send to decision makers through the instance: the days' counts
    (the daily cap) and the texts waiting for the SMTP server (deleted once sent)."""
    from chaton.petitions.interpellation_mail import TABLES

    db.create_tables(TABLES)


MIGRATIONS = [(1, m0001_initial), (2, m0002_federation), (3, m0003_consultations),
              (4, m0004_confirmation_sent), (5, m0005_accounts), (6, m0006_hosting),
              (7, m0007_archived), (8, m0008_invalidations), (9, m0009_federation_trust),
              (10, m0010_account_sessions), (11, m0011_several_servers),
              (12, m0012_event_campaign_kind), (13, m0013_interpellation),
              (14, m0014_handover), (15, m0015_topic_question),
              (16, m0016_share_codes), (17, m0017_signature_commune),
              (18, m0018_proposals),
              (19, m0019_messages_through_the_site)]


