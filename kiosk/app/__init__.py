"""The player process (``kiosk player``, systemd ``kiosk-player.service``).

Its options (:mod:`kiosk.app.options`), the pure playback state that asks the schedule
engine what plays (:mod:`kiosk.app.state`), and the Kivy application
(:mod:`kiosk.app.player_app`) with its helpers: the loop's bands, the next slide, the
device link (systemd notify, control socket), the touch layer, the service hooks (these
three see the app as :class:`kiosk.app.host.PlayerHost`), frame pacing and the turned
root. Everything here runs in the player process only, but :mod:`kiosk.app.preview`,
which draws with the same renderers and bands in ``kiosk preview``'s process; the Kivy
modules are imported after :func:`kiosk.device.kivy_env.prepare_kivy`.
"""
