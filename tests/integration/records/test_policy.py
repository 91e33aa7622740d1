"""The access policy on real records (SPEC section 4), rule by rule, on both database engines."""

from datetime import UTC, datetime, timedelta
from functools import partial

import pytest
import time_machine

from app.extensions import db
from models.case import ChronologyEntry
from models.referral import Referral
from safeguarding import break_glass, case_chronology, cases, contexts, graph_cache, people, policy
from safeguarding.errors import AuditUnavailable, PermissionDenied
from tests.integration.relationships import link as recorded_link
from tests.web.helpers import audit_events


def level(actor, person) -> str:
    return policy.person_access(db.session, actor, person.id).level


def test_recorder_sees_a_person_for_30_days_only(record_child, social_worker):
    child = record_child()
    assert level(social_worker, child) == "full"
    with time_machine.travel(datetime.now(UTC) + timedelta(days=31), tick=False):
        assert level(social_worker, child) == "none"


def test_the_recorder_rule_answers_for_the_users_own_records_only(record_child, social_worker, make_user):
    colleague = make_user("social_worker")
    mine = [record_child(given_name=name) for name in ("Amira", "Bilal", "Chloe")]
    theirs = people.record_person(
        db.session, colleague, {"given_name": "Dylan", "family_name": "Clarke", "date_of_birth": "2011-03-27"}
    )
    access = policy.people_access(db.session, social_worker, [p.id for p in mine] + [theirs.id])
    assert {person_id for person_id, a in access.items() if a.bases == ("recorder",)} == {p.id for p in mine}
    assert access[theirs.id].level == "none"


def test_case_team_sees_the_subject_until_removed_or_closed(record_child, open_case_for, make_user):
    child = record_child()
    police = make_user("police_officer")
    assert level(police, child) == "none"
    case = open_case_for(child)
    cases.add_member(db.session, case.lead_worker, case.id, police.id)
    assert policy.person_access(db.session, police, child.id).bases == ("case_team",)
    cases.remove_member(db.session, case.lead_worker, case.id, police.id)
    assert level(police, child) == "none"


def test_context_case_team_sees_people_linked_to_the_place(record_child, social_worker, make_user):
    child = record_child()
    place = contexts.create_place(db.session, social_worker, {"name": "Stairwell B", "kind": "estate"})
    frequents = {"target": {"type": "place", "id": place.id}, "kind": "frequents"}
    contexts.add_relationship(db.session, social_worker, {"source": {"type": "person", "id": child.id}, **frequents})
    youth = make_user("youth_worker")
    # The youth worker works with another young person there: that is what lets them open a case about the place.
    own = people.record_person(
        db.session, youth, {"given_name": "Remy", "family_name": "Own", "date_of_birth": "2011-04-04"}
    )
    contexts.add_relationship(db.session, youth, {"source": {"type": "person", "id": own.id}, **frequents})
    assert level(youth, child) == "none"
    about_place = {"subject": {"type": "place", "id": place.id}, "concerns": ["cce"], "risk_level": "medium"}
    cases.open_case(db.session, youth, {**about_place, "summary": "Dealing in the stairwell"})
    assert level(youth, child) == "full"


def test_a_case_about_a_place_is_no_way_in_for_someone_working_with_nobody_linked_to_it(
    record_child, social_worker, make_user
):
    child = record_child()
    place = contexts.create_place(db.session, social_worker, {"name": "Stairwell C", "kind": "estate"})
    link = {"source": {"type": "person", "id": child.id}, "target": {"type": "place", "id": place.id}}
    contexts.add_relationship(db.session, social_worker, {**link, "kind": "frequents"})
    stranger = make_user("youth_worker")
    about_place = {"subject": {"type": "place", "id": place.id}, "concerns": ["cce"], "risk_level": "medium"}
    with pytest.raises(PermissionDenied):
        cases.open_case(db.session, stranger, {**about_place, "summary": "Let me in"})
    assert level(stranger, child) == "none"
    assert [e.object_id for e in audit_events("denied")] == [place.id]


def test_referral_gives_both_agencies_sight_while_open_and_30_days_after(record_child, social_worker, make_user):
    child = record_child()
    police = make_user("police_officer")
    referral = Referral(
        person_id=child.id,
        from_agency_id=social_worker.agency_id,
        to_agency_id=police.agency_id,
        sender_id=social_worker.id,
        urgency="amber",
        data_key_id=child.data_key_id,
    )
    db.session.add(referral)
    db.session.commit()
    assert policy.person_access(db.session, police, child.id).bases == ("referral",)
    # Neither end of the referral: another agency's practitioner gets no sight from it.
    assert level(make_user("youth_worker"), child) == "none"
    referral.status, referral.decided_at = "declined", datetime.now(UTC)
    db.session.commit()
    assert level(police, child) == "full"
    with time_machine.travel(datetime.now(UTC) + timedelta(days=31), tick=False):
        assert level(police, child) == "none"


