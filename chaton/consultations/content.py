"""Consultation files: the schemas of index.md, topics, synthesis and answer, and their checks.

Layout inside an association's folder:

    consultations/<slug>/index.md            the consultation (question, context, phases...)
    consultations/<slug>/topics/<slug>.md    one file per topic (information sheet, vote type)
    consultations/<slug>/documents/...       PDF and pictures, served by the instance
    consultations/<slug>/synthesis.md        the organisers' synthesis, once published
    consultations/<slug>/answer.md           the decision makers' answer, once given
"""

import re
from dataclasses import dataclass, field
from pathlib import Path

from chaton.consultations.phases import PHASES
from chaton.core import frontmatter as fm

SLUG_RE = re.compile(r"[a-z0-9][a-z0-9-]{0,99}")
LICENCES = ("ODbL-1.0", "CC-BY-4.0", "CC-BY-SA-4.0", "CC0-1.0", "etalab-2.0")

PERSON = fm.mapping({"name": (fm.text(200), True), "role": (fm.text(200), False)})
PHASE = fm.mapping({"start": (fm.date, True), "end": (fm.date, False)})
DOCUMENT = fm.mapping({"file": (fm.relative_path, True), "title": (fm.text(200), True)})

SCHEMA = [
    fm.Field("title", fm.text(200), required=True),
    fm.Field("summary", fm.text(500), default=""),
    fm.Field("question", fm.text(500), required=True),
    fm.Field("status", fm.choice("draft", "published"), default="published"),
    fm.Field("archived", fm.boolean, default=False),
    fm.Field("organisers", fm.list_of(PERSON, 20), default=[]),
    fm.Field("decision_makers", fm.list_of(PERSON, 20), default=[]),
    fm.Field("commitment", fm.text(1000), default=""),
    fm.Field("charter", fm.text(5000), default=""),
    fm.Field("phases", fm.mapping({name: (PHASE, False) for name in PHASES}), required=True),
    fm.Field("moderation", fm.choice("post", "pre"), default="post"),
    fm.Field("results", fm.choice("live", "after_vote"), default="live"),
    fm.Field("licence", fm.choice(*LICENCES), default="ODbL-1.0"),
    fm.Field("documents", fm.list_of(DOCUMENT, 30), default=[]),
    fm.Field("image", fm.relative_path),
    fm.Field("image_alt", fm.text(300)),
    fm.Field("language", fm.language),
]

TOPIC_SCHEMA = [
    fm.Field("title", fm.text(200), required=True),
    fm.Field("summary", fm.text(500), default=""),
    fm.Field("question", fm.text(300), default=""),  # the vote's own question (else the title)
    fm.Field("position", fm.integer(0, 1000), default=0),
    fm.Field("vote", fm.choice("yes_no", "options", "none"), default="yes_no"),
    fm.Field("options", fm.list_of(fm.text(200), 12), default=[]),
    fm.Field("abstain", fm.boolean, default=True),
    fm.Field("documents", fm.list_of(DOCUMENT, 30), default=[]),
]

PUBLISHED_SCHEMA = fm.published_schema()


@dataclass
class ParsedConsultation:
    slug: str
    doc: fm.Document
    topics: list = field(default_factory=list)  # (slug, Document)
    synthesis: fm.Document | None = None
    answer: fm.Document | None = None

    @property
    def problems(self):
        found = list(self.doc.problems)
        for _slug, topic in self.topics:
            found.extend(topic.problems)
        for doc in (self.synthesis, self.answer):
            if doc is not None:
                found.extend(doc.problems)
        return found


def broken_consultation(path, doc):
    """An unreadable index.md: its problem reported, the consultation's last good version kept."""
    return ParsedConsultation(slug=Path(path).parent.name, doc=doc)


def consultation_files(org_folder):
    """The index.md of every consultation of an association folder, sorted."""
    return sorted(Path(org_folder, "consultations").glob("*/index.md"))


