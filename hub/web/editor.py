"""The editor's document pages: the list of each kind, the form to make or change one
(posters, videos, bulletins, alerts, the kiosk's pages) and the site's settings. Saving a
form is :mod:`hub.web.editor_save`; deleting, ending an alert now and the live "open now"
check of opening hours are :mod:`hub.web.editor_actions`; the blueprint (``bp``, endpoints
``editor.*``) and what the pages share are :mod:`hub.web.editor_pages`.
"""
from __future__ import annotations

from flask import abort, request
from werkzeug.wrappers import Response

from hub.editor import convert
from hub.editor.folder import DocRef, Document, FolderError
from hub.editor.kinds import KINDS, SITE, Kind
from hub.editor.neutrality import verdict
from hub.fleet.roles import Role

from . import editor_actions  # noqa: F401  (its routes are the blueprint's too)
from .editor_common import common_context, now, page, say, ws
from .editor_forms import form_class
from .editor_pages import _form_page, _kind, bp, section_of, status_of, title_of
from .editor_related import alert_defaults, loops_of, screens, targets_of
from .editor_save import _save
from .editor_values import Extras, form_data
from .guards import require


@bp.route("/site", methods=["GET", "POST"])
@require(Role.EDITOR)
def site_settings() -> Response:
    """The site's name, its default loop and its public holidays ([site] of site.toml)."""
    doc = ws().folder.find(DocRef("site.toml", None, "site", table="site"))
    if doc is None:
        abort(404)
    return _edit(SITE, doc, "site.toml")


@bp.route("/")
@require(Role.EDITOR)
def index() -> Response:
    w = ws()
    site = w.site()
    counts = {}
    broken = []
    for name, kind in KINDS.items():
        try:
            counts[name] = len(w.documents(kind))
        except FolderError as e:
            broken.append(str(e))
    return page("editor_index.html", kinds=KINDS, counts=counts, broken=sorted(set(broken)), **common_context(site))


@bp.route("/<kind_name>/")
@require(Role.EDITOR)
def documents(kind_name: str) -> Response:
    kind = _kind(kind_name)
    w = ws()
    site = w.site()
    try:
        docs = w.documents(kind)
    except FolderError as e:
        return page("editor_list.html", kind=kind, rows=[], broken=str(e), **common_context(site))
    rows = [{"doc": d, "title": title_of(kind, d.values, site), "status": status_of(d.values, site),
             "file": d.ref.file.split("/", 1)[1]} for d in docs]
    if kind.name == "alert":
        form = form_class(kind, site.languages, new=True, screens=[d for d, _p in screens()])(
            data={**alert_defaults(site), "doc_digest": "absent"}, formdata=None)
        return _form_page(kind, None, form, site, [], [])
    ctx = common_context(site)
    return page("editor_list.html", kind=kind, rows=rows, broken=None, **ctx)


@bp.route("/<kind_name>/new", methods=["GET", "POST"])
@require(Role.EDITOR)
def new(kind_name: str) -> Response:
    return _edit(_kind(kind_name), None, None)


@bp.route("/<kind_name>/<item_id>", methods=["GET", "POST"])
@require(Role.EDITOR)
def edit(kind_name: str, item_id: str) -> Response:
    kind = _kind(kind_name)
    w = ws()
    file = w.file_for(kind, request.args.get("file", ""))
    if file is None or not convert.ID_RE.match(item_id):
        abort(404)
    doc = w.find(kind, file, item_id)
    if doc is None:
        abort(404)
    return _edit(kind, doc, file)


def _edit(kind: Kind, doc: Document | None, file: str | None) -> Response:
    w = ws()
    site = w.site()
    cls = form_class(kind, site.languages, playlists=site.playlists, new=doc is None,
                     screens=[d for d, _p in screens()])
    if request.method == "GET":
        data = form_data(kind, doc.values, site.languages) if doc else (
            alert_defaults(site) if kind.name == "alert" else {})
        if doc is not None and kind.field("screens") is not None:
            data["screens"] = targets_of(doc.id)
        if kind.field("loops") is not None:
            data["loops"] = [p for p, _i in loops_of(doc.id)] if doc is not None else (
                [site.default_playlist] if site.default_playlist in site.playlists else [])
        form = cls(data={**data, "doc_digest": doc.digest if doc else "absent",
                         "file_digest": doc.file_digest if doc else ""}, formdata=None)
        if doc is None and kind.item_type is not None and site.default_playlist in site.playlists:
            form["playlist"].data = site.default_playlist
        verdicts = [say(m) for m in verdict(section_of(kind), doc.values, site.rules, now(), site.tz)] if doc else []
        return _form_page(kind, doc, form, site, [], verdicts)
    form = cls()
    extras = Extras()
    try:
        return _save(kind, doc, file, form, site, extras)
    finally:
        extras.cleanup()

