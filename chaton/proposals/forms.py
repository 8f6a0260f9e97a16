"""The forms of proposals: drafting one, supporting one (server-side checks, messages in the
visitor's language; anonymous forms, checked by core.security.anonymous_form)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from chaton.petitions.forms import no_control_characters, valid_email

AT_MOST = _l("At most %(max)d characters.")


def _text(label, required, maximum, multiline=False):
    checks = [Length(max=maximum, message=AT_MOST), no_control_characters]  # keeps line breaks
    if required:
        checks.insert(0, DataRequired(required))
    return (TextAreaField if multiline else StringField)(label, validators=checks)


class _Person(FlaskForm):
    class Meta:
        csrf = False  # anonymous: core.security.anonymous_form checks where the post comes from

    name = _text(_l("Your name"), _l("Enter your name."), 100)
    email = EmailField(_l("Your e-mail address"), validators=[
        DataRequired(_l("Enter your e-mail address.")), Length(max=254), valid_email])
    website = StringField(_l("Leave this field empty"))  # honeypot, hidden from people

    @property
    def is_bot(self):
        return bool(self.website.data)


class ProposalForm(_Person):
    title = _text(_l("Title of the petition"), _l("Give your petition a title."), 200)
    target = _text(_l("Addressed to"), _l("Say whom the petition asks."), 200)
    demand = _text(_l("What do you ask?"), _l("Say what the petition asks."), 1000,
                   multiline=True)
    story = _text(_l("Why? (optional)"), None, 5000, multiline=True)
    agree = BooleanField(_l("I agree that my name is shown with my proposal, and that the "
                            "association may publish it or refuse it with a public reason."),
                         validators=[DataRequired(_l("Tick this box to send your proposal."))])


class SupportForm(_Person):
    pass
