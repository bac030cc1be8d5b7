"""Users, roles, login sessions, CSRF and API bearer tokens."""
