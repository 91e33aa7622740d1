"""/referrals through the API (SPEC sections 3 and 10): the contract's shape, every transition per role and
agency, timescales, the referral rule of the access policy, escalation alerts and bad input."""

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
import time_machine
from sqlalchemy import func, select

from app.extensions import db
from models.referral import Referral
from safeguarding.validation import uk_today
from tests.web.helpers import audit_events

LONDON = ZoneInfo("Europe/London")
CONTRACT_FIELDS = {
    "id",
    "person_id",
    "subject",
    "from_agency",
    "to_agency",
    "urgency",
    "status",
    "reason",
    "lawful_basis",
    "lawful_basis_reason",
    "sent_at",
    "acknowledged_at",
    "decided_at",
    "acknowledge_by",
    "decide_by",
    "overdue",
    "breached",
    "repeat_referral",
    "case_id",
    "decline_reason",
    "version",
    "history",
}


@pytest.fixture
def sender(make_user):
    return make_user("social_worker")


@pytest.fixture
def receiver(make_user):
    return make_user("police_officer")


@pytest.fixture
def child(sender, make_person):
    return make_person(sender, given_name="Jayden", family_name="Clarke")


@pytest.fixture
def send(as_user, sender, receiver, child):
    """send(**fields) -> the referral's JSON; by default an amber one from the social worker to the police."""

    def post(by=None, **fields):
        body = {
            "person_id": child["id"],
            "to_agency_id": receiver.agency_id,
            "urgency": "amber",
            "reason": "Seen with older males near the station",
            **fields,
        }
        response = as_user(by or sender).post("/referrals", json=body)
        assert response.status_code == 201, response.get_json()
        return response.get_json()

    return post


def step(as_user, user, referral, action, **body):
    return as_user(user).post(f"/referrals/{referral['id']}/{action}", json=body)


def reason_if_taken(action: str, reason: str) -> dict:
    """Declining takes a reason and withdrawing may; acknowledging and accepting take none (one sent is refused)."""
    return {"reason": reason} if action in ("decline", "withdraw") else {}


def referral_count() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(Referral))


def test_a_sent_referral_shows_every_field_of_the_contract(send, sender, receiver, child):
    body = send()
    assert set(body) >= CONTRACT_FIELDS
    assert body["person_id"] == child["id"] and body["status"] == "submitted" and body["urgency"] == "amber"
    assert body["subject"] == {"type": "person", "id": child["id"]}
    assert body["from_agency"] == {"id": sender.agency_id, "name": sender.agency.name}
    assert body["to_agency"] == {"id": receiver.agency_id, "name": receiver.agency.name, "external": False}
    assert body["reason"] == "Seen with older males near the station"
    assert body["lawful_basis"] == "not_recorded" and body["lawful_basis_warning"]
    assert body["breached"] == {"acknowledge": False, "decide": False} and body["overdue"] is False
    for key in ("sent_at", "acknowledge_by", "decide_by"):
        assert datetime.fromisoformat(body[key]).utcoffset() is not None, key
    assert body["acknowledged_at"] is None and body["decided_at"] is None and body["case_id"] is None
    assert body["repeat_referral"] is False and body["withheld"] is False
    [sent] = body["history"]
    assert sent["from"] is None and sent["to"] == "submitted" and sent["actor"]["id"] == sender.id
    assert set(sent) == {"from", "to", "at", "actor", "note"}


def test_a_recorded_lawful_basis_has_no_warning(send):
    body = send(lawful_basis="consent_overridden", lawful_basis_reason="Risk of serious harm tonight")
    assert body["lawful_basis"] == "consent_overridden" and "lawful_basis_warning" not in body
    assert body["lawful_basis_reason"] == "Risk of serious harm tonight"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"urgency": "purple"}, "$.urgency"),
        ({"urgency": None}, "$.urgency"),
        ({"reason": ""}, "$.reason"),
        ({"reason": 42}, "$.reason"),
        ({"reason": "x" * 10_001}, "$.reason"),
        ({"lawful_basis": "vibes"}, "$.lawful_basis"),
        ({"lawful_basis": "no_consent_sought"}, "$.lawful_basis_reason"),
        ({"to_agency_id": "not-an-agency"}, "$.to_agency_id"),
        ({"to_agency_id": None}, "$.to_agency_id"),
        ({"person_id": None}, "$.person_id"),
        ({"person_id": ["a list"]}, "$.person_id"),
        ({"subject": "a place"}, "$.subject"),
        ({"reason": "nul\x00byte"}, "$.reason"),
    ],
)
def test_bad_referrals_get_422_with_the_field_and_nothing_is_written(as_user, sender, receiver, child, changes, field):
    body = {"person_id": child["id"], "to_agency_id": receiver.agency_id, "urgency": "red", "reason": "Worried"}
    response = as_user(sender).post("/referrals", json={**body, **changes})
    assert response.status_code == 422, response.get_json()
    assert field in response.get_json()["fields"]
    assert referral_count() == 0


def test_every_problem_is_reported_at_once(as_user, sender):
    response = as_user(sender).post("/referrals", json={"to_agency_id": sender.agency_id})
    assert response.status_code == 422
    assert {"$.person_id", "$.to_agency_id", "$.urgency", "$.reason"} <= set(response.get_json()["fields"])


