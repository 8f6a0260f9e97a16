"""What the editor can edit: each kind of file with its form, its checks and its media folder.

The checks are the indexer's own (`check_petition`, `check_consultation`, `parse_topic`...), so
that a file saved from the web is one the site publishes; the editor adds one rule of its own: a
campaign picture needs its description (`image_alt`).
"""

from dataclasses import dataclass, field
from pathlib import Path

from flask import url_for
from flask_babel import lazy_gettext as _l

from chaton.consultations import content as consultation_content
from chaton.consultations.phases import PHASES
from chaton.core import frontmatter as fm
from chaton.editing.fields import (
    Checkbox,
    Date,
    Field,
    Group,
    Lines,
    Number,
    Numbers,
    Part,
    Phases,
    Rows,
    Select,
    TextArea,
)
from chaton.editing.territory_field import Territory
from chaton.petitions import content as petition_content

PETITION_STATUSES = [("draft", _l("Draft: visible to the association's members only")),
                     ("open", _l("Open: published, collects signatures")),
                     ("closed", _l("Closed: published, no more signatures")),
                     ("won", _l("Won: the demand was met")),
                     ("answered", _l("Answered: the target answered"))]
SPREADS = [("", _l("No spread")), ("departements", _l("départements")),
           ("regions", _l("régions"))]
CONSULTATION_STATUSES = [("draft", _l("Draft: visible to the association's members only")),
                         ("published", _l("Published"))]
PHASE_LABELS = {"information": _l("Information"), "contribution": _l("Contributions"),
                "vote": _l("Vote"), "synthesis": _l("Synthesis"), "answer": _l("Answer")}
DOCUMENTS = [Part("file", _l("Document sent (such as documents/plan.pdf)"), required=True),
             Part("title", _l("Title shown"), required=True, maxlength=200)]
PERSON = [Part("name", _l("Name"), required=True, maxlength=200),
          Part("role", _l("Role"), maxlength=200)]
IMAGE_HINT = _l("Send a new picture just below, or choose one already sent (start typing its "
                "name).")

PETITION_SECTIONS = [
    (_l("The text people sign"), [
        Field("title", _l("Title"), required=True, maxlength=200),
        TextArea("summary", _l("Summary"), maxlength=500, rows=2,
                 hint=_l("One or two sentences under the title, on cards and link previews.")),
        Group("target", _l("Who the petition is addressed to"), [
            Part("name", _l("Name"), required=True, maxlength=200),
            Part("role", _l("Role"), maxlength=200),
            Part("to", _l("How a sentence says “to” them, with the article (e.g. au conseil "
                          "municipal, to the town council)"), maxlength=200),
            Part("contact", _l("E-mail address (mailed at the answer threshold, never shown)"),
                 input_type="email", maxlength=254)], required=True),
        TextArea("demand", _l("The demand"), required=True, maxlength=1000, rows=3,
                 hint=_l("The one clear request, shown in its own box.")),
    ]),
    (_l("Status and dates"), [
        Select("status", _l("Status"), required=True, options=PETITION_STATUSES),
        Date("opens", _l("First day of signing"), hint=_l("Optional. Before it, the page says "
                                                           "when the petition opens.")),
        Date("closes", _l("Last day of signing"), hint=_l("Optional. The whole day counts.")),
    ]),
    (_l("Goal and milestones"), [
        Number("goal", _l("Goal (signatures)"), hint=_l("Optional: draws a gauge.")),
        Numbers("milestones", _l("Milestones"),
                hint=_l("Counts to celebrate on the way, separated by commas: 100, 500, 1000.")),
        Number("answer_threshold", _l("Answer threshold"),
               hint=_l("At this count the target is asked to answer.")),
        Group("answer_conditions", _l("Conditions of the answer threshold"), [
            Part("within_days", _l("Reached within this many days of the opening"), kind="number",
                 maxlength=4),
            Part("spread", _l("Spread over"), options=SPREADS),
            Part("places", _l("At least this many places"), kind="number", maxlength=3),
            Part("each", _l("With at least this many signatures each"), kind="number",
                 maxlength=12)],
              hint=_l("Optional, as the European Citizens' Initiative: the threshold counts only "
                      "once these hold too. A spread needs all three of its boxes and the "
                      "postal code (below).")),
    ]),
    (_l("Picture"), [
        Field("image", _l("Picture"), hint=IMAGE_HINT, maxlength=300),
        Field("image_alt", _l("Description of the picture"), maxlength=300,
              hint=_l("What the picture shows, read aloud to blind visitors. Required with a "
                      "picture.")),
    ]),
    (_l("Signing form and personal data"), [
        Checkbox("ask_postal_code", _l("Ask signatories for their postal code"), default=False,
                 hint=_l("Never published; gives the counts by département.")),
        Territory("territory", _l("Territory of the petition"),
                  hint=_l("Optional. The page then counts the signatures inside and outside it. "
                          "Needs the postal code (the box above): the place comes from it.")),
        Number("retention_days", _l("Days signatories' data is kept after closing"),
               hint=_l("Empty: the instance's setting.")),
        Field("language", _l("Language of the text (code such as fr or en)"), maxlength=12,
              hint=_l("Only when it differs from the association's.")),
    ]),
    (_l("Signatures collected elsewhere"), [
        Number("paper_signatures", _l("Signatures on paper")),
        Rows("other_signatures", _l("Other sources (partners)"), [
            Part("source", _l("Short name (a-z, 0-9, -)"), required=True, maxlength=100),
            Part("count", _l("Count"), kind="number", required=True, input_type="number"),
            Part("label", _l("Label shown"), maxlength=100)]),
    ]),
    (_l("After signing"), [
        TextArea("letter", _l("Letter signatories can send to the target"), maxlength=3000,
                 rows=4, hint=_l("Offered when the target has an e-mail address; also the message "
                                 "to the representatives (below), otherwise the demand.")),
        Checkbox("write_to_representatives", _l("Offer to write to the representatives"),
                 default=False,
                 hint=_l("After signing, people can also write to the representatives of their "
                         "département listed in the association's representatives.csv (by "
                         "postal code).")),
    ]),
]

