"""Web layer: the app factory, templates, static assets, core pages and error rendering."""
