"""The town's side: everything that runs on the town's server, never on a device.

The publisher (:mod:`hub.publisher`, ``kiosk publish``) turns the content folder into the
served tree — reading it (:mod:`hub.source_reader`), saying each problem where its author
will look (:mod:`hub.source_notes`), decoding its media (:mod:`hub.media_checks`) and
warning of content that can never show (:mod:`hub.content_warnings`) — with the town's content sources (:mod:`hub.sources`: news feeds, agendas, the
national directory, canteen menus, official warnings; ``kiosk publish`` and ``kiosk sources
check`` in :mod:`hub.sources_cli`, run by the ``kiosk-publish`` and ``kiosk-alerts`` timers);
the reference content API server (:mod:`hub.refserver`, ``kiosk serve``)
serves a published tree for tests and small sites; the demo town (:mod:`hub.demo`) is the
content ``kiosk demo`` publishes. The hub itself (``kiosk hub serve``: :mod:`hub.cli`,
:mod:`hub.server`) runs in gunicorn's worker processes: the Flask app (:mod:`hub.web`) over
the fleet's logic (:mod:`hub.fleet`) and its database (:mod:`hub.db`), serving the same tree
as the reference server (:mod:`hub.tree_http`). No Kivy, no device code: ``hub`` imports
``player``, ``sync`` and ``content_cache`` only.
"""
