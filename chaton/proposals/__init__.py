"""Residents' proposals of petitions (optional per association: `proposals` in association.md).

Anyone drafts a petition in a form (`/<org>/proposals/new`) and confirms it from the link
mailed to them; it then gathers supporters through its page's address (5 by default, each
confirming by mail, once per address); with them it waits for the association, whose members
(any role) publish it, which writes it as a Markdown petition file like any other, or reject it
with a coded reason shown publicly (`/<org>/proposals/`).

- `models.py`: the proposals and their supports; `proposing.py`: drafting, supporting,
  confirming, expiry and retention; `publishing.py`: the decision;
- `views.py`: the public pages; `admin.py`: the association's queue; `tasks.py`: the mails.
"""

from chaton.core.capability import Capability

capability = Capability(
    name="proposals",
    blueprints=("chaton.proposals.views:bp", "chaton.proposals.admin:bp"),
    modules=("chaton.proposals.tasks",),
    page_context=(("association", "chaton.proposals.views:association_context"),),
    archive=("chaton.proposals.association_data:ARCHIVE",),
    erased=("chaton.proposals.association_data:erased",),
)
