"""Messages of the editor's logic, translated where they are shown (hub.web's gettext).

:func:`N_` marks a message for extraction (scripts/hub_catalogues.py); a :class:`Message`
carries a message id and its ``%(name)s`` values to the page that translates it.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


def N_(message: str) -> str:
    return message


@dataclass(frozen=True)
class Message:
    text: str  # an English message id, marked with N_
    params: dict[str, Any] = field(default_factory=dict)

    def english(self) -> str:
        return self.text % self.params if self.params else self.text