def _parse_file(path, schema, check=None):
    """Parse one file (with `check(text)` when given); an unreadable file becomes a problem."""
    try:
        text = path.read_text(encoding="utf-8")
        return check(text) if check else fm.parse(path, text, schema)
    except (OSError, UnicodeDecodeError) as exc:
        doc = fm.Document(path=str(path), meta={}, body="", body_line=1)
        doc.problems.append(fm.Problem(str(path), 0, "", f"cannot read the file (is it UTF-8?): {exc}"))
        return doc


def _problem(doc, name, message, warning=False):
    doc.problems.append(fm.Problem(doc.path, 1, name, message, warning=warning))


def _check_phases(doc):
    """Each phase ends after it starts, and phases start in their natural order."""
    phases = doc.meta.get("phases") or {}
    if not phases:
        _problem(doc, "phases", f"give at least one phase ({', '.join(PHASES)})")
    previous = None
    for name in PHASES:
        spec = phases.get(name)
        if not spec:
            continue
        if spec.get("end") and spec["end"] < spec["start"]:
            _problem(doc, "phases", f"{name}: end is before start")
        if previous and spec["start"] < previous[1]:
            _problem(doc, "phases", f"{name}: starts before {previous[0]} (phases follow the order "
                     f"{', '.join(PHASES)})")
        previous = (name, spec["start"])


def _check_documents(doc, folder):
    for item in doc.meta.get("documents") or []:
        if not (folder / item["file"]).is_file():
            _problem(doc, "documents", f"file {item['file']} not found")


def parse_consultation(path, org_folder):
    """Parse consultations/<slug>/index.md with its topics, synthesis and answer."""
    folder = Path(path).parent
    doc = _parse_file(path, SCHEMA, lambda text: check_consultation(path, text, org_folder))
    parsed = ParsedConsultation(slug=folder.name, doc=doc)
    for topic_path in sorted((folder / "topics").glob("*.md")):
        parsed.topics.append((topic_path.stem, parse_topic(topic_path, folder)))
    for name in ("synthesis", "answer"):
        file = folder / f"{name}.md"
        if file.is_file():
            setattr(parsed, name, _parse_file(file, PUBLISHED_SCHEMA))
    return parsed


def check_consultation(path, text, org_folder):
    """Parse and check the text of consultations/<slug>/index.md (also before a web save)."""
    folder = Path(path).parent
    slug = folder.name
    doc = fm.parse(path, text, SCHEMA)
    if not SLUG_RE.fullmatch(slug):
        _problem(doc, "", "folder name must be lower-case letters, digits and dashes "
                 "(it becomes the address)")
    if (Path(org_folder) / "petitions" / f"{slug}.md").exists():
        _problem(doc, "", f"a petition is already called {slug!r}: give the consultation "
                 "another folder name")
    if doc.ok:
        _check_phases(doc)
        _check_documents(doc, folder)
        image = doc.meta.get("image")
        if image and not (folder / image).is_file():
            _problem(doc, "image", f"file {image} not found")
    return doc


def parse_topic(path, folder, text=None):
    """Parse topics/<slug>.md; options are required for an options vote. The vote asks the
    topic's own `question` (else its title), never the consultation's, which is wider."""
    path = Path(path)
    doc = fm.parse(path, text, TOPIC_SCHEMA) if text is not None else _parse_file(path, TOPIC_SCHEMA)
    if not SLUG_RE.fullmatch(path.stem):
        _problem(doc, "", "file name must be lower-case letters, digits and dashes")
    if doc.ok:
        options = doc.meta.get("options") or []
        if doc.meta.get("vote") == "options" and len(options) < 2:
            _problem(doc, "options", "an options vote needs at least two options")
        if doc.meta.get("vote") != "options" and options:
            _problem(doc, "options", "options are used only with vote: options", warning=True)
        if doc.meta.get("vote") == "none" and doc.meta.get("question"):
            _problem(doc, "question", "the question is asked only with a vote", warning=True)
        _check_documents(doc, folder)
    return doc
