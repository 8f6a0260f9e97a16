"""Consultation forms (Flask-WTF): server-side validation, messages in the visitor's language."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, EmailField, IntegerField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from chaton.petitions.forms import no_control_characters, valid_email

AT_MOST = _l("At most %(max)d characters.")


class ChoiceField(StringField):
    """One value among (value, label) choices, drawn as radio buttons by the templates."""

    def __init__(self, label=None, validators=None, choices=(), **kwargs):
        super().__init__(label, validators, **kwargs)
        self.choices = list(choices)

    def pre_validate(self, form):
        if self.data and self.data not in {value for value, _label in self.choices}:
            raise ValidationError(_l("Choose one of the answers."))


def stance_choices():
    return [("for", _l("For")), ("against", _l("Against")), ("neutral", _l("Neutral")),
            ("proposal", _l("Proposal"))]


def reason_choices():
    return [("spam", _l("Spam or advertising")), ("abuse", _l("Insults, hatred or harassment")),
            ("personal", _l("Personal data about someone")), ("off_topic", _l("Off topic")),
            ("other", _l("Another reason"))]


def display_name_field():
    return StringField(_l("Display name"), validators=[
        DataRequired(_l("Choose a display name.")), Length(max=60, message=AT_MOST),
        no_control_characters])


class JoinForm(FlaskForm):
    class Meta:
        csrf = False  # an anonymous form: checked by core.security.anonymous_form instead

    email = EmailField(_l("Your e-mail address"), validators=[
        DataRequired(_l("Enter your e-mail address.")), Length(max=254), valid_email])
    display_name = display_name_field()
    notify_news = BooleanField(_l("Tell me by e-mail when a phase starts, and when the synthesis "
                                  "and the answer are published"))
    notify_replies = BooleanField(_l("Tell me by e-mail when someone replies to me"))
    website = StringField(_l("Leave this field empty"))  # honeypot, hidden from people

    @property
    def is_bot(self):
        return bool(self.website.data)


class ProfileForm(FlaskForm):
    display_name = display_name_field()
    notify_news = BooleanField(_l("Tell me by e-mail when a phase starts, and when the synthesis "
                                  "and the answer are published"))
    notify_replies = BooleanField(_l("Tell me by e-mail when someone replies to me"))


class ContributionForm(FlaskForm):
    # ids of their own: the topic page has other forms (the comment's "body")
    title = StringField(_l("Title"), id="contribution-title", validators=[
        DataRequired(_l("Give your contribution a title.")), Length(max=150, message=AT_MOST),
        no_control_characters])
    body = TextAreaField(_l("Your contribution"), id="contribution-body", validators=[
        DataRequired(_l("Write your contribution.")), Length(max=5000, message=AT_MOST),
        no_control_characters])
    stance = ChoiceField(_l("Your position"), id="contribution-stance", choices=stance_choices(),
                         default="proposal", validators=[DataRequired(_l("Choose a position."))])


class CommentForm(FlaskForm):
    body = TextAreaField(_l("Your comment"), validators=[
        DataRequired(_l("Write your comment.")), Length(max=2000, message=AT_MOST),
        no_control_characters])


class ReportForm(FlaskForm):
    reason = ChoiceField(_l("Why should moderators look at it?"), choices=reason_choices(),
                        validators=[DataRequired(_l("Choose a reason."))])
    details = TextAreaField(_l("Details (optional)"), validators=[
        Optional(), Length(max=500, message=AT_MOST), no_control_characters])


class CollectiveForm(FlaskForm):
    topic = ChoiceField(_l("Topic"), validators=[DataRequired()])
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=150),
                                                 no_control_characters])
    body = TextAreaField(_l("What the workshop produced"), validators=[
        DataRequired(), Length(max=20000), no_control_characters])
    stance = ChoiceField(_l("Position"), choices=stance_choices(), default="proposal")
    day = DateField(_l("Date of the workshop"), validators=[DataRequired()])
    place = StringField(_l("Place"), validators=[DataRequired(), Length(max=100),
                                                 no_control_characters])
    participants = IntegerField(_l("Number of participants"), validators=[
        DataRequired(), NumberRange(min=1, max=100000)])
