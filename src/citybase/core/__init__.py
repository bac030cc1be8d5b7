"""Shared foundation: settings, database, registry, errors, i18n, auth, units and audit."""