def test_an_unreadable_body_gets_400_and_an_unknown_person_404(as_user, sender, receiver):
    assert as_user(sender).raw("POST", "/referrals", b"{not json").status_code == 400
    body = {"person_id": "6f1c1c3e-0000-4000-8000-000000000000", "to_agency_id": receiver.agency_id}
    response = as_user(sender).post("/referrals", json={**body, "urgency": "red", "reason": "Worried"})
    assert response.status_code == 404
    assert referral_count() == 0


def test_a_practitioner_who_may_not_see_the_person_cannot_refer_them(as_user, make_user, receiver, child):
    stranger = make_user("health_practitioner")
    body = {"person_id": child["id"], "to_agency_id": receiver.agency_id, "urgency": "red", "reason": "Worried"}
    assert as_user(stranger).post("/referrals", json=body).status_code == 403
    assert referral_count() == 0


def test_inbox_and_outbox_list_the_agencys_referrals(as_user, send, sender, receiver, make_user):
    sent = send()
    colleague = make_user("police_officer", agency=receiver.agency)
    [received] = as_user(colleague).get("/referrals", box="inbox").get_json()["results"]
    assert received["id"] == sent["id"] and received["status"] == "submitted"
    assert as_user(colleague).get("/referrals", box="outbox").get_json()["results"] == []
    [outgoing] = as_user(sender).get("/referrals", box="outbox").get_json()["results"]
    assert set(outgoing) >= CONTRACT_FIELDS


def test_a_box_is_read_a_page_at_a_time_newest_first_without_gaps_or_repeats(
    as_user, send, sender, receiver, make_person
):
    children = [make_person(sender, given_name="Child", family_name=f"Number{i}") for i in range(5)]
    sent = []
    # Two referrals share each sent time, so the page boundary must also order by id.
    for i, child in enumerate(children):
        with time_machine.travel(datetime(2026, 3, 2, 9, i, tzinfo=UTC), tick=False):
            sent += [send(person_id=child["id"])["id"], send(person_id=child["id"], urgency="red")["id"]]
    everything = as_user(receiver).get("/referrals", box="inbox").get_json()
    assert everything["next_after"] is None and everything["total"] == 10
    newest_first = [r["id"] for r in everything["results"]]
    assert set(newest_first) == set(sent)
    pages, after = [], None
    while True:
        params = {"box": "inbox", "limit": 3, **({"after": after} if after else {})}
        page = as_user(receiver).get("/referrals", **params).get_json()
        pages.append([r["id"] for r in page["results"]])
        assert page["total"] == 10
        after = page["next_after"]
        if after is None:
            break
        assert after == pages[-1][-1]
    assert [len(p) for p in pages] == [3, 3, 3, 1]
    assert [i for p in pages for i in p] == newest_first
    # The listing is audited with the people of the page it returned, not of the whole box.
    last_list = [e for e in audit_events("list") if e.object_type == "referral"][-1]
    first_of_box = next(r for r in everything["results"] if r["id"] == pages[-1][0])
    assert last_list.person_id_list == [first_of_box["person_id"]]


def test_a_box_can_keep_open_or_closed_referrals_or_one_state(as_user, send, receiver):
    waiting, acknowledged, declined = send(), send(), send()
    assert step(as_user, receiver, acknowledged, "acknowledge").status_code == 200
    assert step(as_user, receiver, declined, "decline", reason="Not for the police").status_code == 200

    def listed(status):
        page = as_user(receiver).get("/referrals", box="inbox", status=status).get_json()
        assert page["total"] == len(page["results"])
        return {r["id"] for r in page["results"]}

    assert listed("open") == {waiting["id"], acknowledged["id"]}
    assert listed("closed") == {declined["id"]}
    assert listed("acknowledged") == {acknowledged["id"]}
    assert listed("withdrawn") == set()


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"limit": "0"}, "limit"),
        ({"limit": "201"}, "limit"),
        ({"limit": "ten"}, "limit"),
        ({"limit": "-1"}, "limit"),
        ({"status": "pending"}, "status"),
        ({"status": "OPEN"}, "status"),
        ({"after": "not-an-id"}, "after"),
        ({"after": "6f1c1c3e-0000-4000-8000-000000000000"}, "after"),
    ],
)
def test_bad_paging_or_status_gets_422_naming_the_parameter(as_user, send, receiver, params, field):
    send()
    response = as_user(receiver).get("/referrals", box="inbox", **params)
    assert response.status_code == 422 and field in response.get_json()["fields"]


def test_a_page_cannot_start_after_a_referral_of_another_box(as_user, send, sender, receiver):
    referral = send()
    # The sender's agency did not receive it: it is no boundary in their inbox, and says nothing about it.
    response = as_user(sender).get("/referrals", box="inbox", after=referral["id"])
    assert response.status_code == 422 and "after" in response.get_json()["fields"]
    assert as_user(sender).get("/referrals", box="outbox", after=referral["id"]).get_json()["results"] == []
    assert as_user(receiver).get("/referrals", box="outbox", after=referral["id"]).status_code == 422


@pytest.mark.parametrize("box", [None, "", "spam", "INBOX"])
def test_a_missing_or_unknown_box_gets_422(as_user, sender, box):
    params = {} if box is None else {"box": box}
    response = as_user(sender).get("/referrals", **params)
    assert response.status_code == 422 and "box" in response.get_json()["fields"]


