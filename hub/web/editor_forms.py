"""The editor's forms (Flask-WTF), made from the kinds' field specs (hub.editor.kinds): the
one place where what a person typed is checked and turned into the content folder's values.
Each field's errors are plain words naming the expected format, translated here.
"""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, Field, HiddenField, StringField, TextAreaField
from wtforms.validators import AnyOf, Length, Optional, ValidationError

from hub.editor import convert
from hub.editor.convert import Invalid
from hub.editor.kinds import WEEKDAYS, Kind
from hub.editor.kinds import Field as Spec
from hub.editor.text import Message

from .i18n import N_, gettext


def say(m: Message) -> str:
    return gettext(m.text, **m.params)


def field_names(spec: Spec, langs: Sequence[str]) -> list[str]:
    """The form fields a spec is entered with (texts: one per language)."""
    if spec.type in ("text", "longtext", "textlist"):
        return [f"{spec.key}__{lang}" for lang in langs]
    if spec.type == "hours":
        return ["hours_mode", "hours_osm", "hours_holidays", *[f"hours_{d}" for d in WEEKDAYS]]
    if spec.type in ("media", "image"):
        return [spec.key, f"{spec.key}_keep"]
    return [spec.key]


class DocumentForm(FlaskForm):
    """Base of every document form: the digests of what the form read, and "save anyway"."""

    doc_digest = HiddenField()
    file_digest = HiddenField()
    force = HiddenField()

    kind: Kind
    langs: tuple[str, ...]
    specs: tuple[Spec, ...]
    values: dict[str, Any]

    def spec_errors(self) -> dict[str, list[str]]:
        """Errors by spec key (a text's languages together)."""
        out: dict[str, list[str]] = {}
        for spec in self.specs:
            for name in field_names(spec, self.langs):
                f = getattr(self, name, None)
                if f is not None and f.errors:
                    out.setdefault(spec.key, []).extend(str(e) for e in f.errors)
        return out

    def validate(self, extra_validators: Any = None) -> bool:
        ok = super().validate(extra_validators)
        self.values = {}
        for spec in self.specs:
            try:
                self.values[spec.key] = self._value(spec)
            except Invalid as e:
                self._error(spec, say(e.message))
                ok = False
            except ValidationError as e:
                self._error(spec, str(e))
                ok = False
        return ok

    def _error(self, spec: Spec, text: str) -> None:
        first = getattr(self, field_names(spec, self.langs)[0])
        if isinstance(first.errors, tuple):
            first.errors = list(first.errors)
        first.errors.append(text)

    def _raw(self, name: str) -> str:
        f = getattr(self, name, None)
        data = f.data if f is not None else None
        return data.strip() if isinstance(data, str) else ""

    def _value(self, spec: Spec) -> Any:
        t = spec.type
        if t in ("text", "longtext"):
            value = convert.localised({lang: self._raw(f"{spec.key}__{lang}") for lang in self.langs})
            if spec.required and not value:
                raise ValidationError(gettext("Write it in at least one language."))
            for lang, text in value.items():
                if len(text) > spec.max_length:
                    raise ValidationError(gettext("At most %(n)s characters (%(lang)s).", n=spec.max_length, lang=lang))
            return value or None
        if t == "textlist":
            return convert.textlist({lang: self._raw(f"{spec.key}__{lang}") for lang in self.langs}) or None
        if t == "hours":
            return None  # read by the view (two keys: hours or opening_hours)
        if t in ("media", "image"):
            return None  # the upload is checked by the view (decoding)
        if t == "bool":
            return True if getattr(self, spec.key).data else None
        if t in ("choices", "langs", "screens", "loops"):
            return list(getattr(self, spec.key).data or ()) or None
        raw = self._raw(spec.key)
        if not raw:
            if spec.required:
                raise ValidationError(gettext("Required."))
            return None
        if len(raw) > spec.max_length and t not in ("menu", "holidays"):
            raise ValidationError(gettext("At most %(n)s characters.", n=spec.max_length))
        if t == "string":
            return raw
        if t == "choice":
            if raw not in spec.choices and spec.choices:
                raise ValidationError(gettext("Choose one of the list."))
            return raw
        if t == "id":
            return convert.parse_id(raw)
        if t in ("int", "number"):
            return _number(raw, spec)
        if t == "datetime":
            return convert.parse_local_datetime(raw)
        if t == "date":
            return convert.parse_date(raw)
        if t == "dates":
            return convert.parse_dates(raw) or None
        if t == "dayparts":
            return convert.parse_dayparts(raw) or None
        if t == "tags":
            return convert.parse_tags(raw) or None
        if t == "url":
            return convert.parse_url(raw)
        if t == "phone":
            return convert.parse_phone(raw)
        if t == "menu":
            return convert.parse_menu(raw, self.langs[0]) or None
        if t == "focus":
            return convert.parse_focus(raw)
        if t == "holidays":
            return convert.parse_holidays(raw, self.langs[0]) or None
        raise AssertionError(f"unknown field type {t}")


