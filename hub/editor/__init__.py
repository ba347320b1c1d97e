"""The communication team's editor: the content folder read and written in place, form
values checked as the publisher checks them, uploads decoded before they are kept, the
election-period verdict, changes waiting for a publisher's approval, publishing from the
hub, and the audit trail a judge can read.

Run by the hub's gunicorn workers (the pages in :mod:`hub.web.editor`) and by ``kiosk hub
audit``. No Kivy: previews are ``kiosk preview`` in a subprocess (:mod:`hub.editor.preview`).
The content folder stays the truth: hand edits, the content sources and the editor meet
there; a document is read as the publisher reads it (TOML 1.1) and written with tomlkit,
which keeps the comments and layout of hand edits.
"""