def test_a_field_a_step_does_not_take_gets_422_and_the_referral_stays_as_it_was(as_user, send, receiver):
    """Acknowledging and accepting take no reason: one sent was dropped, as if it had been recorded."""
    referral = send()
    for action in ("acknowledge", "accept"):
        response = step(as_user, receiver, referral, action, reason="Known to the exploitation team")
        assert response.status_code == 422 and list(response.get_json()["fields"]) == ["$.reason"], action
    refused = step(as_user, receiver, referral, "decline", reason="Below threshold", reasons="Duplicate")
    assert refused.status_code == 422 and list(refused.get_json()["fields"]) == ["$.reasons"]
    read = as_user(receiver).get(f"/referrals/{referral['id']}").get_json()
    assert (read["status"], read["history"][-1]["to"], read["version"]) == (
        "submitted",
        "submitted",
        referral["version"],
    )


def test_a_box_given_twice_gets_422_instead_of_the_first(as_user, sender, send):
    send()
    response = as_user(sender).get("/referrals", box=["outbox", "inbox"])
    assert response.status_code == 422
    assert response.get_json()["fields"] == {"box": "Give box once: it was given more than once"}


@pytest.mark.parametrize("role", ["safeguarding_lead", "admin"])
def test_leads_and_admins_have_no_referral_boxes(as_user, make_user, role):
    assert as_user(make_user(role)).get("/referrals", box="inbox").status_code == 403


def test_only_the_two_agencies_read_a_referral_and_a_refusal_is_audited(as_user, send, make_user):
    referral = send()
    outsider = make_user("youth_worker")
    response = as_user(outsider).get(f"/referrals/{referral['id']}")
    assert response.status_code == 403 and "station" not in response.get_data(as_text=True)
    [denied] = [e for e in audit_events("denied") if e.object_type == "referral"]
    assert denied.actor_user_id == outsider.id and denied.object_id == referral["id"]
    assert as_user(outsider).get("/referrals/not-an-id").status_code == 404
    assert as_user(outsider).get("/referrals/6f1c1c3e-0000-4000-8000-000000000000").status_code == 404


@pytest.mark.parametrize("action", ["acknowledge", "accept", "decline"])
def test_only_the_receiving_agency_acknowledges_accepts_or_declines(as_user, send, sender, receiver, make_user, action):
    referral = send()
    outsiders = [sender, make_user("youth_worker"), make_user("safeguarding_lead"), make_user("admin")]
    for outsider in outsiders:
        response = step(as_user, outsider, referral, action, **reason_if_taken(action, "Not ours"))
        assert response.status_code == 403, outsider.role
    assert len(audit_events("denied")) == len(outsiders)
    assert as_user(sender).get(f"/referrals/{referral['id']}").get_json()["status"] == "submitted"
    colleague = make_user("police_officer", agency=receiver.agency)  # any practitioner of the receiving agency
    response = step(as_user, colleague, referral, action, **reason_if_taken(action, "Below threshold"))
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["status"] == {"acknowledge": "acknowledged", "accept": "accepted"}.get(
        action, "declined"
    )


def test_only_the_sender_withdraws_before_a_decision(as_user, send, sender, receiver, make_user):
    referral = send()
    colleague = make_user("social_worker", agency=sender.agency)
    for refused in (receiver, colleague, make_user("youth_worker"), make_user("safeguarding_lead"), make_user("admin")):
        assert step(as_user, refused, referral, "withdraw").status_code == 403, refused.role
    assert step(as_user, receiver, referral, "acknowledge").status_code == 200
    withdrawn = step(as_user, sender, referral, "withdraw", reason="Family moved out of area")
    assert withdrawn.status_code == 200
    body = withdrawn.get_json()
    assert body["status"] == "withdrawn" and body["history"][-1]["note"] == "Family moved out of area"


def test_the_senders_team_manager_may_withdraw_for_them(as_user, send, sender, make_user):
    referral = send()
    manager = make_user("team_manager", agency=sender.agency)
    assert step(as_user, manager, referral, "withdraw").get_json()["status"] == "withdrawn"


def test_decline_needs_a_reason_and_a_refused_decline_changes_nothing(as_user, send, receiver):
    referral = send()
    for body in ({}, {"reason": ""}, {"reason": "   "}):
        response = step(as_user, receiver, referral, "decline", **body)
        assert response.status_code == 422 and "$.reason" in response.get_json()["fields"]
    unchanged = as_user(receiver).get(f"/referrals/{referral['id']}").get_json()
    assert unchanged["status"] == "submitted" and unchanged["acknowledged_at"] is None
    declined = step(as_user, receiver, referral, "decline", reason="Below threshold: signposted to Early Help")
    body = declined.get_json()
    assert body["status"] == "declined" and body["decline_reason"] == "Below threshold: signposted to Early Help"
    assert body["decided_at"] and body["acknowledged_at"]  # a decision also acknowledges
    assert [(h["from"], h["to"]) for h in body["history"]] == [(None, "submitted"), ("submitted", "declined")]


def test_a_view_of_a_referral_without_a_case_assignment_is_flagged_for_review(
    as_user, send, sender, receiver, child, make_case
):
    """SPEC 5: the receiving officer sees the child by the referral rule alone; the sender, once on a case, does not."""
    referral = send()
    make_case(sender, child["id"])

    def flagged_view(user) -> bool:
        assert as_user(user).get(f"/referrals/{referral['id']}").status_code == 200
        [event] = [e for e in audit_events("view") if e.object_type == "referral" and e.actor_user_id == user.id]
        return event.flagged

    assert flagged_view(receiver) is True
    assert flagged_view(sender) is False