def test_context_neighbours_get_a_limited_view_within_two_hops(record_child, open_case_for, social_worker, make_user):
    subject, peer, far = record_child(), record_child(given_name="Kai"), record_child(given_name="Leah")
    place = contexts.create_place(db.session, social_worker, {"name": "Riverside Park", "kind": "park"})
    for person, target in ((subject, place), (peer, place)):
        contexts.add_relationship(
            db.session,
            social_worker,
            {
                "source": {"type": "person", "id": person.id},
                "target": {"type": "place", "id": target.id},
                "kind": "frequents",
            },
        )
    contexts.add_relationship(
        db.session,
        social_worker,
        {"source": {"type": "person", "id": far.id}, "target": {"type": "person", "id": peer.id}, "kind": "friend"},
    )
    police = make_user("police_officer")
    case = open_case_for(subject)
    cases.add_member(db.session, social_worker, case.id, police.id)
    assert level(police, peer) == "limited"  # subject -> park -> peer: two hops
    assert level(police, far) == "none"  # three hops


def test_a_change_to_the_viewers_own_links_is_seen_at_once(record_child, open_case_for, social_worker, make_user):
    # The viewer's neighbourhood is remembered between calls; ending the subject's own link must still count.
    subject, peer = record_child(), record_child(given_name="Kai")
    place = contexts.create_place(db.session, social_worker, {"name": "Chicken shop", "kind": "shop"})
    links = [
        contexts.add_relationship(
            db.session,
            social_worker,
            {
                "source": {"type": "person", "id": p.id},
                "target": {"type": "place", "id": place.id},
                "kind": "frequents",
            },
        )
        for p in (subject, peer)
    ]
    police = make_user("police_officer")
    cases.add_member(db.session, social_worker, open_case_for(subject).id, police.id)
    assert level(police, peer) == "limited"
    contexts.end_relationship(db.session, social_worker, links[0].id)
    db.session.commit()
    assert level(police, peer) == "none"


def test_a_map_checks_context_neighbours_against_its_adjacency_as_the_database_would(
    record_child, open_case_for, social_worker, make_user
):
    # The subject, and around them: a peer at a park, a friend's friend, a gang member, a link that has ended,
    # and someone whose only link is to a person three hops out.
    subject, *others = (record_child(given_name=name) for name in ("Ade", "Bo", "Cy", "Di", "Ed", "Flo", "Gus"))
    park_peer, friend, friends_friend, gang_member, former_friend, far = others
    park = contexts.create_place(db.session, social_worker, {"name": "Riverside Park", "kind": "park"})
    gang = contexts.create_group(db.session, social_worker, {"name": "Estate crew"})

    link = partial(recorded_link, social_worker)

    link(subject, "place", park, "frequents")
    link(park_peer, "place", park, "frequents")
    link(subject, "person", friend, "friend")
    link(friends_friend, "person", friend, "friend")
    link(gang_member, "group", gang, "member_of")
    link(subject, "group", gang, "member_of")
    ended = link(former_friend, "person", subject, "friend")
    contexts.end_relationship(db.session, social_worker, ended.id)
    link(far, "person", friends_friend, "friend")
    police = make_user("police_officer")
    cases.add_member(db.session, social_worker, open_case_for(subject).id, police.id)
    db.session.commit()
    everyone = [subject.id, *(p.id for p in others)]
    from_database = policy.people_access(db.session, police, everyone)
    from_adjacency = policy.people_access(db.session, police, everyone, links=graph_cache.adjacency(db.session))
    assert from_adjacency == from_database
    assert {p for p, access in from_database.items() if access.level == "limited"} == {
        park_peer.id,
        friend.id,
        friends_friend.id,
        gang_member.id,
    }
    assert from_database[former_friend.id].level == from_database[far.id].level == "none"


