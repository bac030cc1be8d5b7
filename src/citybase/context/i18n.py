"""Message marking for the context module.

Messages are English msgids; the Chinese text lives in this module's catalogue
(``locale/zh_CN/LC_MESSAGES/messages.po``) and is chosen per request when the
problem details are rendered.
"""

from __future__ import annotations


def _(message: str) -> str:
    """Mark ``message`` for extraction; translation happens when it is rendered."""
    return message
