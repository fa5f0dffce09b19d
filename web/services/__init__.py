"""Business services: one module per area. Handlers (API and pages) call these, nothing else
touches the tables. Each takes a SQLAlchemy session and the acting Principal, checks scope through
web.scope, writes the audit entry, and flushes; the caller's unit of work commits."""
