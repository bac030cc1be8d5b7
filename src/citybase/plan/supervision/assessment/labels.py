"""Words and colours of the status lights in exported files, which show a light as a Chinese word on a fill."""

from __future__ import annotations

from citybase.core.i18n_marker import N_
from citybase.plan.supervision.i18n import Message, msg
from citybase.plan.supervision.models import LIGHT_BLUE, LIGHT_GREEN, LIGHT_RED, LIGHT_YELLOW

LIGHT_WORDS: dict[str, Message] = {
    LIGHT_GREEN: msg(N_("Green light")),
    LIGHT_BLUE: msg(N_("Blue light")),
    LIGHT_YELLOW: msg(N_("Yellow light")),
    LIGHT_RED: msg(N_("Red light")),
}

# Fill colours (RGB hex) pale enough for black text to stay readable when printed in grey.
LIGHT_FILLS: dict[str, str] = {
    LIGHT_GREEN: "C6EFCE",
    LIGHT_BLUE: "BDD7EE",
    LIGHT_YELLOW: "FFEB9C",
    LIGHT_RED: "FFC7CE",
}
