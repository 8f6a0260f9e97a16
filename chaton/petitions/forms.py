"""The signing form: server-side validation, messages in the visitor's language."""

import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from chaton import territory
from chaton.core.frontmatter import EMAIL_RE
from chaton.petitions.sharing import clean_code

POSTAL_CODE_RE = {"FR": r"\d{5}", "BE": r"\d{4}", "CH": r"\d{4}", "LU": r"(L-?)?\d{4}",
                  "CA": r"[A-Za-z]\d[A-Za-z] ?\d[A-Za-z]\d"}


def valid_email(form, field):
    value = (field.data or "").strip()
    if not EMAIL_RE.match(value) or any(c in value for c in "<>,;\"'\\"):
        raise ValidationError(_l("Enter an e-mail address such as name@example.org."))


def no_control_characters(form, field):
    if field.data and re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", field.data):
        raise ValidationError(_l("This field contains characters that are not allowed."))


class SignForm(FlaskForm):
    class Meta:
        csrf = False  # an anonymous form: checked by core.security.anonymous_form instead

    name = StringField(_l("Your name"), validators=[
        DataRequired(_l("Enter your name.")), Length(max=100, message=_l(
            "At most %(max)d characters.")), no_control_characters])
    email = EmailField(_l("Your e-mail address"), validators=[
        DataRequired(_l("Enter your e-mail address.")), Length(max=254), valid_email])
    # no Optional(): it would end the chain on an empty value, before validate_postal_code
    postal_code = StringField(_l("Postal code"), validators=[Length(max=12)])
    # asked only when the petition has a territory and the postal code serves several communes
    commune = SelectField(_l("Your commune"), choices=[], default="", validate_choice=False)
    comment = TextAreaField(_l("Comment (optional, public)"), validators=[
        Optional(), Length(max=500, message=_l("At most %(max)d characters.")),
        no_control_characters])
    show_name = BooleanField(_l("Show my name (and comment) on the petition page"))
    keep_informed = BooleanField(_l("Keep me informed by e-mail"))
    website = StringField(_l("Leave this field empty"))  # honeypot, hidden from people
    # the code of the personal share link that brought the visitor (?via=): not of its form, it
    # is dropped, never an error
    via = HiddenField(filters=[clean_code])

    def __init__(self, *args, ask_postal_code=False, country="FR", ask_commune=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.ask_postal_code = ask_postal_code
        self.country = country
        self.ask_commune = ask_commune and ask_postal_code and country == "FR"

    def validate_postal_code(self, field):
        if not self.ask_postal_code:
            field.data = ""
            return
        value = (field.data or "").strip()
        if not value:
            raise ValidationError(_l("Enter your postal code."))
        pattern = POSTAL_CODE_RE.get(self.country, r"[A-Za-z0-9 -]{2,12}")
        if not re.fullmatch(pattern, value):
            raise ValidationError(_l("Enter a valid postal code (for example 75011)."))
        if self.country == "FR" and not territory.is_postal_code(value):
            raise ValidationError(_l("%(code)s is not a French postal code: check it (for "
                                     "example 75011).", code=value))
        field.data = value

    def validate_commune(self, field):
        """The commune of the postal code: taken silently when it serves one, chosen from its
        communes when it serves several (the form comes back with the choice)."""
        field.choices = []
        code = self.postal_code.data
        if not self.ask_commune or self.postal_code.errors or not code:
            field.data = ""
            return
        found = territory.communes(code)
        if len(found) == 1:
            field.data = found[0][0]
            return
        field.choices = [("", _l("Choose…"))] + list(found)
        if field.data not in dict(found):
            field.data = ""
            raise ValidationError(_l("The postal code %(code)s serves several communes: choose "
                                     "yours.", code=code))

    @property
    def is_bot(self):
        return bool(self.website.data)
