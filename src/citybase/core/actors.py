"""How the author of a write is shown: the audit log, import history and task revisions.

The database keeps the actor's stable name (a username, ``cli:<os user>``, ``worker``,
``setup``, ``system``) so that filters and programs can rely on it; pages, the CLI and
the API's ``actor_label`` show it through the catalogue, e.g. 命令行（系统用户 root）.
"""

from __future__ import annotations

from citybase.core.i18n import gettext_
from citybase.core.i18n_marker import N_

CLI_PREFIX = "cli:"

SYSTEM_ACTORS: dict[str, str] = {
    "worker": N_("Scheduled work (worker)"),
    "setup": N_("First set-up page"),
    "system": N_("System"),
    "anonymous": N_("Visitor not logged in"),
}


def actor_label(name: str | None, kind: str | None = None) -> str:
    """Return the actor as a reader should see it, in the current locale."""
    if not name:
        return "—"
    if name.startswith(CLI_PREFIX):
        return gettext_("Command line (system user {user})", user=name[len(CLI_PREFIX):] or "?")
    if name in SYSTEM_ACTORS:
        return gettext_(SYSTEM_ACTORS[name])
    if kind == "anonymous":  # a login attempt records the username typed
        return gettext_("{name} (not logged in)", name=name)
    return name
