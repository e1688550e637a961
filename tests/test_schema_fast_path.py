"""The compiled validator (jsonschema-rs) is only a fast "valid" answer: whenever it passes a
body, the Python validator that reports findings passes it too, over every bundled schema and
every vendor body, simulator body and one-edit mutation of them we have."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from importlib import resources
from typing import Any

import pytest

from payconform.lanes.base import simulator_session
from payconform.model import schemas
from payconform.model.evidence import corpus_for, corpus_providers
from payconform.model.registry import all_contracts

SCHEMA_FILES = sorted(p.name for p in resources.files("payconform.contracts").joinpath("schemas")
                      .iterdir() if p.name.endswith(".json"))


def _bodies() -> list[Any]:
    out: list[Any] = []
    for provider in corpus_providers():
        corpus = corpus_for(provider)
        assert corpus is not None
        out += [corpus.read(entry) for entry in corpus.bodies]
    for contract in all_contracts().values():
        client = simulator_session(contract).client
        created = client.create()
        out.append(created.json)
        link_id = client.link_id_of(created)
        out += [client.fetch(link_id).json, client.cancel(link_id).json,
                client.cancel(link_id).json, client.fetch("pc_missing_0").json]
    return [b for b in out if b is not None]


def _edits(body: Any) -> Iterator[Any]:
    """The body with one change: each top-level (and first nested) field dropped, nulled,
    or given a value of another type."""
    if not isinstance(body, dict):
        return
    for key, value in body.items():
        for replacement in (None, 12345, "x", [], {}):
            if replacement != value:
                edited = copy.deepcopy(body)
                edited[key] = replacement
                yield edited
        dropped = copy.deepcopy(body)
        del dropped[key]
        yield dropped
        if isinstance(value, dict):
            for inner in _edits(value):
                edited = copy.deepcopy(body)
                edited[key] = inner
                yield edited


BODIES = _bodies()


@pytest.mark.parametrize("schema_file", SCHEMA_FILES)
def test_the_fast_path_never_passes_a_body_the_python_validator_refuses(schema_file: str) -> None:
    """Given every body and edit, fast "valid" implies no finding; both verdicts occur."""
    seen = {True: 0, False: 0}
    for body in BODIES:
        for candidate in (body, *_edits(body)):
            fast = schemas._valid_fast(schema_file, candidate)
            if fast:  # only this direction can hide a finding
                assert not list(schemas.validator(schema_file).iter_errors(candidate)), (
                    schema_file, json.dumps(candidate)[:300])
            seen[fast] += 1
    assert seen[False] > 0 and seen[True] > 0  # both answers are exercised for this schema
