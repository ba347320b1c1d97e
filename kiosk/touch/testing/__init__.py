"""Driving the touch UI headless, for the test suite and the screen gallery.

Run in processes of their own (``python -m kiosk.touch.testing.harness``), one per
scenario, by the tests and ``scripts/make_screens.py``, and in ``kiosk preview --what
kiosk``'s process (:mod:`.pages`); never by a device's services.
Content comes straight from a content folder through the hub's publisher
(:mod:`kiosk.touch.testing.sample`), so it is the one part of ``kiosk`` allowed to import
``hub``.
"""