CONSULTATION_SECTIONS = [
    (_l("The consultation"), [
        Field("title", _l("Title"), required=True, maxlength=200),
        TextArea("summary", _l("Summary"), maxlength=500, rows=2),
        TextArea("question", _l("The question asked"), required=True, maxlength=500, rows=2),
        Select("status", _l("Status"), options=CONSULTATION_STATUSES, default="published"),
    ]),
    (_l("Phases"), [
        Phases("phases", _l("Phases and their dates"), [(p, PHASE_LABELS[p]) for p in PHASES],
               required=True,
               hint=_l("At least one phase. Phases start in this order; an empty end means "
                       "until the next phase starts.")),
    ]),
    (_l("Who runs it, who decides"), [
        Rows("organisers", _l("Organisers"), PERSON),
        Rows("decision_makers", _l("Decision makers"), PERSON),
        TextArea("commitment", _l("Commitment of the decision makers"), maxlength=1000, rows=3),
    ]),
    (_l("Rules"), [
        Select("moderation", _l("Moderation"), default="post", options=[
            ("post", _l("Published at once, moderated afterwards")),
            ("pre", _l("Published once a moderator agreed"))]),
        Select("results", _l("Vote results"), default="live", options=[
            ("live", _l("Shown at every moment")), ("after_vote", _l("Shown once the vote is over"))]),
        Select("licence", _l("Licence of the open data"), default="ODbL-1.0",
               options=[(name, name) for name in consultation_content.LICENCES]),
        TextArea("charter", _l("Charter of participation"), maxlength=5000, rows=4,
                 hint=_l("Written like the context above: **bold**, - a list, [a link](https://…).")),
    ]),
    (_l("Documents and picture"), [
        Rows("documents", _l("Documents"), DOCUMENTS),
        Field("image", _l("Picture"), hint=IMAGE_HINT, maxlength=300),
        Field("image_alt", _l("Description of the picture"), maxlength=300),
        Field("language", _l("Language of the text (code such as fr or en)"), maxlength=12),
    ]),
]

TOPIC_SECTIONS = [
    (_l("The topic"), [
        Field("title", _l("Title"), required=True, maxlength=200),
        TextArea("summary", _l("Summary"), maxlength=500, rows=2),
        Number("position", _l("Position in the list"), hint=_l("Topics are listed by position.")),
    ]),
    (_l("Vote"), [
        Select("vote", _l("Vote"), default="yes_no", options=[
            ("yes_no", _l("Yes or no")), ("options", _l("A choice among options")),
            ("none", _l("No vote (contributions and comments only)"))]),
        Field("question", _l("Question asked"), maxlength=300,
              hint=_l("What the vote on this topic asks, e.g. “Should the site open until "
                      "10 pm?” Empty: the topic's title.")),
        Lines("options", _l("Options, one per line"), rows=4,
              hint=_l("For a choice among options: 2 to 12. Do not reorder or remove options "
                      "once the vote has opened.")),
        Checkbox("abstain", _l("Offer “abstain”"), default=True),
    ]),
    (_l("Documents"), [Rows("documents", _l("Documents"), DOCUMENTS)]),
]

UPDATE_SECTIONS = [(_l("The update"), [
    Field("title", _l("Title"), required=True, maxlength=200),
    Date("date", _l("Date shown"), hint=_l("Empty: the day the update is first saved.")),
])]

PUBLISHED_SECTIONS = [(_l("Publication"), [
    Date("date", _l("Date"), required=True,
         hint=_l("A new date publishes it again (feeds, mails to those who asked for news).")),
    Field("author", _l("Author"), required=True, maxlength=200),
])]


