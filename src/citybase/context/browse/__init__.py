"""Pages to browse the context broker's entity types and entities, with a map drawn as inline SVG."""