def _number(raw: str, spec: Spec) -> int | float:
    text = raw.replace(",", ".").replace(" ", "")
    try:
        value: int | float = int(text) if spec.type == "int" else float(text)
    except ValueError:
        what = N_("a whole number") if spec.type == "int" else N_("a number")
        raise ValidationError(gettext("'%(value)s' is not %(what)s.", value=raw, what=gettext(what))) from None
    if spec.type == "number" and float(value).is_integer():
        value = int(value)
    lo, hi = spec.minimum, spec.maximum
    if (lo is not None and value < lo) or (hi is not None and value > hi):
        raise ValidationError(gettext("Between %(lo)s and %(hi)s.", lo=_n(lo), hi=_n(hi)))
    return value


def _n(v: float | None) -> str:
    return "…" if v is None else (str(int(v)) if float(v).is_integer() else str(v))


def form_class(kind: Kind, langs: Sequence[str], *, playlists: Sequence[str] = (), new: bool = False,
               specs: Sequence[Spec] | None = None, screens: Sequence[str] = ()) -> type[DocumentForm]:
    """A form class for ``kind`` in the site's languages (``new``: with its id and, for a
    loop's item, its playlist)."""
    attrs: dict[str, Any] = {"kind": kind, "langs": tuple(langs), "specs": tuple(specs or kind.fields)}
    if new:
        attrs["new_id"] = StringField(N_("Short name (id)"), validators=[Optional(), Length(max=64)])
        if kind.item_type is not None:
            attrs["playlist"] = StringField(N_("Loop"), validators=[AnyOf(list(playlists))])
    for spec in attrs["specs"]:
        t = spec.type
        if t in ("text", "textlist"):
            for lang in langs:
                cls: type[Field] = TextAreaField if t == "textlist" else StringField
                attrs[f"{spec.key}__{lang}"] = cls(spec.label)
        elif t == "longtext":
            for lang in langs:
                attrs[f"{spec.key}__{lang}"] = TextAreaField(spec.label)
        elif t == "bool":
            attrs[spec.key] = BooleanField(spec.label)
        elif t == "choices":
            attrs[spec.key] = _MultiField(spec.label, choices=[(c, c) for c in spec.choices])
        elif t == "langs":
            attrs[spec.key] = _MultiField(spec.label, choices=[(c, c) for c in langs])
        elif t == "screens":
            attrs[spec.key] = _MultiField(spec.label, choices=[(c, c) for c in screens])
        elif t == "loops":
            attrs[spec.key] = _MultiField(spec.label, choices=[(c, c) for c in playlists])
        elif t in ("media", "image"):
            attrs[spec.key] = FileField(spec.label)
            attrs[f"{spec.key}_keep"] = HiddenField()
        elif t == "hours":
            attrs["hours_mode"] = StringField(spec.label, default="none", validators=[AnyOf(["osm", "grid", "none"])])
            attrs["hours_osm"] = StringField(spec.label)
            attrs["hours_holidays"] = BooleanField(N_("Closed on public holidays"), default=True)
            for d in WEEKDAYS:
                attrs[f"hours_{d}"] = StringField(d)
        elif t in ("menu", "holidays"):
            attrs[spec.key] = TextAreaField(spec.label)
        elif t == "choice":
            attrs[spec.key] = StringField(spec.label)
        else:
            attrs[spec.key] = StringField(spec.label)
    return type(f"{kind.name.title()}Form", (DocumentForm,), attrs)


class _MultiField(Field):
    """Several ticked boxes of one name (days of the week, languages)."""

    def __init__(self, label: str, choices: Sequence[tuple[str, str]], **kw: Any) -> None:
        super().__init__(label, **kw)
        self.choices = list(choices)

    def process_formdata(self, valuelist: list[Any]) -> None:
        known = {c for c, _ in self.choices}
        self.data = [v for v in valuelist if v in known]

    def process_data(self, value: Any) -> None:
        self.data = list(value or [])


class AlertEndForm(FlaskForm):
    """"End now": nothing but its CSRF token."""


class PreviewForm(FlaskForm):
    class Meta:
        csrf = False  # a GET that changes nothing

    at = StringField(N_("Date and time"))
    what = StringField(N_("What"), default="loop", validators=[AnyOf(["loop", "kiosk", "week"])])
    playlist = StringField(N_("Loop"))
    orientation = StringField(N_("Orientation"), default="landscape", validators=[AnyOf(["landscape", "portrait"])])

    def validate_at(self, field: StringField) -> None:
        if field.data:
            try:
                convert.parse_local_datetime(field.data)
            except Invalid as e:
                raise ValidationError(say(e.message)) from None