@dataclass
class Kind:
    name: str
    label: object
    sections: list
    schema: list
    body_label: object
    campaign: str  # "petition" or "consultation": whose media folder, whose pages
    body_hint: object = None
    new_label: object = None
    fields: list = field(init=False)

    def __post_init__(self):
        self.fields = [f for _title, fields in self.sections for f in fields]

    @property
    def order(self):
        return [f.name for f in self.schema]


KINDS = {k.name: k for k in [
    Kind("petition", _l("Petition"), PETITION_SECTIONS, petition_content.SCHEMA,
         _l("The story"), "petition", new_label=_l("New petition"),
         body_hint=_l("Why the petition matters. Part of the signed text.")),
    Kind("update", _l("Update"), UPDATE_SECTIONS, petition_content.UPDATE_SCHEMA,
         _l("Text"), "petition", new_label=_l("New update"),
         body_hint=_l("Mailed to the signatories who asked for news once published.")),
    Kind("answer", _l("Answer of the target"), PUBLISHED_SECTIONS, petition_content.ANSWER_SCHEMA,
         _l("The answer"), "petition"),
    Kind("consultation", _l("Consultation"), CONSULTATION_SECTIONS, consultation_content.SCHEMA,
         _l("Context"), "consultation", new_label=_l("New consultation"),
         body_hint=_l("Why the consultation, what is at stake, what is already decided.")),
    Kind("topic", _l("Topic"), TOPIC_SECTIONS, consultation_content.TOPIC_SCHEMA,
         _l("Information sheet"), "consultation", new_label=_l("New topic")),
    Kind("synthesis", _l("Synthesis"), PUBLISHED_SECTIONS, consultation_content.PUBLISHED_SCHEMA,
         _l("The synthesis"), "consultation",
         body_hint=_l("Write #c12 to cite contribution 12.")),
    Kind("consultation-answer", _l("Answer of the decision makers"), PUBLISHED_SECTIONS,
         consultation_content.PUBLISHED_SCHEMA, _l("The answer"), "consultation",
         body_hint=_l("Write #c12 to cite contribution 12.")),
]}


@dataclass
class Target:
    """One file of one association, as the editor sees it."""

    kind: Kind
    org: str
    org_folder: Path
    campaign: str  # the petition's or consultation's slug
    item: str = ""  # the update's file name or the topic's slug
    new: bool = False

    @property
    def path(self):
        petition = self.org_folder / "petitions" / self.campaign
        consultation = self.org_folder / "consultations" / self.campaign
        return {
            "petition": petition.with_suffix(".md"),
            "update": petition / "updates" / f"{self.item}.md",
            "answer": petition / "answer.md",
            "consultation": consultation / "index.md",
            "topic": consultation / "topics" / f"{self.item}.md",
            "synthesis": consultation / "synthesis.md",
            "consultation-answer": consultation / "answer.md",
        }[self.kind.name]

    @property
    def shown_path(self):
        """The path relative to the folder of the content folder, as `chaton content check`."""
        return str(self.path.relative_to(self.org_folder.parent.parent))

    @property
    def media_folder(self):
        """Where uploads go, and the prefix that finds them from this file's front matter."""
        if self.kind.campaign == "consultation":
            return self.org_folder / "consultations" / self.campaign / "documents", "documents/"
        return self.org_folder / "media", "media/"

    @property
    def media_base(self):
        """The address relative paths in the Markdown resolve to (as at indexing time)."""
        if self.kind.campaign == "consultation":
            return f"/{self.org}/media/consultations/{self.campaign}"
        return f"/{self.org}/media"

    @property
    def image_root(self):
        """The folder the `image` field is relative to."""
        if self.kind.campaign == "consultation":
            return self.org_folder / "consultations" / self.campaign
        return self.org_folder

    def public_url(self):
        if self.kind.campaign == "consultation":
            if self.kind.name == "topic" and not self.new:
                return url_for("consultations.topic", org=self.org, slug=self.campaign,
                               topic=self.item)
            return url_for("consultations.show", org=self.org, slug=self.campaign)
        return url_for("petitions.show", org=self.org, slug=self.campaign)

    def check(self, text):
        """The indexer's checks of this text, plus the editor's own."""
        path = self.path
        name = self.kind.name
        if name == "petition":
            doc = petition_content.check_petition(path, text, self.org_folder)
        elif name == "update":
            doc = petition_content.parse_update(path, text)[1]
        elif name == "consultation":
            doc = consultation_content.check_consultation(path, text, self.org_folder)
        elif name == "topic":
            doc = consultation_content.parse_topic(path, path.parent.parent, text)
        else:
            doc = fm.parse(path, text, self.kind.schema)
        if doc.ok and doc.meta.get("image") and not doc.meta.get("image_alt"):
            doc.problems = [p for p in doc.problems if p.field != "image_alt"]
            doc.problems.append(fm.Problem(str(path), 1, "image_alt",
                                           "describe the image for people who cannot see it"))
        return doc
