"""Example participation for the demo consultations, so that a new instance shows a live one
(votes, contributions, supports, comments, a workshop, a moderation decision) and a finished
one whose synthesis cites real contributions. Only for the shipped demo folders, only once."""

import random
import secrets
from datetime import UTC, datetime, time, timedelta

from chaton.consultations.models import (
    ActivityDay,
    Comment,
    Consultation,
    Contribution,
    ModerationAction,
    Participant,
    Support,
    Topic,
    Vote,
    VoteCount,
)
from chaton.core.db import utcnow, writing
from chaton.orgs.models import Association

# (association, consultation): participants, weights of the choices per topic
DEMO = {
    ("quartiers-solidaires", "avenir-friche-jean-moulin"): 180,
    ("velo-pour-tous", "plan-velo-quartier"): 412,
}
NAMES = ["Amina", "Lucas", "Chloé", "Mamadou", "Léa", "Karim", "Inès", "Hugo", "Sofia", "Yanis",
         "Jeanne", "Omar", "Camille", "Thi Mai", "Nathan", "Fatou", "Élise", "Rachid", "Zoé", "Paul"]
WEIGHTS = {"yes": 6, "no": 3, "abstain": 1, "1": 5, "2": 3, "3": 2}
CONTRIBUTIONS = {
    "avenir-friche-jean-moulin": [
        ("usage-principal", "for", "Un parc, c'est ce qui manque le plus",
         "Le quartier n'a aucun espace vert à moins de dix minutes à pied. "
         "Un parc servirait à tout le monde, à tout âge."),
        ("usage-principal", "proposal", "Un parc avec un petit terrain multisport",
         "On peut combiner : un grand parc, et un city-stade dans l'angle nord, loin des maisons."),
        ("usage-principal", "against", "Pas une salle des fêtes de plus",
         "Il y a déjà la salle Jaurès, peu utilisée. "
         "Ce serait 120 000 € d'entretien par an pour un doublon."),
        ("jardin-partage", "for", "Oui, avec des parcelles pour l'école",
         "Réservons des bacs aux classes de l'école Jean-Jaurès : "
         "les enfants apprendraient à cultiver."),
        ("jardin-partage", "neutral", "Qui gérera le jardin ?",
         "L'idée est bonne, mais il faut une association prête à l'animer toute l'année, "
         "sinon il sera vite à l'abandon."),
        ("ouverture-nocturne", "against", "Le bruit le soir, rue du Canal",
         "J'habite en face. L'été, jusqu'à 22 heures, c'est trop tard "
         "pour les familles avec de jeunes enfants."),
        ("ouverture-nocturne", "proposal", "Ouvrir tard le week-end seulement",
         "Un compromis : jusqu'à 22 heures le vendredi et le samedi, 20 heures les autres jours."),
    ],
    "plan-velo-quartier": [
        ("piste-protegee", "for", "Une piste continue aux carrefours",
         "Les trois carrefours sont les endroits les plus dangereux : "
         "la protection doit y être continue."),
        ("piste-protegee", "against", "Les livraisons des commerces",
         "Sans places de livraison, les camions se garent sur la piste. "
         "Pensez aux commerçants de l'avenue."),
        ("piste-protegee", "for", "Pour que les enfants aillent au collège à vélo",
         "Mes enfants font 2 km pour aller au collège. Avec une vraie piste, ils iraient à vélo."),
        ("piste-protegee", "proposal", "Des livraisons à horaires fixes",
         "Des aires de livraison utilisables de 7 h à 10 h, et la piste libre le reste du temps."),
        ("stationnement", "for", "Des arceaux devant chaque école",
         "Le matin, les vélos sont attachés aux grilles faute d'arceaux."),
    ],
}
# the workshop's contribution: (number it takes, or None for last), topic, stance, title, text
WORKSHOPS = {
    "plan-velo-quartier": (
        5, "piste-protegee", "proposal", "Commencer par le tronçon de l'école",
        "Les 23 participants de l'atelier proposent de commencer les travaux par le tronçon "
        "le plus fréquenté par les enfants.",
        {"date": "2025-04-12", "place": "Maison de quartier Gambetta", "participants": 23}),
    "avenir-friche-jean-moulin": (
        None, "usage-principal", "proposal", "Un parc ouvert sur le canal",
        "L'atelier du samedi a dessiné un parc ouvert sur le canal, avec un jardin partagé "
        "au nord et des jeux au centre.",
        {"date": "2026-02-07", "place": "Centre social des Tilleuls", "participants": 31}),
}


