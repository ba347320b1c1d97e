"""The instant preview of the screens (``kiosk preview``), run in a process of its own by
the communication team's editor (the hub starts it as a subprocess) or by hand.

It renders what the player would show at a given instant with the player's own renderers,
offscreen and one slide after another, without waiting for durations: the loop as a
contact sheet (:mod:`.loop`, Kivy; :mod:`.sheet`, Pillow), and the week's calendar of what
plays when on each playlist (:mod:`.week`, walking the schedule engine's deadlines; drawn
by :mod:`.week_png` and :mod:`.week_html`). :mod:`.plan` says, without Kivy, what plays at
the instant and why. The content comes in as a :class:`content_cache.LiveContent` (the CLI
reads the content folder with the hub's publisher); nothing here imports the hub.
"""
