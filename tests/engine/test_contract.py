"""Contract tests over the repository's own YAML: everything compiles and every emitter's output
is valid for every province, set and school-type family."""

from __future__ import annotations

from pathlib import Path

import jsonschema
import pytest

from engine.catalogue import build_catalogues, check_repo, repo_root
from engine.load import load_repo

ROOT = repo_root()


@pytest.fixture(scope="module")
def catalogues():
    return build_catalogues(ROOT)


def test_every_definition_compiles() -> None:
    _, problems = check_repo(ROOT)
    assert [str(p) for p in problems] == []


def test_no_yaml_file_is_ignored() -> None:
    sources = load_repo(ROOT)
    layers = [sources.national, *sources.modules.values(), *sources.provinces.values()]
    loaded = {f for layer in layers for f in layer.files}
    from engine.definitions import files

    loaded |= files(ROOT)  # workflows, credits, registration, statistics … (engine/definitions.py)
    on_disk = {str(p.relative_to(ROOT)) for top in ("schemas", "rules", "provinces", "modules")
               for p in (ROOT / top).rglob("*.yaml") if "tests" not in p.parts}
    assert on_disk - loaded == set()


def test_both_provinces_and_all_national_sets_exist(catalogues) -> None:
    assert {"national", "36", "62"} <= set(catalogues)
    national = ["basic", "education", "work", "post", "title", "salary", "assessment", "qualification",
                "ethics", "teaching", "research", "talent", "training", "overseas", "skills", "rotation",
                "contact"]
    for code in ("national", "36", "62"):
        assert list(catalogues[code].sets)[:17] == national


def test_json_schemas_are_valid_draft_2020_12(catalogues) -> None:
    for code, cat in catalogues.items():
        for family in cat.families:
            for key in cat.set_keys(family):
                schema = cat.json_schema(key, family)
                jsonschema.Draft202012Validator.check_schema(schema)


def test_schema_and_pydantic_model_agree_on_defaults(catalogues) -> None:
    """A record made of each set's defaults passes the JSON Schema and the pydantic model alike
    once the always-required fields are filled with valid values."""
    cat = catalogues["36"]
    for family in cat.families:
        for key in cat.set_keys(family):
            schema = cat.json_schema(key, family)
            model = cat.pydantic_model(key, family)
            validator = jsonschema.Draft202012Validator(schema)
            record = {}
            for name in schema["required"]:
                prop = schema["properties"][name]
                record[name] = _example(prop)
            assert list(validator.iter_errors(record)) == [], (key, family)
            model.model_validate(record)
            bad = dict(record, **{"no_such_field": 1})
            assert list(validator.iter_errors(bad))
            with pytest.raises(Exception):
                model.model_validate(bad)


def _example(prop: dict) -> object:
    if "enum" in prop:
        return next(v for v in prop["enum"] if v is not None)
    kind = prop.get("type")
    kind = kind[0] if isinstance(kind, list) else kind
    pattern = prop.get("pattern", "")
    if kind == "string":
        if "d{2}-\\d{2}" in pattern:
            return "2020-01-02"
        if "0[1-9]|1[0-2]" in pattern:
            return "2020-01"
        return "x" * max(1, prop.get("minLength", 1)) if not pattern else _from_pattern(pattern)
    if kind == "integer":
        return max(prop.get("minimum", 1), min(2020, prop.get("maximum", 2020)))
    if kind == "number":
        return prop.get("minimum", 0)
    if kind == "boolean":
        return False
    if kind == "array":
        return [prop["items"]["enum"][0]] if "enum" in prop.get("items", {}) else []
    return None


def _from_pattern(pattern: str) -> str:
    raise AssertionError(f"teach _example() a value for the pattern {pattern}")
