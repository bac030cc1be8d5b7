"""Lazy messages of supervision: the core's ``Message`` and ``msg`` under their old path."""

from __future__ import annotations

from citybase.core.messages import Message, msg

__all__ = ["Message", "msg"]