def test_reasons_that_fail_their_integrity_check_read_as_null_not_an_error(as_user, send, sender, receiver):
    """Each reason is encrypted for its own row and column: one copied from elsewhere does not decrypt."""
    first, second = send(lawful_basis="consent_overridden", lawful_basis_reason="Mother would warn him"), send()
    step(as_user, receiver, first, "decline", reason="Already known to the exploitation team")
    step(as_user, receiver, second, "decline", reason="Below threshold")
    stored = db.session.get(Referral, first["id"])
    moved = {"decline_reason": stored.lawful_basis_reason_enc, "lawful_basis_reason": stored.decline_reason_enc}
    db.session.execute(sa.update(Referral.__table__).where(Referral.id == second["id"]).values(**moved))
    db.session.commit()
    body = as_user(receiver).get(f"/referrals/{second['id']}").get_json()
    assert (body["decline_reason"], body["lawful_basis_reason"]) == (None, None)
    readable = as_user(receiver).get(f"/referrals/{first['id']}").get_json()
    assert readable["history"][-1]["note"] == readable["decline_reason"] == "Already known to the exploitation team"


@pytest.mark.parametrize("final", ["accept", "decline", "withdraw"])
def test_nothing_happens_after_a_final_state(as_user, send, sender, receiver, final):
    referral = send()
    by = sender if final == "withdraw" else receiver
    assert step(as_user, by, referral, final, **reason_if_taken(final, "Done")).status_code == 200
    for action in ("acknowledge", "accept", "decline"):
        response = step(as_user, receiver, referral, action, **reason_if_taken(action, "Again"))
        assert response.status_code == 409 and response.get_json()["error"], action
    assert step(as_user, sender, referral, "withdraw").status_code == 409


def test_a_step_that_loses_a_race_with_another_on_the_same_referral_is_a_conflict(as_user, send, receiver, monkeypatch):
    from safeguarding import referrals

    referral = send()
    apply = referrals._apply

    def someone_else_first(session, actor, moved, *args):
        # Another practitioner's step commits between this request's read and its write.
        session.execute(sa.text("UPDATE referrals SET version = version + 1 WHERE id = :id"), {"id": moved.id})
        return apply(session, actor, moved, *args)

    monkeypatch.setattr(referrals, "_apply", someone_else_first)
    response = step(as_user, receiver, referral, "acknowledge")
    assert response.status_code == 409 and "someone else" in response.get_json()["error"].lower()
    assert not [e for e in audit_events("referral_transition") if e.object_id == referral["id"]]


def test_a_referral_is_acknowledged_only_once_then_declined(as_user, send, receiver):
    referral = send()
    assert step(as_user, receiver, referral, "acknowledge").status_code == 200
    again = step(as_user, receiver, referral, "acknowledge")
    assert again.status_code == 409 and "acknowledged" in again.get_json()["error"]
    declined = step(as_user, receiver, referral, "decline", reason="Already known to the exploitation team")
    assert declined.status_code == 200
    steps = [(h["from"], h["to"]) for h in declined.get_json()["history"]]
    assert steps == [(None, "submitted"), ("submitted", "acknowledged"), ("acknowledged", "declined")]


@pytest.mark.parametrize("action", ["acknowledge", "accept", "decline"])
def test_a_step_may_name_the_version_seen_and_is_refused_when_the_referral_has_moved_on(
    as_user, send, receiver, action
):
    referral = send()
    seen = referral["version"]
    with_reason = reason_if_taken(action, "Not for us")
    assert step(as_user, receiver, referral, "acknowledge", version=seen).status_code == 200
    stale = step(as_user, receiver, referral, action, version=seen, **with_reason)
    assert stale.status_code == 409 and "changed by someone else" in stale.get_json()["error"]
    if action != "acknowledge":
        current = as_user(receiver).get(f"/referrals/{referral['id']}").get_json()
        assert current["status"] == "acknowledged"
        moved = step(as_user, receiver, referral, action, version=current["version"], **with_reason)
        assert moved.status_code == 200


def test_a_step_with_a_version_that_is_no_whole_number_is_422(as_user, send, receiver):
    refused = step(as_user, receiver, send(), "acknowledge", version="one")
    assert refused.status_code == 422 and "$.version" in refused.get_json()["fields"]


def test_accepting_opens_a_case_with_the_accepting_user_as_lead_and_the_referrer_on_the_team(
    as_user, send, sender, receiver
):
    referral = send()
    step(as_user, receiver, referral, "acknowledge")
    accepted = step(as_user, receiver, referral, "accept")
    assert accepted.status_code == 200
    body = accepted.get_json()
    assert body["status"] == "accepted" and body["case_id"]
    case = as_user(receiver).get(f"/cases/{body['case_id']}").get_json()
    assert case["lead_worker"]["id"] == receiver.id and case["lead_agency"]["id"] == receiver.agency_id
    assert {m["user_id"] for m in case["members"]} == {receiver.id, sender.id}
    assert as_user(sender).get(f"/cases/{body['case_id']}").get_json()["your_role"] == "team"


