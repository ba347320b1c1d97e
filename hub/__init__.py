"""The town's side: everything that runs on the town's server, never on a device.

The publisher (:mod:`hub.publisher`, ``kiosk publish``) turns the content folder into the
served tree, with the town's content sources (:mod:`hub.sources`: news feeds, agendas, the
national directory, canteen menus, official warnings; ``kiosk publish`` and ``kiosk sources
check`` in :mod:`hub.sources_cli`, run by the ``kiosk-publish`` and ``kiosk-alerts`` timers);
the reference content API server (:mod:`hub.refserver`, ``kiosk serve``)
serves a published tree for tests and small sites; the demo town (:mod:`hub.demo`) is the
content ``kiosk demo`` publishes. These run in the ``kiosk publish`` / ``kiosk serve`` /
``kiosk demo`` processes (the CLI imports them) and, on a town's server, in the hub.
No Kivy, no device code: ``hub`` imports ``player``, ``sync`` and ``content_cache`` only.
"""
