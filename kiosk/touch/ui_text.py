"""The interface's own strings (not content) in one language, for the .kv rules."""
from __future__ import annotations

from player.i18n import gettext_for


def interface_strings(lang: str) -> dict[str, str]:
    _ = gettext_for(lang)
    return {
        "back": _("Back"),
        "home": _("Home"),
        "read": _("Read aloud"),
        "stop_reading": _("Stop reading"),
        "larger_text": _("Larger text"),
        "normal_text": _("Normal text"),
        "high_contrast": _("High contrast"),
        "standard_colours": _("Standard colours"),
        "welcome": _("Touch a topic below."),
        "touch_to_start": _("Touch the screen to start"),
        "still_there": _("Still there?"),
        "restart_in": _("This screen will go back to the start in {seconds} s."),
        "continue": _("Continue"),
        "understood": _("Understood"),
        "more_below": _("More below"),
        "continue_on_phone": _("Continue on your phone"),
        "scan_hint": _("Scan the code with your phone's camera."),
        "enter_pin": _("Enter the PIN"),
        "wrong_pin": _("Wrong PIN"),
        "locked": _("Too many attempts. Try again in {seconds} s."),
        "clear": _("Clear"),
        "ok": _("OK"),
        "cancel": _("Cancel"),
        "administration": _("Administration"),
        "close": _("Close"),
        "device": _("Device"),
        "software": _("Software version"),
        "content": _("Content version"),
        "last_sync": _("Last sync"),
        "network": _("Network"),
        "reserve": _("Election reserve period"),
        "reserve_until": _("{names}, until {date} included"),
        "never": _("never"),
        "unknown": _("unknown"),
        "sync_now": _("Sync now"),
        "test_card": _("Test card"),
        "restart_player": _("Restart player"),
        "requested": _("{action}: requested"),
    }


def pick(ui: dict[str, str], key: str) -> str:
    """``ui[key]`` or ""; kv rules call it so they re-evaluate when ``ui`` changes
    (kv does not watch ``root.ui.get(...)``)."""
    return ui.get(key, "")
