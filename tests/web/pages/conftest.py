"""Factories for casework page tests: people, cases and chronology entries, made through the services."""

import itertools

import pytest
from jinja2 import FileSystemBytecodeCache

from app.extensions import db
from safeguarding import case_chronology, cases, contexts, people
from tests.fixtures.ages import child_birth_date


@pytest.fixture(scope="session")
def template_bytecode(tmp_path_factory):
    return FileSystemBytecodeCache(str(tmp_path_factory.mktemp("jinja")))


@pytest.fixture(autouse=True)
def _shared_template_cache(app, template_bytecode):
    """Every test builds a fresh app; sharing compiled templates between them keeps these page tests quick."""
    app.jinja_env.bytecode_cache = template_bytecode


@pytest.fixture
def make_person(app):
    """make_person(recorder, **fields) -> a Person recorded by that practitioner (who may see them for 30 days)."""
    counter = itertools.count(1)

    def make(recorder, **fields):
        n = next(counter)
        data = {"given_name": f"Child{n}", "family_name": "Example", "date_of_birth": child_birth_date(), **fields}
        return people.record_person(db.session, recorder, data)

    return make


@pytest.fixture
def make_case(app):
    """make_case(lead, person, members=(), **fields) -> an open Case about the person, with its team."""

    def make(lead, person, members=(), **fields):
        data = {
            "subject": {"type": "person", "id": person.id},
            "concerns": ["cce"],
            "risk_level": "high",
            "summary": "Seen with older males at the station late at night",
            **fields,
        }
        case = cases.open_case(db.session, lead, data)
        for member in members:
            cases.add_member(db.session, lead, case.id, member.id)
        return case

    return make


@pytest.fixture
def add_entry(app):
    def add(author, case, occurred_on="2026-01-10", category="contact", sensitivity="general", summary="Home visit"):
        data = {"occurred_on": occurred_on, "category": category, "sensitivity": sensitivity, "summary": summary}
        return case_chronology.add_chronology_entry(db.session, author, case.id, data)

    return add


@pytest.fixture
def relate(app):
    def link(recorder, source, target, kind="sibling", target_type="person", **details):
        data = {"source": {"type": "person", "id": source.id}, "target": {"type": target_type, "id": target.id}}
        return contexts.add_relationship(db.session, recorder, {**data, "kind": kind, **details})

    return link
