"""Town kiosk: the application (CLI, configuration, wiring, Kivy touch UI)."""

__version__ = "0.1.0"
