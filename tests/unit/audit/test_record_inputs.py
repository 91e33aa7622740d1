"""What record() accepts before it touches the database: action and outcome names, actors, request context."""

from types import SimpleNamespace

import pytest

from audit import ACTIONS, Actor, record, request_context, reset_request_context, set_request_context
from audit.actions import as_actor
from audit.context import current_request_context


class UntouchableSession:
    """A session that fails the test if record() reaches it."""

    def __getattr__(self, name):
        raise AssertionError(f"record() used the session ({name}) for an input it should have refused")


SPEC_ACTIONS = [
    "sign_in",
    "sign_in_failed",
    "sign_out",
    "view",
    "list",
    "search",
    "create",
    "update",
    "delete",
    "export",
    "map_view",
    "referral_transition",
    "break_glass",
    "denied",
    "audit_view",
    "key_operation",
    "retention",
    "import",
]


def test_the_action_names_are_exactly_those_of_the_spec():
    assert sorted(ACTIONS) == sorted(SPEC_ACTIONS)


@pytest.mark.parametrize("action", ["read", "View", "", "sign-in"])
def test_record_rejects_an_unknown_action(action):
    with pytest.raises(ValueError, match="unknown audit action"):
        record(UntouchableSession(), action=action, actor=None)


@pytest.mark.parametrize("outcome", ["ok", "error", "Success", ""])
def test_record_rejects_an_unknown_outcome(outcome):
    with pytest.raises(ValueError, match="unknown audit outcome"):
        record(UntouchableSession(), action="view", actor=None, outcome=outcome)


def test_record_rejects_detail_that_is_not_json_before_writing():
    with pytest.raises(TypeError):
        record(UntouchableSession(), action="search", actor=None, detail={"tokens": {"a", "b"}})


def test_an_actor_can_be_a_user_like_object_with_id_instead_of_user_id():
    user = SimpleNamespace(id="u-1", agency_id="a-1", role="police_officer", username="pc1")
    assert as_actor(user) == Actor("u-1", "a-1", "police_officer")
    assert as_actor(SimpleNamespace(user_id="u-2", id="ignored", agency_id=None, role="admin")) == Actor(
        "u-2", None, "admin"
    )
    assert as_actor(None) is None
    actor = Actor("u-3", "a-3", "youth_worker")
    assert as_actor(actor) is actor


def test_an_object_without_the_actor_attributes_is_refused():
    with pytest.raises(TypeError, match="agency_id"):
        as_actor(SimpleNamespace(id="u-1", role="admin"))


def test_actor_is_immutable():
    with pytest.raises(AttributeError):
        Actor("u", "a", "admin").role = "safeguarding_lead"


def test_request_context_is_set_and_restored():
    assert current_request_context() is None
    token = set_request_context("req-1", "192.0.2.1", "curl/8")
    try:
        assert current_request_context().request_id == "req-1"
        with request_context("req-2") as inner:
            assert inner.client_addr is None
            assert current_request_context().request_id == "req-2"
        assert current_request_context().user_agent == "curl/8"
    finally:
        reset_request_context(token)
    assert current_request_context() is None
