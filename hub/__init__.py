"""The town's side: everything that runs on the town's server, never on a device.

The publisher (:mod:`hub.publisher`, ``kiosk publish``) turns the content folder into the
served tree; the reference content API server (:mod:`hub.refserver`, ``kiosk serve``)
serves a published tree for tests and small sites; the demo town (:mod:`hub.demo`) is the
content ``kiosk demo`` publishes. These run in the ``kiosk publish`` / ``kiosk serve`` /
``kiosk demo`` processes (the CLI imports them) and, on a town's server, in the hub.
No Kivy, no device code: ``hub`` imports ``player``, ``sync`` and ``content_cache`` only.
"""
