"""Rules that a check before a write enforces hold when the same request arrives several times at once: each burst
is sent through the app by threads released together, on SQLite and on PostgreSQL."""

import threading
from concurrent.futures import ThreadPoolExecutor

import sqlalchemy as sa

from app.extensions import db
from models.case import CaseMember
from models.context import Relationship
from models.safeguarding_events import MissingEpisode
from models.user import RecoveryCode
from safeguarding import accounts, contexts
from safeguarding.importer import import_document
from tests.fixtures.accounts import PASSWORD, totp_now
from tests.web.helpers import audit_events

TIMES = 6


def at_once(app, send, times: int = TIMES) -> list:
    """send(client) from `times` threads released together, each with its own app context; the results, sorted."""
    start = threading.Barrier(times)

    def one(_):
        with app.app_context():
            client = app.test_client()
            start.wait()
            return send(client)

    with ThreadPoolExecutor(times) as pool:
        return sorted(pool.map(one, range(times)))


def count(model, *where) -> int:
    db.session.expire_all()
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def test_wrong_passwords_sent_at_once_all_count_towards_the_lock_out(app, make_user):
    user = make_user("youth_worker")
    guess = {"username": user.username, "password": "not the password at all", "totp": totp_now(user)}
    assert at_once(app, lambda client: client.post("/api/v1/tokens", json=guess).status_code) == [401] * TIMES
    right = {"username": user.username, "password": PASSWORD, "totp": totp_now(user)}
    assert app.test_client().post("/api/v1/tokens", json=right).status_code == 423


def test_guesses_at_a_name_that_matches_no_account_sent_at_once_all_count_towards_its_lock_out(app):
    guess = {"username": "no.such.worker", "password": "not the password at all", "totp": "123456"}
    statuses = at_once(app, lambda client: client.post("/api/v1/tokens", json=guess).status_code)
    assert set(statuses) <= {401, 423} and statuses.count(401) >= app.config["LOCKOUT_THRESHOLD"], statuses
    assert app.test_client().post("/api/v1/tokens", json=guess).status_code == 423


def test_a_recovery_code_sent_at_once_signs_in_once(app, make_user):
    user = make_user("youth_worker")
    [code, *_] = accounts._new_recovery_codes(db.session, user)
    db.session.commit()
    body = {"username": user.username, "password": PASSWORD, "totp": code}
    statuses = at_once(app, lambda client: client.post("/api/v1/tokens", json=body).status_code)
    assert statuses.count(201) == 1 and 500 not in statuses, statuses
    assert count(RecoveryCode, RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_not(None)) == 1


def test_one_practitioner_added_to_a_team_at_once_joins_it_once(
    app, api, social_worker, record_child, open_case_for, make_user
):
    case = open_case_for(record_child())
    officer, headers = make_user("police_officer"), api(social_worker)
    path, body = f"/api/v1/cases/{case.id}/members", {"user_id": officer.id}  # read here, not in the threads
    statuses = at_once(app, lambda client: client.post(path, json=body, headers=headers).status_code)
    assert statuses == [201] + [409] * (TIMES - 1)
    assert count(CaseMember, CaseMember.case_id == case.id, CaseMember.user_id == officer.id) == 1


def test_a_child_reported_missing_at_once_has_one_episode(app, api, social_worker, record_child):
    child, headers = record_child(), api(social_worker)
    path = f"/api/v1/people/{child.id}/missing-episodes"
    report = {"reported_at": "2026-01-05T21:30:00+00:00"}
    statuses = at_once(app, lambda client: client.post(path, json=report, headers=headers).status_code)
    assert statuses == [201] + [422] * (TIMES - 1)
    assert count(MissingEpisode, MissingEpisode.person_id == child.id) == 1


def test_a_relationship_ended_at_once_is_ended_once(app, api, social_worker, record_child):
    child, friend = record_child(), record_child(given_name="Kai", family_name="Doyle")
    link = {"source": {"type": "person", "id": child.id}, "target": {"type": "person", "id": friend.id}}
    edge = contexts.add_relationship(db.session, social_worker, {**link, "kind": "friend"})
    headers, path = api(social_worker), f"/api/v1/relationships/{edge.id}/end"
    statuses = at_once(app, lambda client: client.post(path, json={}, headers=headers).status_code)
    assert statuses == [200] + [409] * (TIMES - 1)
    assert len([e for e in audit_events("update") if e.object_id == edge.id]) == 1


def test_one_document_imported_twice_at_once_is_written_once(app):
    people = [
        {"ref": f"c{i}", "given_name": f"Child{i}", "family_name": "Okoro", "date_of_birth": "2012-01-01"}
        for i in range(4)
    ]
    earlier = import_document(
        db.session, {"agencies": [{"ref": "ag", "name": "Concurrent CSC", "kind": "social_care"}], "people": people}
    )
    # Ref-less edges: a re-import finds them by their natural key, which only what is written can show.
    edges = [
        {"source": f"c{i}", "target": f"c{i + 1}", "kind": "friend", "agency": "ag", "first_seen": "2025-05-01"}
        for i in range(3)
    ]
    created = at_once(app, lambda _: import_document(db.session, {"relationships": edges}).created["relationships"], 2)
    assert created == [0, 3]
    assert count(Relationship, Relationship.source_person_id.in_(earlier.ids.values())) == 3
