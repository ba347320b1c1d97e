"""The hub's forms (Flask-WTF): the one place where a page's input is checked; each carries
its CSRF token. Labels are marked for gettext and translated where they are shown."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, SelectMultipleField, StringField
from wtforms.validators import AnyOf, DataRequired, Length, Optional, Regexp, ValidationError

from hub.fleet.accounts import MIN_PASSWORD, USERNAME_RE
from hub.fleet.roles import Role
from hub.tree_http import ID_RE

from .i18n import N_


class LoginForm(FlaskForm):
    username = StringField(N_("User name"), validators=[DataRequired(), Length(max=64)])
    password = PasswordField(N_("Password"), validators=[DataRequired(), Length(max=1024)])


class ActionForm(FlaskForm):
    """A button that changes something: nothing but its CSRF token."""


class PlaceForm(FlaskForm):
    place = StringField(N_("Place"), validators=[Length(max=200)])


class EnrolForm(FlaskForm):
    device_id = StringField(N_("Device id"), validators=[
        Optional(), Regexp(ID_RE.pattern, message=N_("a-z, 0-9, '-' and '_', up to 64 characters"))])
    place = StringField(N_("Place"), validators=[Length(max=200)])
    hours = StringField(N_("Valid for"), default="24", validators=[AnyOf(["1", "24", "168"])])


class NewUserForm(FlaskForm):
    username = StringField(N_("User name"), validators=[
        DataRequired(), Regexp(USERNAME_RE.pattern, message=N_("2 to 64 characters: a-z, 0-9, '.', '_' or '-'"))])
    password = PasswordField(N_("Password"), validators=[DataRequired(), Length(min=MIN_PASSWORD, max=1024)])
    roles = SelectMultipleField(N_("Roles"), choices=[r.value for r in Role])
    language = StringField(N_("Language"), default="fr", validators=[AnyOf(["fr", "en"])])

    def validate_roles(self, field: SelectMultipleField) -> None:
        if not field.data:
            raise ValidationError(N_("give the user at least one role"))


class RolesForm(FlaskForm):
    roles = SelectMultipleField(N_("Roles"), choices=[r.value for r in Role])
    active = BooleanField(N_("Active"))

    def validate_roles(self, field: SelectMultipleField) -> None:
        if not field.data:
            raise ValidationError(N_("give the user at least one role"))


class PasswordForm(FlaskForm):
    current = PasswordField(N_("Current password"), validators=[Optional(), Length(max=1024)])
    password = PasswordField(N_("New password"), validators=[DataRequired(), Length(min=MIN_PASSWORD, max=1024)])


class LanguageForm(FlaskForm):
    lang = StringField(N_("Language"), validators=[AnyOf(["fr", "en"])])