def test_accepting_may_name_the_new_case_s_concerns_and_without_them_the_case_has_none_yet(as_user, send, receiver):
    named = step(as_user, receiver, send(), "accept", concerns=["county_lines", "missing"])
    assert named.status_code == 200
    case = as_user(receiver).get(f"/cases/{named.get_json()['case_id']}").get_json()
    assert case["concerns"] == ["county_lines", "missing"]
    unnamed = step(as_user, receiver, send(), "accept")
    assert as_user(receiver).get(f"/cases/{unnamed.get_json()['case_id']}").get_json()["concerns"] == []


@pytest.mark.parametrize("concerns", [[], ["grooming"], "cce", [7]])
def test_concerns_that_are_not_a_list_of_known_ones_are_422_and_nothing_moves(as_user, send, receiver, concerns):
    referral = send()
    refused = step(as_user, receiver, referral, "accept", concerns=concerns)
    assert refused.status_code == 422 and any(path.startswith("$.concerns") for path in refused.get_json()["fields"])
    assert as_user(receiver).get(f"/referrals/{referral['id']}").get_json()["status"] == "submitted"


def test_concerns_with_a_case_to_link_are_422(as_user, send, receiver, child, make_case):
    referral = send()
    existing = make_case(receiver, child["id"])
    refused = step(as_user, receiver, referral, "accept", case_id=existing["id"], concerns=["cse"])
    assert refused.status_code == 422 and "Concerns go with a new case" in refused.get_json()["fields"]["$.concerns"]
    assert as_user(receiver).get(f"/referrals/{referral['id']}").get_json()["status"] == "submitted"


def test_accepting_can_link_an_existing_open_case_about_the_same_person(
    as_user, send, receiver, child, make_case, make_person
):
    referral = send()
    existing = make_case(receiver, child["id"])  # the referral rule lets the police see the child
    other = make_case(receiver, make_person(receiver, given_name="Other")["id"])
    wrong = step(as_user, receiver, referral, "accept", case_id=other["id"])
    assert wrong.status_code == 422 and "$.case_id" in wrong.get_json()["fields"]
    malformed = step(as_user, receiver, referral, "accept", case_id=17)
    assert malformed.status_code == 422 and "$.case_id" in malformed.get_json()["fields"]
    linked = step(as_user, receiver, referral, "accept", case_id=existing["id"])
    assert linked.status_code == 200 and linked.get_json()["case_id"] == existing["id"]


def test_accepting_links_only_a_case_the_accepting_agency_leads_or_the_accepter_is_on(
    as_user, send, sender, receiver, child, make_case, make_user
):
    referral = send()
    theirs = make_case(sender, child["id"])  # social care's case: the police officer is not on its team
    refused = step(as_user, receiver, referral, "accept", case_id=theirs["id"])
    assert refused.status_code == 422 and "ask its lead worker" in refused.get_json()["fields"]["$.case_id"]
    assert as_user(receiver).get(f"/referrals/{referral['id']}").get_json()["status"] == "submitted"
    assert receiver.id not in {
        m["user_id"] for m in as_user(sender).get(f"/cases/{theirs['id']}").get_json()["members"]
    }
    assert as_user(sender).post(f"/cases/{theirs['id']}/members", json={"user_id": receiver.id}).status_code == 201
    linked = step(as_user, receiver, referral, "accept", case_id=theirs["id"])
    assert linked.status_code == 200 and linked.get_json()["case_id"] == theirs["id"]


def test_an_external_recipient_has_no_due_times_and_never_breaches(as_user, send, sender, make_agency):
    outside = make_agency(name="Eastmoor Constabulary", kind="police", external=True)
    referral = send(to_agency_id=outside.id, urgency="red")
    assert referral["to_agency"]["external"] is True
    assert referral["acknowledge_by"] is None and referral["decide_by"] is None
    with time_machine.travel(datetime.now(UTC) + timedelta(days=20), tick=False):
        [later] = as_user(sender).get("/referrals", box="outbox").get_json()["results"]
    assert later["breached"] == {"acknowledge": False, "decide": False} and later["overdue"] is False


def test_the_sender_records_an_outside_recipients_answer_so_that_the_referral_ends(
    as_user, send, sender, make_user, make_agency
):
    """Nobody works in a body outside the partnership: its sender (or their team manager) records its answer,
    which opens no case here; other practitioners of the sending agency may not."""
    outside = make_agency(name="National Crime Agency", kind="police", external=True)
    colleague = make_user("social_worker", agency=sender.agency)
    referral = send(to_agency_id=outside.id)
    assert step(as_user, colleague, referral, "acknowledge").status_code == 403
    assert step(as_user, sender, referral, "acknowledge").status_code == 200
    refused = step(as_user, sender, referral, "accept", concerns=["cce"])
    assert refused.status_code == 422 and "opens or links no case" in refused.get_json()["fields"]["$.concerns"]
    accepted = step(as_user, sender, referral, "accept")
    assert accepted.status_code == 200
    body = accepted.get_json()
    assert body["status"] == "accepted" and body["case_id"] is None and body["decided_at"]
    declined = send(to_agency_id=outside.id)
    answer = step(as_user, sender, declined, "decline", reason="Below the NRM threshold")
    assert answer.status_code == 200 and answer.get_json()["status"] == "declined"


