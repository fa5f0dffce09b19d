"""JSON API under /api/v1 (OpenAPI at /schema). Thin handlers over web.services."""
