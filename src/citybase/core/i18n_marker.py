"""The ``N_`` marker, importable without loading the catalogues (no circular imports)."""


def N_(msgid: str) -> str:  # noqa: N802 - the gettext convention
    """Mark ``msgid`` for extraction without translating it; it is translated where shown."""
    return msgid
