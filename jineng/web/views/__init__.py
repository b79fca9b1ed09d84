"""Server-rendered pages, one module per area. Views are thin: a role check (`guards.page`), reads
through the access helpers and selectors, writes through services."""
