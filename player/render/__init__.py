"""The Kivy renderers: slides, the ticker strip, images prepared for the GPU, and the video
decoder process with the player's side of it.

Run in the player process (``kiosk player``), imported only once the application has
configured Kivy; ``video_decoder.py`` runs as a script in a process of its own, one per
clip. ``images`` and ``video_process`` import no Kivy (``kiosk doctor`` uses them).
"""