def test_a_referral_received_from_outside_is_recorded_in_the_receivers_inbox_with_its_timescales(
    as_user, make_agency, receiver, make_person
):
    """SPEC 3: an agency outside the borough can be recorded as a sender. The receiving agency records what it got;
    its own timescales run from the recording, and nobody in the partnership is its sender."""
    outside = make_agency(name="Eastmoor Constabulary", kind="police", external=True)
    child = make_person(receiver, given_name="Noah")
    body = {
        "person_id": child["id"],
        "from_agency_id": outside.id,
        "to_agency_id": receiver.agency_id,
        "urgency": "red",
        "reason": "Stopped with two older males on the county line",
    }
    response = as_user(receiver).post("/referrals", json=body)
    assert response.status_code == 201, response.get_json()
    referral = response.get_json()
    assert referral["from_agency"]["id"] == outside.id and referral["sender"] is None
    assert referral["to_agency"]["id"] == receiver.agency_id and referral["acknowledge_by"] is not None
    assert referral["history"][0]["actor"]["id"] == receiver.id
    [listed] = as_user(receiver).get("/referrals", box="inbox").get_json()["results"]
    assert listed["id"] == referral["id"]
    created = [e for e in audit_events("create") if e.object_id == referral["id"]]
    assert [e.detail_dict["from_agency"] for e in created] == [outside.id]


def test_a_referral_received_from_outside_is_dated_when_it_arrived_and_its_timescales_run_from_then(
    as_user, make_agency, receiver, make_person
):
    outside = make_agency(name="Eastmoor Constabulary", kind="police", external=True)
    child = make_person(receiver, given_name="Noah")
    arrived = datetime.now(UTC) - timedelta(hours=3)
    body = {
        "person_id": child["id"],
        "from_agency_id": outside.id,
        "to_agency_id": receiver.agency_id,
        "urgency": "red",  # acknowledge within an hour, day or night
        "reason": "Stopped with two older males on the county line",
        "received_at": arrived.isoformat(),
    }
    referral = as_user(receiver).post("/referrals", json=body).get_json()
    assert datetime.fromisoformat(referral["sent_at"]) == arrived
    assert datetime.fromisoformat(referral["acknowledge_by"]) == arrived + timedelta(hours=1)
    assert referral["breached"]["acknowledge"] is True and referral["overdue"] is True


@pytest.mark.parametrize(
    ("received_at", "outside", "message"),
    [
        ("tomorrow", True, "cannot be in the future"),  # made in the test: workers must collect the same ids
        ("yesterday", True, "real date and time"),
        ("2026-11-01T10:00:00", True, "time zone offset"),
        ("2026-11-01T10:00:00+00:00", False, "Only a referral received from outside is dated"),
    ],
)
def test_a_received_at_in_the_future_unreadable_or_on_a_referral_sent_from_here_is_422(
    as_user, make_agency, receiver, sender, make_person, received_at, outside, message
):
    agency = make_agency(name="Eastmoor Constabulary", kind="police", external=True)
    child = make_person(receiver, given_name="Noah")
    if received_at == "tomorrow":
        received_at = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    body = {"person_id": child["id"], "urgency": "amber", "reason": "Seen far from home", "received_at": received_at}
    body |= {"from_agency_id": agency.id, "to_agency_id": receiver.agency_id} if outside else {}
    body |= {} if outside else {"to_agency_id": sender.agency_id}
    refused = as_user(receiver).post("/referrals", json=body)
    assert refused.status_code == 422 and message in refused.get_json()["fields"]["$.received_at"]
    for box in ("inbox", "outbox"):
        assert as_user(receiver).get("/referrals", box=box).get_json()["results"] == []


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"from_agency_id": "partner"}, "$.from_agency_id"),  # a partner agency sends its own
        ({"from_agency_id": "3e1f8c52-6a7b-4c9d-8e0f-1a2b3c4d5e6f"}, "$.from_agency_id"),
        ({"from_agency_id": 7}, "$.from_agency_id"),
        ({"to_agency_id": "other"}, "$.to_agency_id"),  # received by another agency: theirs to record
    ],
)
def test_a_received_referral_names_an_outside_sender_and_the_recorders_own_agency(
    as_user, make_agency, make_user, receiver, make_person, change, field
):
    outside = make_agency(name="National Crime Agency", kind="police", external=True)
    partner, other = make_user("youth_worker"), make_user("education_practitioner")
    child = make_person(receiver, given_name="Noah")
    ids = {"partner": partner.agency_id, "other": other.agency_id}
    body = {
        "person_id": child["id"],
        "from_agency_id": outside.id,
        "to_agency_id": receiver.agency_id,
        "urgency": "amber",
        "reason": "Concern",
    }
    body |= {key: ids.get(value, value) for key, value in change.items()}
    response = as_user(receiver).post("/referrals", json=body)
    assert response.status_code == 422 and field in response.get_json()["fields"]
    assert db.session.scalar(select(func.count()).select_from(Referral)) == 0


def next_friday_at(hour: int, minute: int) -> datetime:
    today = uk_today()
    friday = today + timedelta(days=(4 - today.weekday()) % 7 or 7)
    return datetime.combine(friday, time(hour, minute), tzinfo=LONDON)