def seed(rng=None):
    """Seed the demo consultations that have no participant yet; return counts."""
    rng = rng or random.Random(7)
    done = {}
    for (org, slug), count in DEMO.items():
        consultation = (Consultation.select().join(Association)
                        .where((Association.slug == org) & (Consultation.slug == slug)).first())
        if consultation is None or Participant.select().where(
                Participant.consultation == consultation).exists():
            continue
        with writing():
            _seed(consultation, count, rng)
        done[f"{org}/{slug}"] = count
    return done


def _seed(consultation, count, rng):
    now = utcnow()
    schedule = consultation.schedule()
    vote = schedule.get("vote")
    end = min(now.date(), vote.end) if vote and vote.end else now.date()
    start = end - timedelta(days=45)
    days = {}
    people = []
    for i in range(count):
        day = start + timedelta(days=int(45 * (i / count) ** 0.7))
        people.append({"consultation": consultation.id, "email": f"demo{i}@example.invalid",
                       "email_key": f"demo{i}@example.invalid",
                       "display_name": f"{rng.choice(NAMES)} {chr(65 + i % 26)}.",
                       "nonce": secrets.token_hex(8), "session_key": secrets.token_hex(8),
                       "confirmed_at": now - timedelta(days=(now.date() - day).days)})
        days.setdefault(day, [0, 0, 0, 0])[0] += 1
    Participant.insert_many(people).execute()
    ids = [p.id for p in Participant.select(Participant.id)
           .where(Participant.consultation == consultation).order_by(Participant.id)]
    topics = {t.slug: t for t in Topic.select().where(Topic.consultation == consultation)}
    total_votes = _seed_votes(consultation, topics, ids, rng, days, start)
    made = _seed_contributions(consultation, topics, ids, rng, days, start)
    ActivityDay.insert_many([{"consultation": consultation.id, "day": d, "participants": v[0],
                              "votes": v[1], "contributions": v[2], "comments": v[3]}
                             for d, v in days.items()]).execute()
    Consultation.update(participant_count=count, vote_count=total_votes,
                        contribution_count=made[0], comment_count=made[1],
                        last_number=made[2]).where(Consultation.id == consultation.id).execute()


