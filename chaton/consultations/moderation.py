"""Moderation: reports with a reason, hiding with a public reason, a public log.

Nothing is silently deleted: hidden content leaves a placeholder that says why, and every
decision is written to the consultation's public moderation log.

On PostgreSQL two moderators may decide on one item at the same moment: the decision that
takes it out of `pending` is the one whose conditional UPDATE matched, and only it counts it.
"""

from dataclasses import dataclass, field

from chaton.consultations.contributions import _count_comment, _count_contribution
from chaton.consultations.models import (
    VISIBLE,
    Comment,
    Consultation,
    Contribution,
    ModerationAction,
    Report,
    Topic,
    bump_day,
)
from chaton.core.db import database, utcnow, writing

REASONS = ("spam", "abuse", "personal", "off_topic", "other")
MODELS = {"contribution": Contribution, "comment": Comment}
QUEUE_LIMIT = 200  # items shown at once in the association's queue, oldest first


def target(consultation, kind, target_id):
    """The contribution or comment of this consultation, or None."""
    model = MODELS.get(kind)
    if model is None:
        return None
    return model.get_or_none((model.id == target_id) & (model.consultation == consultation))


def _targets(consultation, kind, ids):
    """{(kind, id): item} for many items of one kind, in one query."""
    model = MODELS.get(kind)
    if model is None or not ids:
        return {}
    rows = model.select().where(model.id.in_(list(ids)) & (model.consultation == consultation))
    return {(kind, row.id): row for row in rows}


def report(participant, consultation, kind, item, reason, details=""):
    """Record a report once per participant and item; returns True when new."""
    with writing():
        query = Report.insert(consultation=consultation.id, target_type=kind, target_id=item.id,
                              participant=participant.id, reason=reason,
                              details=details).on_conflict_ignore()
        return database.execute(query).rowcount == 1


def _recount(kind, item, delta):
    if kind == "contribution":
        _count_contribution(item, delta)
        bump_day(item.consultation_id, "contributions", delta)
    else:
        _count_comment(item, delta)
        bump_day(item.consultation_id, "comments", delta)


def decide(consultation, kind, item, action, reason=""):
    """hide (with a public reason), restore or approve an item; resolves its reports."""
    model = MODELS[kind]
    if action == "hide":
        status, shown_reason = "hidden", reason
    elif action in ("restore", "approve"):
        status, shown_reason = VISIBLE, ""
    else:
        raise ValueError(action)
    with writing():
        fresh = model.get_by_id(item.id)
        # nothing goes back to pending: if this conditional UPDATE misses, another decision
        # took the item out of it (and counted it) first, and this one only changes the status
        was_pending = model.update(status=status, moderation_reason=shown_reason).where(
            (model.id == item.id) & (model.status == "pending")).execute()
        if not was_pending:
            model.update(status=status, moderation_reason=shown_reason).where(
                model.id == item.id).execute()
        fresh.status, fresh.moderation_reason = status, shown_reason
        ModerationAction.create(consultation=consultation.id, target_type=kind,
                                target_id=item.id, action=action, reason=reason)
        Report.update(resolved_at=utcnow()).where(
            (Report.target_type == kind) & (Report.target_id == item.id)
            & Report.resolved_at.is_null()).execute()
        if was_pending:  # the counters last, in the order every transaction takes them
            _recount(kind, fresh, 1)  # shown from now on, if only as "hidden by moderation"
    return fresh


def queue(consultation):
    """What waits for a moderator: pending items and items with open reports."""
    pending = [("contribution", c) for c in Contribution.select().where(
        (Contribution.consultation == consultation) & (Contribution.status == "pending"))]
    pending += [("comment", c) for c in Comment.select().where(
        (Comment.consultation == consultation) & (Comment.status == "pending"))]
    open_reports = {}
    for r in Report.select().where((Report.consultation == consultation)
                                   & Report.resolved_at.is_null()).order_by(Report.id):
        open_reports.setdefault((r.target_type, r.target_id), []).append(r)
    reported = [(kind, target(consultation, kind, tid), reports)
                for (kind, tid), reports in open_reports.items()]
    return pending, [r for r in reported if r[1] is not None]


def log(consultation):
    """The public moderation log, newest first, with the item each entry is about."""
    actions = list(ModerationAction.select().where(ModerationAction.consultation == consultation)
                   .order_by(ModerationAction.id.desc()).limit(500))
    found = {}
    for kind in {a.target_type for a in actions}:  # one query per kind, not one per entry
        ids = {a.target_id for a in actions if a.target_type == kind}
        found.update(_targets(consultation, kind, ids))
    return [(a, found.get((a.target_type, a.target_id))) for a in actions]


@dataclass
class Waiting:
    """One item of the association's queue, with what a moderator needs to decide."""

    consultation: object
    kind: str  # contribution, comment
    item: object
    reports: list = field(default_factory=list)

    @property
    def pending(self):
        return self.item.status == "pending"

    @property
    def since(self):
        """Waiting since it was written (pre-moderation) or first reported."""
        moments = [r.created_at for r in self.reports]
        if self.pending:
            moments.append(self.item.created_at)
        return min(moments)


def association_queue(association, limit=QUEUE_LIMIT):
    """Pending and reported items of all the association's consultations, oldest first."""
    consultations = {c.id: c for c in Consultation.select().where(
        (Consultation.association == association) & Consultation.present)}
    if not consultations:
        return []
    ids = list(consultations)
    found = {}
    for kind, model in MODELS.items():
        rows = _with_topic(model).where(model.consultation.in_(ids) & (model.status == "pending"))
        found.update({(kind, row.id): Waiting(consultations[row.consultation_id], kind, row)
                      for row in rows.order_by(model.id).limit(limit)})
    reports = {}
    for r in (Report.select().where(Report.consultation.in_(ids) & Report.resolved_at.is_null())
              .order_by(Report.id).limit(limit * 5)):
        reports.setdefault((r.target_type, r.target_id), []).append(r)
    for kind, model in MODELS.items():
        missing = [tid for (k, tid) in reports if k == kind and (k, tid) not in found]
        if missing:
            rows = _with_topic(model).where(model.id.in_(missing) & model.consultation.in_(ids))
            found.update({(kind, row.id): Waiting(consultations[row.consultation_id], kind, row)
                          for row in rows})
    for key, waiting in found.items():
        waiting.reports = reports.get(key, [])
    return sorted(found.values(), key=lambda w: w.since)[:limit]


def _with_topic(model):
    """Contributions or comments with their topic, in one query."""
    return model.select(model, Topic).join(Topic, on=(model.topic == Topic.id))
