"""Two-level construction (两级建设, issue 19): province deployments publish their approved files,
units and movements through PostgreSQL logical replication; the national deployment
(``TMIS_TIER=national``) subscribes to every province, finds duplicates across provinces, issues
formal personal identifiers and publishes them back. docs/two-level.md explains the topology."""

from __future__ import annotations


def route_handlers() -> list[object]:
    from web.tier.pages import NationalApi, NationalPages

    return [NationalPages, NationalApi]