def _seed_votes(consultation, topics, ids, rng, days, start):
    total = 0
    for topic in topics.values():
        keys = [k for k, _label in topic.choices()]
        if not keys:
            continue
        voters = ids[: int(len(ids) * 0.85)]
        picks = rng.choices(keys, weights=[WEIGHTS.get(k, 1) for k in keys], k=len(voters))
        Vote.insert_many([{"topic": topic.id, "participant": p, "choice": c}
                          for p, c in zip(voters, picks, strict=True)]).execute()
        counts = {k: picks.count(k) for k in keys}
        VoteCount.insert_many([{"topic": topic.id, "choice": k, "count": n}
                               for k, n in counts.items()]).execute()
        Topic.update(vote_count=len(voters)).where(Topic.id == topic.id).execute()
        for i in range(len(voters)):
            days.setdefault(start + timedelta(days=i * 45 // len(voters)), [0, 0, 0, 0])[1] += 1
        total += len(voters)
    return total


def _seed_contributions(consultation, topics, ids, rng, days, start):
    items = CONTRIBUTIONS.get(consultation.slug, [])
    workshop = WORKSHOPS.get(consultation.slug)
    number, comments, per_topic = 0, 0, {}
    for index, (topic_slug, stance, title, body) in enumerate(items):
        number += 1
        if workshop and workshop[0] == number:
            _collective(consultation, topics, number, workshop, per_topic)
            number += 1
        author = Participant.get_by_id(ids[index * 7 % len(ids)])
        contribution = Contribution.create(
            consultation=consultation.id, topic=topics[topic_slug].id, number=number,
            participant=author.id, author_name=author.display_name, stance=stance, title=title,
            body=body, support_count=0,
            created_at=datetime.combine(start + timedelta(days=index * 4), time(12), tzinfo=UTC))
        per_topic[topic_slug] = per_topic.get(topic_slug, 0) + 1
        supporters = rng.sample(ids, rng.randint(3, min(60, len(ids))))
        Support.insert_many([{"contribution": contribution.id, "participant": p}
                             for p in supporters]).execute()
        Contribution.update(support_count=len(supporters)).where(
            Contribution.id == contribution.id).execute()
        comments += _comments(consultation, topics[topic_slug], contribution, ids, rng)
        days.setdefault(start + timedelta(days=index * 4), [0, 0, 0, 0])[2] += 1
    if workshop and workshop[0] is None:
        number += 1
        _collective(consultation, topics, number, workshop, per_topic)
    for slug, n in per_topic.items():
        Topic.update(contribution_count=n).where(Topic.id == topics[slug].id).execute()
    _moderated_example(consultation, topics, ids, number + 1)
    return sum(per_topic.values()) + 1, comments, number + 1


def _collective(consultation, topics, number, workshop, per_topic):
    _n, topic_slug, stance, title, body, meta = workshop
    Contribution.create(consultation=consultation.id, topic=topics[topic_slug].id, number=number,
                        author_name=meta["place"], kind="collective", stance=stance, title=title,
                        body=body, workshop=meta, support_count=0)
    per_topic[topic_slug] = per_topic.get(topic_slug, 0) + 1


def _comments(consultation, topic, contribution, ids, rng):
    texts = ["Tout à fait d'accord.", "Avez-vous une idée du coût ?", "Je ne suis pas convaincu.",
             "C'est ce qu'on a dit à l'atelier aussi."]
    made = 0
    for k in range(rng.randint(0, 2)):
        author = Participant.get_by_id(ids[(contribution.number * 13 + k) % len(ids)])
        top = Comment.create(consultation=consultation.id, topic=topic.id,
                             contribution=contribution.id, participant=author.id,
                             author_name=author.display_name, body=rng.choice(texts))
        reply_author = Participant.get_by_id(contribution.participant_id)
        Comment.create(consultation=consultation.id, topic=topic.id, contribution=contribution.id,
                       parent=top.id, participant=reply_author.id,
                       author_name=reply_author.display_name, body="Merci pour votre retour !")
        made += 2
    Contribution.update(comment_count=made).where(Contribution.id == contribution.id).execute()
    Topic.update(comment_count=Topic.comment_count + made).where(Topic.id == topic.id).execute()
    return made


def _moderated_example(consultation, topics, ids, number):
    """One hidden contribution, as moderation leaves it: a notice and a public log entry."""
    topic = next(iter(topics.values()))
    author = Participant.get_by_id(ids[-1])
    hidden = Contribution.create(
        consultation=consultation.id, topic=topic.id, number=number, participant=author.id,
        author_name=author.display_name, stance="neutral", title="Promotion", status="hidden",
        body="Achetez nos vélos électriques à prix cassés !", moderation_reason="publicité")
    Topic.update(contribution_count=Topic.contribution_count + 1).where(
        Topic.id == topic.id).execute()
    ModerationAction.create(consultation=consultation.id, target_type="contribution",
                            target_id=hidden.id, action="hide", reason="publicité")
