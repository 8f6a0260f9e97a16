"""Editing campaigns in the browser: forms that write the same Markdown files people write by hand.

- `document.py`: a file's front matter loaded for a round trip (comments, key order, quotes
  and unknown keys kept), the body, the checksum that detects concurrent edits;
- `fields.py`: form fields, each turning a front-matter value into form inputs and back;
- `territory_field.py`: a petition's territory, its place chosen by name (no INSEE code to know);
- `kinds.py`: what can be edited (petition, update, answer, consultation, topic, synthesis)
  with its fields, its file, its checks (the indexer's own) and where its pictures go;
- `views.py`: the editor pages; `campaigns.py`: the list and the publication buttons;
- `uploads.py`: pictures and PDF checked by their content, stored in the association's folder;
- `association_settings.py`: the association's settings, its association.md edited by a form;
- `first_steps.py`: a new association's first steps, listed on its dashboard.
"""


from chaton.core.capability import Capability

capability = Capability(
    name="editing",
    # the editor; the association's settings, association.md edited by a form (with a logo)
    blueprints=("chaton.editing.blueprint:bp", "chaton.editing.association_settings:bp"),
    modules=("chaton.editing.campaigns", "chaton.editing.views"),  # their routes on that blueprint
    # a new association's first steps on its dashboard (first campaign, texts, colour, logo, team)
    page_context=(("dashboard", "chaton.editing.first_steps:dashboard_context"),),
)