def test_full_access_answers_as_the_policy_does_for_those_seen_in_full_and_leaves_out_the_rest(
    record_child, open_case_for, social_worker, make_user
):
    subject, peer, stranger = (record_child(given_name=name) for name in ("Ade", "Bo", "Cy"))
    park = contexts.create_place(db.session, social_worker, {"name": "Riverside Park", "kind": "park"})
    recorded_link(social_worker, subject, "place", park, "frequents")
    recorded_link(social_worker, peer, "place", park, "frequents")
    police = make_user("police_officer")
    cases.add_member(db.session, social_worker, open_case_for(subject).id, police.id)
    db.session.commit()
    everyone = [subject.id, peer.id, stranger.id]
    assert {p: a.level for p, a in policy.people_access(db.session, police, everyone).items()} == {
        subject.id: "full",
        peer.id: "limited",
        stranger.id: "none",
    }
    assert policy.full_access(db.session, police, everyone) == {
        subject.id: policy.people_access(db.session, police, [subject.id])[subject.id]
    }
    # Their recorder sees all three in full.
    assert set(policy.full_access(db.session, social_worker, everyone)) == set(everyone)
    assert policy.full_access(db.session, make_user("admin"), everyone) == {}


def test_break_glass_gives_full_access_for_60_minutes_and_is_flagged(record_child, make_user):
    child = record_child()
    health = make_user("health_practitioner")
    with pytest.raises(PermissionDenied) as refused:
        people.view_person(db.session, health, child.id)
    assert refused.value.break_glass_allowed
    break_glass.break_glass(db.session, health, child.id, "Attending A&E now, need the safety plan urgently")
    person, access = people.view_person(db.session, health, child.id)
    assert access.full and access.bases == ("break_glass",)
    assert audit_events("view")[-1].flagged and audit_events("break_glass")[-1].flagged
    with time_machine.travel(datetime.now(UTC) + timedelta(minutes=61), tick=False):
        assert level(health, child) == "none"


def test_a_break_glass_grant_covers_its_own_person_for_its_own_user_only(record_child, make_user):
    child, sibling = record_child(), record_child()
    health, colleague = make_user("health_practitioner"), make_user("health_practitioner")
    break_glass.break_glass(db.session, health, child.id, "Attending A&E now, need the safety plan urgently")
    access = policy.people_access(db.session, health, [child.id, sibling.id])
    assert access[child.id].bases == ("break_glass",) and access[sibling.id].level == "none"
    assert policy.people_access(db.session, colleague, [child.id])[child.id].level == "none"


def test_admins_and_leads_without_a_relationship_see_nothing(record_child, make_user):
    child = record_child()
    assert level(make_user("admin"), child) == "none"
    assert not policy.person_access(db.session, make_user("admin"), child.id).break_glass_allowed
    assert level(make_user("safeguarding_lead"), child) == "none"


def test_every_refusal_is_audited_without_field_values(record_child, make_user):
    child = record_child(given_name="Quillonetta")
    with pytest.raises(PermissionDenied):
        people.view_person(db.session, make_user("youth_worker"), child.id)
    [denied] = audit_events("denied")
    assert denied.outcome == "denied" and denied.person_id_list == [child.id]
    assert b"Quillonetta" not in denied.canonical


@pytest.mark.parametrize(
    ("sensitivity", "visible_to"),
    [
        ("general", {"social_worker", "police_officer", "youth_worker", "health_practitioner"}),
        ("health", {"social_worker", "health_practitioner"}),
        ("intelligence", {"social_worker", "police_officer"}),
        ("restricted", {"social_worker"}),
    ],
)
def test_sensitivity_narrows_chronology_entries(
    record_child, open_case_for, social_worker, make_user, sensitivity, visible_to
):
    case = open_case_for(record_child())
    viewers = {"social_worker": make_user("social_worker", agency=make_user("police_officer").agency)}
    viewers |= {role: make_user(role) for role in ("police_officer", "youth_worker", "health_practitioner")}
    for viewer in viewers.values():
        cases.add_member(db.session, social_worker, case.id, viewer.id)
    case_chronology.add_chronology_entry(
        db.session,
        social_worker,
        case.id,
        {"occurred_on": "2026-02-01", "category": "contact", "summary": "Seen", "sensitivity": sensitivity},
    )
    entry = db.session.query(ChronologyEntry).one()
    # viewers["social_worker"] works for another agency, so "restricted" (authoring agency only) hides it from them.
    seen = {role for role, viewer in viewers.items() if policy.entry_view(viewer, entry) == "full"}
    expected = visible_to - {"social_worker"} if sensitivity == "restricted" else visible_to
    assert seen == expected
    assert policy.entry_view(social_worker, entry) == "full"  # the author holds every role that reads what they wrote
    if sensitivity == "intelligence":
        assert policy.entry_view(viewers["youth_worker"], entry) == "exists"


def test_reads_fail_closed_when_the_audit_event_cannot_be_written(record_child, social_worker, monkeypatch):
    child = record_child()

    def broken(*args, **kwargs):
        raise RuntimeError("audit store unavailable")

    monkeypatch.setattr("safeguarding.access.audit.record_durably", broken)
    with pytest.raises(AuditUnavailable):
        people.view_person(db.session, social_worker, child.id)
