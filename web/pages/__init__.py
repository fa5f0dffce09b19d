"""Server-rendered pages (Jinja2). The forms and review issues add their pages beside these."""
