"""Petition files: the front matter schema, updates and answers, and their checks.

Layout inside an association's folder:

    petitions/<slug>.md                      the petition
    petitions/<slug>/updates/<date>-<name>.md updates (news) on it
    petitions/<slug>/answer.md               the target's answer, once given
"""

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

from chaton.core import frontmatter as fm
from chaton.petitions import arguments, territory, thresholds
from chaton.petitions.models import STATUSES

SLUG_RE = re.compile(r"[a-z0-9][a-z0-9-]{0,99}")
UPDATE_NAME_RE = re.compile(r"(\d{4}-\d{2}-\d{2})-([a-z0-9][a-z0-9-]*)")

SCHEMA = [
    fm.Field("title", fm.text(200), required=True),
    fm.Field("summary", fm.text(500), default=""),
    fm.Field("target", fm.mapping({
        "name": (fm.text(200), True),
        "contact": (fm.email, False),
        "role": (fm.text(200), False),
        "to": (fm.text(200), False),
    }), required=True),
    fm.Field("demand", fm.text(1000), required=True),
    fm.Field("goal", fm.integer(1, 100_000_000), default=0),
    fm.Field("milestones", fm.list_of(fm.integer(1, 100_000_000)), default=[]),
    fm.Field("answer_threshold", fm.integer(1, 100_000_000), default=0),
    fm.Field("answer_conditions", thresholds.CONDITIONS),  # petitions/thresholds.py
    fm.Field("opens", fm.date),
    fm.Field("closes", fm.date),
    fm.Field("status", fm.choice(*STATUSES), required=True),
    fm.Field("archived", fm.boolean, default=False),
    fm.Field("image", fm.relative_path),
    fm.Field("image_alt", fm.text(300)),
    fm.Field("ask_postal_code", fm.boolean, default=False),
    fm.Field("territory", territory.parse_territory),  # petitions/territory.py
    fm.Field("retention_days", fm.integer(1, 3650)),
    fm.Field("language", fm.language),
    fm.Field("paper_signatures", fm.integer(0, 100_000_000), default=0),
    fm.Field("other_signatures", fm.list_of(fm.mapping({
        "source": (fm.slug_except("online", "paper", "total"), True),
        "count": (fm.integer(0, 100_000_000), True),
        "label": (fm.text(100), False),
    })), default=[]),
    fm.Field("letter", fm.text(3000)),
    fm.Field("arguments", arguments.PARSE, default=[]),  # petitions/arguments.py
    fm.Field("write_to_representatives", fm.boolean, default=False),  # interpellation.py
    # false: no sending through the site, even when the association allows it
    fm.Field("send_messages", fm.boolean, default=True),
    fm.Field("partners", fm.list_of(fm.text(255)), default=[]),
    fm.Field("cohost_of", fm.web_address),
    fm.Field("proposed_by", fm.text(100)),  # a resident's proposal it was made from
    fm.Field("proposal", fm.slug),  # (chaton/proposals): its author's name and its page
]

UPDATE_SCHEMA = [
    fm.Field("title", fm.text(200), required=True),
    fm.Field("date", fm.date),
]

ANSWER_SCHEMA = fm.published_schema()


@dataclass
class ParsedPetition:
    slug: str
    doc: fm.Document
    updates: list = field(default_factory=list)  # (slug, Document)
    answer: fm.Document | None = None

    @property
    def problems(self):
        found = list(self.doc.problems)
        for _slug, update in self.updates:
            found.extend(update.problems)
        if self.answer:
            found.extend(self.answer.problems)
        return found


def _check_dates_and_goal(doc):
    """Cross-field checks that a single parser cannot see."""
    meta = doc.meta
    if meta.get("opens") and meta.get("closes") and meta["closes"] < meta["opens"]:
        doc.problems.append(fm.Problem(doc.path, 1, "closes", "is before opens"))
    goal = meta.get("goal") or 0
    if goal and any(m > goal for m in meta.get("milestones") or []):
        doc.problems.append(fm.Problem(doc.path, 1, "milestones", "a milestone is above the goal"))
    thresholds.check(doc)
    territory.check(doc)
    if meta.get("image") and not meta.get("image_alt"):
        doc.problems.append(fm.Problem(
            doc.path, 1, "image_alt", "describe the image for people who cannot see it",
            warning=True))


def _read(path):
    return path.read_text(encoding="utf-8")


def check_petition(path, text, org_folder):
    """Parse and check the text of petitions/<slug>.md (the web editor checks before saving)."""
    path = Path(path)
    doc = fm.parse(path, text, SCHEMA)
    if not SLUG_RE.fullmatch(path.stem):
        doc.problems.append(fm.Problem(str(path), 1, "", "file name must be lower-case letters, "
                                       "digits and dashes (it becomes the address)"))
    if doc.ok:
        _check_dates_and_goal(doc)
        image = doc.meta.get("image")
        if image and not (Path(org_folder) / image).is_file():
            doc.problems.append(fm.Problem(str(path), 1, "image", f"file {image} not found"))
    return doc


def parse_petition(path, org_folder):
    """Parse petitions/<slug>.md with its updates and answer."""
    slug = path.stem
    doc = check_petition(path, _read(path), org_folder)
    parsed = ParsedPetition(slug=slug, doc=doc)
    folder = path.with_suffix("")
    for update_path in sorted((folder / "updates").glob("*.md")):
        parsed.updates.append(parse_update(update_path))
    answer_path = folder / "answer.md"
    if answer_path.is_file():
        parsed.answer = fm.parse(answer_path, _read(answer_path), ANSWER_SCHEMA)
    return parsed


def parse_update(path, text=None):
    """Parse one update; its date comes from the front matter or the file name."""
    path = Path(path)
    doc = fm.parse(path, _read(path) if text is None else text, UPDATE_SCHEMA)
    match = UPDATE_NAME_RE.fullmatch(path.stem)
    if not match:
        doc.problems.append(fm.Problem(str(path), 1, "", "name updates YYYY-MM-DD-title.md"))
        return path.stem, doc
    if doc.meta.get("date") is None:
        doc.meta["date"] = fm.date(match.group(1))
    return path.stem, doc


def signed_text(doc):
    """What a signatory signs: the text whose changes make a new revision."""
    meta = doc.meta
    target = meta.get("target") or {}
    parts = [meta.get("title", ""), meta.get("summary", ""), target.get("name", ""),
             meta.get("demand", ""), doc.body.strip()]
    return "\n\n".join(str(p) for p in parts)


def checksum(text):
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def broken_petition(path, doc):
    """An unreadable petition file: its problem reported, its last good version kept."""
    return ParsedPetition(slug=Path(path).stem, doc=doc)


def petition_files(org_folder):
    """The petition files of an association folder, sorted."""
    return sorted(Path(org_folder, "petitions").glob("*.md"))
