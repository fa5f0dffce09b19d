"""Issue 18 point 7: every domain function declares the field types it takes, so a rule that hands
it the wrong kind of field is a build error, not a rule that answers 0 for everyone."""

from __future__ import annotations

from engine.celfuncs import all_functions
from engine.exprtypes import FUNCTIONS


def test_every_domain_function_has_declared_parameters() -> None:
    assert sorted(FUNCTIONS) == sorted(f.name for f in all_functions())
    for f in all_functions():
        declared = f.signature.split("(", 1)[1].split(")", 1)[0]
        assert len(FUNCTIONS[f.name].params) == len([p for p in declared.split(",") if p.strip()]), f.name


def test_the_repository_has_no_rule_that_cannot_fire() -> None:
    from engine.catalogue import check_repo, repo_root, warnings_of

    catalogues, problems = check_repo(repo_root())
    assert problems == [] and [str(w) for w in warnings_of(catalogues)] == []