def test_a_red_referral_sent_at_1630_on_a_friday_runs_on_the_clock(as_user, make_user, make_person):
    sent_at = next_friday_at(16, 30)
    with time_machine.travel(sent_at, tick=False) as traveller:
        sender, receiver = make_user("social_worker"), make_user("police_officer")
        person = make_person(sender)
        body = {"person_id": person["id"], "to_agency_id": receiver.agency_id, "urgency": "red", "reason": "Missing"}
        referral = as_user(sender).post("/referrals", json=body).get_json()
        assert datetime.fromisoformat(referral["sent_at"]) == sent_at
        assert datetime.fromisoformat(referral["acknowledge_by"]) == sent_at.replace(hour=17, minute=30)
        assert datetime.fromisoformat(referral["decide_by"]) == sent_at.replace(hour=20, minute=30)
        assert referral["breached"] == {"acknowledge": False, "decide": False}
        traveller.move_to(sent_at.replace(hour=17, minute=31))
        late = as_user(receiver).get(f"/referrals/{referral['id']}").get_json()
        assert late["breached"] == {"acknowledge": True, "decide": False} and late["overdue"] is True
        traveller.move_to(sent_at.replace(hour=18, minute=0))
        acknowledged = step(as_user, receiver, referral, "acknowledge").get_json()
        assert acknowledged["breached"]["acknowledge"] is True  # taken late stays breached
        traveller.move_to(sent_at.replace(hour=20, minute=31))
        overdue = as_user(sender).get(f"/referrals/{referral['id']}").get_json()
    assert overdue["breached"] == {"acknowledge": True, "decide": True} and overdue["overdue"] is True


def test_the_receiving_agency_reads_the_person_only_while_the_referral_rule_holds(
    as_user, send, receiver, child, make_user
):
    assert as_user(receiver).get(f"/people/{child['id']}").status_code == 403
    referral = send()
    colleague = make_user("police_officer", agency=receiver.agency)
    seen = as_user(colleague).get(f"/people/{child['id']}").get_json()
    assert seen["view"] == "full" and seen["basis"] == ["referral"]
    step(as_user, receiver, referral, "decline", reason="No further action")
    with time_machine.travel(datetime.now(UTC) + timedelta(days=29), tick=False):
        assert as_user(colleague).get(f"/people/{child['id']}").status_code == 200
    with time_machine.travel(datetime.now(UTC) + timedelta(days=31), tick=False):
        refused = as_user(colleague).get(f"/people/{child['id']}")
    assert refused.status_code == 403 and "given_name" not in refused.get_json()
    denied = [e for e in audit_events("denied") if e.actor_user_id == colleague.id]
    assert denied and denied[-1].person_id_list == [child["id"]]


def test_the_referral_rule_ends_when_30_days_after_the_decision_have_passed(as_user, send, receiver, child):
    referral = send()
    decided = step(as_user, receiver, referral, "decline", reason="No further action").get_json()["decided_at"]
    end = datetime.fromisoformat(decided) + timedelta(days=30)
    for moment, status in ((end - timedelta(seconds=1), 200), (end, 403)):
        with time_machine.travel(moment, tick=False):
            assert as_user(receiver).get(f"/people/{child['id']}").status_code == status


FREE_TEXT = ("reason", "lawful_basis_reason", "decline_reason")
WORKFLOW = (
    "status",
    "urgency",
    "from_agency",
    "to_agency",
    "lawful_basis",
    "sent_at",
    "acknowledged_at",
    "decided_at",
    "acknowledge_by",
    "decide_by",
    "overdue",
    "breached",
)


def test_a_referral_about_a_person_no_longer_seen_keeps_its_workflow_and_withholds_its_free_text(
    as_user, send, sender, receiver, child, make_case
):
    make_case(sender, child["id"])  # the sender still sees the child, through their case
    referral = send(lawful_basis="no_consent_sought", lawful_basis_reason="Telling his mother would put him at risk")
    declined = step(as_user, receiver, referral, "decline", reason="Already known to the exploitation team").get_json()
    with time_machine.travel(datetime.now(UTC) + timedelta(days=29), tick=False):
        within = as_user(receiver).get(f"/referrals/{referral['id']}").get_json()
    assert within["withheld"] is False and within["decline_reason"] == "Already known to the exploitation team"
    with time_machine.travel(datetime.now(UTC) + timedelta(days=31), tick=False):
        assert as_user(receiver).get(f"/people/{child['id']}").status_code == 403
        response = as_user(receiver).get(f"/referrals/{referral['id']}")
        still_seen = as_user(sender).get(f"/referrals/{referral['id']}").get_json()
    body = response.get_json()
    assert response.status_code == 200 and body["withheld"] is True
    assert [body[field] for field in FREE_TEXT] == [None, None, None]
    assert [(s["to"], s["note"]) for s in body["history"]] == [("submitted", None), ("declined", None)]
    for text in ("older males", "his mother", "exploitation team"):
        assert text not in response.get_data(as_text=True)
    assert {k: body[k] for k in WORKFLOW} == {k: declined[k] for k in WORKFLOW}
    assert still_seen["withheld"] is False
    assert [still_seen[field] for field in FREE_TEXT] == [
        "Seen with older males near the station",
        "Telling his mother would put him at risk",
        "Already known to the exploitation team",
    ]


def test_a_box_withholds_the_free_text_only_of_referrals_about_people_no_longer_seen(
    as_user, send, sender, receiver, make_person
):
    closed = send()
    assert step(as_user, sender, closed, "withdraw", reason="Family moved to Leeds").status_code == 200
    with time_machine.travel(datetime.now(UTC) + timedelta(days=31), tick=False):
        other = make_person(sender, given_name="Amara", family_name="Osei")
        still_open = send(person_id=other["id"], reason="Missing from home twice this month")
        boxes = [as_user(receiver).get("/referrals", box="inbox"), as_user(sender).get("/referrals", box="outbox")]
    for response in boxes:
        listed = {r["id"]: r for r in response.get_json()["results"]}
        assert listed[closed["id"]]["withheld"] is True and listed[closed["id"]]["status"] == "withdrawn"
        assert [listed[closed["id"]][field] for field in FREE_TEXT] == [None, None, None]
        assert [s["note"] for s in listed[closed["id"]]["history"]] == [None, None]
        assert listed[still_open["id"]]["withheld"] is False
        assert listed[still_open["id"]]["reason"] == "Missing from home twice this month"
        assert "older males" not in response.get_data(as_text=True) and "Leeds" not in response.get_data(as_text=True)


def test_an_open_referral_shows_its_free_text_to_both_agencies_however_long_it_waits(as_user, send, sender, receiver):
    referral = send(lawful_basis="consent_overridden", lawful_basis_reason="Mother would warn him")
    step(as_user, receiver, referral, "acknowledge")
    with time_machine.travel(datetime.now(UTC) + timedelta(days=90), tick=False):
        shown = [as_user(user).get(f"/referrals/{referral['id']}").get_json() for user in (sender, receiver)]
        shown += as_user(receiver).get("/referrals", box="inbox").get_json()["results"]
        shown += as_user(sender).get("/referrals", box="outbox").get_json()["results"]
    for body in shown:
        assert body["withheld"] is False and body["overdue"] is True
        assert body["reason"] == "Seen with older males near the station"
        assert body["lawful_basis_reason"] == "Mother would warn him"


def statements_for_inbox(as_user, receiver) -> int:
    client, sent = as_user(receiver), []

    def count(*_args):
        sent.append(1)

    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        assert client.get("/referrals", box="inbox").status_code == 200
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)
    return len(sent)


def test_a_box_withholds_text_without_a_query_per_referral(as_user, send, sender, receiver, make_person):
    def send_and_decline(times: int) -> None:
        for i in range(times):
            child = make_person(sender, given_name="Child", family_name=f"Number{i}")
            step(as_user, receiver, send(person_id=child["id"]), "decline", reason=f"Not ours {i}")

    send_and_decline(2)
    with time_machine.travel(datetime.now(UTC) + timedelta(days=31), tick=False):
        few = statements_for_inbox(as_user, receiver)
    send_and_decline(6)
    with time_machine.travel(datetime.now(UTC) + timedelta(days=31), tick=False):
        assert few == statements_for_inbox(as_user, receiver)


def test_three_referrals_about_one_child_within_90_days_alert_the_safeguarding_lead(
    as_user, send, sender, receiver, make_user, make_agency
):
    lead = make_user("safeguarding_lead")
    first = send()
    step(as_user, receiver, first, "decline", reason="No further action")
    second = send(to_agency_id=make_agency(name="Northbridge Youth Service", kind="youth_service").id)
    step(as_user, sender, second, "withdraw")
    assert second["repeat_referral"] is True
    assert as_user(lead).get("/alerts", kind="escalation").get_json()["results"] == []
    send(urgency="green")  # every referral counts, whatever its state
    [alert] = as_user(lead).get("/alerts", kind="escalation").get_json()["results"]
    assert alert["kind"] == "escalation" and alert["person_id"] == first["person_id"]
    assert alert["fired_on"] == uk_today().isoformat() and "3 referrals" in alert["detail"]  # the UK's day
    assert len(as_user(lead).get("/alerts", kind="escalation").get_json()["results"]) == 1  # fires once
    assert as_user(make_user("health_practitioner")).get("/alerts", kind="escalation").get_json()["results"] == []


def test_the_case_chronology_shows_referrals_about_the_subject_with_their_current_status(
    as_user, send, sender, child, make_case
):
    case = make_case(sender, child["id"])
    referral = send(urgency="amber")
    [entry] = as_user(sender).get(f"/cases/{case['id']}/chronology").get_json()["results"]
    assert entry["category"] == "referral" and entry["derived"] is True
    assert entry["summary"] == f"Referral to {referral['to_agency']['name']} (amber): sent, not acknowledged"
    assert entry["referral"]["id"] == referral["id"] and entry["agency"]["id"] == sender.agency_id
    assert as_user(sender).get(f"/cases/{case['id']}/chronology", category="contact").get_json()["results"] == []
    step(as_user, sender, referral, "withdraw")
    [entry] = as_user(sender).get(f"/cases/{case['id']}/chronology", category="referral").get_json()["results"]
    assert entry["summary"].endswith(": withdrawn")


@pytest.mark.parametrize("role", ["admin", "safeguarding_lead", "youth_worker"])
def test_every_signed_in_user_lists_the_agencies_with_external_ones_marked(as_user, make_user, make_agency, role):
    outside = make_agency(name="National Crime Agency", kind="police", external=True)
    results = as_user(make_user(role)).get("/agencies").get_json()["results"]
    by_id = {a["id"]: a for a in results}
    assert by_id[outside.id] == {"id": outside.id, "name": "National Crime Agency", "kind": "police", "external": True}
