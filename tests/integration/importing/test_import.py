"""Import (SPEC section 10): validate the whole document first, keep original dates, never duplicate."""

import json
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

import audit
from app.extensions import db
from models.agency import Agency
from models.case import Case, CaseMember, ChronologyEntry
from models.context import Relationship
from models.person import Person
from models.referral import Referral
from models.safeguarding_events import MissingEpisode
from safeguarding import referral_boxes, referrals
from safeguarding.runtime import current as runtime
from tests.integration.importing.documents import count, document


def test_a_document_imports_with_its_original_dates_and_encrypted(run):
    code, body = run(document())
    assert code == 0, body
    assert body["created"] == {
        "agencies": 3,
        "people": 2,
        "places": 1,
        "groups": 1,
        "relationships": 3,
        "cases": 2,
        "chronology": 2,
        "missing_episodes": 1,
        "referrals": 2,
    }
    assert set(body["ids"]) >= {"p1", "p2", "c1", "ref1", "e2", "r2"}
    db.session.expire_all()
    jayden = db.session.get(Person, body["ids"]["p1"])
    assert (jayden.given_name, str(jayden.date_of_birth)) == ("Jayden", "2011-03-27")
    assert jayden.has_flag("missing_from_home")
    case = db.session.get(Case, body["ids"]["c1"])
    assert str(case.opened_on) == "2024-05-10" and case.status == "open" and case.lead_worker is not None
    # A member joined when the case opened: 00:00 London that day (British Summer Time: 23:00 UTC the day before).
    assert {m.added_at.astimezone(UTC).isoformat() for m in case.members} == {"2024-05-09T23:00:00+00:00"}
    assert db.session.get(Case, body["ids"]["c2"]).status == "closed"
    referral = db.session.get(Referral, body["ids"]["ref1"])
    assert referral.status == "accepted" and referral.sent_at.isoformat() == "2024-05-09T09:00:00+00:00"
    assert db.session.get(Referral, body["ids"]["ref2"]).status == "submitted"
    assert db.session.get(Relationship, body["ids"]["r2"]).notes == "Often together"
    assert db.session.get(ChronologyEntry, body["ids"]["e2"]).summary == "Stopped near the station"
    [event] = [e for e in audit_events() if e.action == "import"]
    assert event.detail_dict["created"]["people"] == 2
    assert audit.verify(db.engine, runtime().signing_key).ok


def test_the_import_event_names_every_person_whose_data_it_touched(run):
    from safeguarding.audit_workspace import EventQuery, find_events

    doc = document()
    doc["people"].append({"ref": "p3", "given_name": "Ama", "family_name": "Boateng", "date_of_birth": "2012-02-02"})
    _, body = run(doc)
    people = {body["ids"][ref] for ref in ("p1", "p2", "p3")}
    [event] = [e for e in audit_events() if e.action == "import"]
    assert set(event.person_id_list) == people
    # A later document touching one person names only them, and "who accessed this record" finds both imports.
    episode = {"person": "p1", "agency": "ag-pol", "reported_at": "2024-09-01T20:00:00+01:00"}
    assert run({"missing_episodes": [episode]})[0] == 0
    [later] = [e for e in audit_events() if e.action == "import" and e.id != event.id]
    assert later.person_id_list == [body["ids"]["p1"]]
    assert audit.verify(db.engine, runtime().signing_key).ok  # seals them, indexing their people
    for found in (find_events(db.session, EventQuery(person_id=pid)) for pid in people):
        assert any(e.action == "import" for e in found)
    assert (
        len([e for e in find_events(db.session, EventQuery(person_id=body["ids"]["p1"])) if e.action == "import"]) == 2
    )


def test_a_second_import_updates_and_never_duplicates(run):
    run(document())
    doc = document()
    doc["people"][1]["given_name"] = "Kai-Leon"
    code, body = run(doc)
    assert code == 0 and sum(body["created"].values()) == 0
    assert body["updated"]["people"] == 2 and body["updated"]["relationships"] == 3
    assert body["updated"]["chronology"] == 2 and body["updated"]["missing_episodes"] == 1
    assert (count(Person), count(Relationship), count(ChronologyEntry), count(MissingEpisode)) == (2, 3, 2, 1)
    db.session.expire_all()
    assert db.session.scalars(sa.select(Person).where(Person.id == body["ids"]["p2"])).one().given_name == "Kai-Leon"


def test_a_re_import_keeps_what_its_items_leave_out_and_clears_what_they_give_as_null(run):
    doc = document()
    doc["relationships"][0]["last_seen"] = "2024-06-01"
    doc["missing_episodes"][0]["return_interview_offered_at"] = "2024-05-22T10:00:00+01:00"
    _, first = run(doc)
    later = document()
    del later["agencies"][2]["external"]
    later["agencies"][2]["ref"] = "ag-nca-again"  # the same agency, matched by its name
    del later["people"][0]["sex"]
    for key in ("grading", "notes"):
        del later["relationships"][1][key]
    del later["cases"][1]["closed_on"]
    for key in ("returned_at", "found_at"):
        del later["missing_episodes"][0][key]
    later["missing_episodes"][0]["return_interview_offered_at"] = None
    code, body = run(later)
    assert code == 0 and sum(body["created"].values()) == 0, body
    db.session.expire_all()
    assert db.session.get(Agency, first["ids"]["ag-nca"]).external is True
    assert db.session.get(Person, first["ids"]["p1"]).sex == "male"
    edge = db.session.get(Relationship, first["ids"]["r2"])
    assert (edge.notes, edge.grading_source, edge.grading_information, edge.grading_handling) == (
        "Often together",
        "2",
        "B",
        "P",
    )
    frequents = db.session.scalar(sa.select(Relationship).where(Relationship.kind == "frequents"))
    assert str(frequents.last_seen) == "2024-06-01"
    case = db.session.get(Case, first["ids"]["c2"])
    assert (str(case.closed_on), case.status) == ("2023-06-30", "closed")
    episode = db.session.scalar(sa.select(MissingEpisode))
    assert episode.returned_at is not None and episode.found_at_place_id == first["ids"]["pl1"]
    assert episode.return_interview_offered_at is None  # given as null: cleared
    later["relationships"][1]["notes"] = None
    assert run(later)[0] == 0
    db.session.expire_all()
    assert db.session.get(Relationship, first["ids"]["r2"]).notes is None


def test_an_edge_whose_target_kind_or_first_seen_changes_is_ended_and_superseded_not_overwritten(run):
    from safeguarding.validation import uk_today

    _, first = run(document())
    corrected = document()
    corrected["relationships"][1] |= {"kind": "associate", "first_seen": "2024-06-02"}
    del corrected["relationships"][1]["notes"]  # kept from the edge it corrects, as a re-import keeps it
    code, dry = run(corrected, "--dry-run")
    assert code == 0 and dry["created"]["relationships"] == 1 and count(Relationship) == 3
    code, body = run(corrected)
    assert code == 0 and body["created"]["relationships"] == 1 and body["updated"]["relationships"] == 2, body
    db.session.expire_all()
    old, new = db.session.get(Relationship, first["ids"]["r2"]), db.session.get(Relationship, body["ids"]["r2"])
    assert old.id != new.id and (old.kind, str(old.first_seen), old.ended_on) == ("friend", "2024-06-01", uk_today())
    assert (new.kind, str(new.first_seen), new.ended_on, new.supersedes_id) == ("associate", "2024-06-02", None, old.id)
    assert (new.notes, new.grading_source, new.source_person_id) == ("Often together", "2", first["ids"]["p1"])
    # The ref now names the correction: the same document again changes nothing more.
    code, again = run(corrected)
    assert code == 0 and again["created"]["relationships"] == 0 and again["ids"]["r2"] == new.id
    assert count(Relationship) == 4


def test_an_imported_group_membership_is_due_for_review_as_one_recorded_on_the_record_is(run):
    from datetime import date

    from safeguarding.contexts import MEMBERSHIP_REVIEW

    doc = document()
    doc["relationships"][2]["ref"] = "m1"
    run(doc)
    membership = db.session.get(Relationship, run(doc)[1]["ids"]["m1"])
    assert membership.kind == "member_of" and membership.review_on == date(2024, 7, 1) + MEMBERSHIP_REVIEW
    assert {
        edge.review_on for edge in db.session.scalars(sa.select(Relationship).where(Relationship.id != membership.id))
    } == {None}


def test_a_later_document_may_refer_to_refs_of_an_earlier_one(run):
    run(document())
    code, body = run(
        {
            "chronology": [
                {
                    "case": "c1",
                    "agency": "ag-pol",
                    "occurred_on": "2024-09-01",
                    "category": "arrest",
                    "summary": "Arrested",
                    "sensitivity": "general",
                }
            ]
        }
    )
    assert code == 0 and body["created"]["chronology"] == 1


def test_any_error_rejects_the_whole_file_and_lists_each_bad_path(run):
    doc = document()
    doc["people"][0]["date_of_birth"] = "2011-02-30"
    doc["relationships"][0]["target"] = "nowhere"
    doc["cases"][0]["members"] = ["no.such.user"]
    doc["referrals"][0]["urgency"] = "purple"
    doc["places"].append({"ref": "p1", "name": "Dup", "kind": "park"})
    doc["referrals"][1]["sent_at"] = "2099-01-01T09:00:00+00:00"
    doc["referrals"][1]["to_agency"] = doc["referrals"][1]["from_agency"]
    doc["referrals"][1] |= {"outcome": "declined", "decided_at": "2024-09-03T10:00:00+01:00"}
    code, body = run(doc)
    assert code == 1 and body["error"].endswith(f"{len(body['fields'])} problems; nothing was written")
    assert set(body["fields"]) >= {
        "$.people[0].date_of_birth",
        "$.relationships[0].target",
        "$.cases[0].members[0]",
        "$.referrals[0].urgency",
        "$.places[1].ref",
        "$.referrals[1].sent_at",
        "$.referrals[1].to_agency",
        "$.referrals[1].decline_reason",
    }
    assert count(Person) == 0 and count(Case) == 0


def test_what_the_stored_records_refuse_is_listed_with_the_other_bad_items(run):
    run(document())
    doc = document()
    doc["cases"][0]["subject"] = "p2"  # an earlier import gave c1 to p1
    doc["agencies"].append({"ref": "ag-csc-2", "name": "OLD CSC", "kind": "social_care"})
    doc["people"][1]["date_of_birth"] = "yesterday"
    doc["relationships"][1]["source"] = "nobody"
    doc["people"].append("not an object")
    doc["chronology"][1]["ref"] = ["e2"]
    code, body = run(doc)
    assert code == 1
    assert set(body["fields"]) == {
        "$.cases[0].subject",
        "$.agencies[3].name",
        "$.people[1].date_of_birth",
        "$.relationships[1].source",
        "$.people[2]",
        "$.chronology[1].ref",
    }
    assert body["fields"]["$.relationships[1].source"] == "Name a ref from this document or an earlier import"


@pytest.mark.parametrize("flags", [(), ("--dry-run",)], ids=["import", "dry run"])
def test_text_no_column_can_hold_is_refused_by_path_before_anything_is_looked_up(run, flags):
    doc = document()
    doc["people"][0]["given_name"] = "Ay\udc80o"  # a lone surrogate: valid JSON, not encodable as UTF-8
    doc["places"][0]["ref"] = "pl\x00ace"
    doc["groups"] = [{"ref": "g\ud800", "name": "Crew"}]
    code, body = run(doc, *flags)
    assert code == 1 and body["error"]
    assert set(body["fields"]) == {"$.people[0].given_name", "$.places[0].ref", "$.groups[0].ref"}
    assert count(Person) == 0


def test_a_decision_without_its_acknowledgement_acknowledges_at_the_decision_as_the_service_does(run):
    decided = {key: value for key, value in document()["referrals"][0].items() if key != "acknowledged_at"}
    code, body = run(document(referrals=[decided | {"outcome": "declined", "decline_reason": "No role for us"}]))
    assert code == 0
    referral = db.session.get(Referral, body["ids"]["ref1"])
    assert (referral.status, referral.acknowledged_at) == ("declined", referral.decided_at)
    assert referral.decline_reason == "No role for us"
    assert [step.note for step in referral_boxes.history(db.session, referral)] == ["Imported", "Imported"]


@pytest.mark.parametrize("outcome", [{}, {"outcome": "accepted", "decided_at": "2024-08-02T10:00:00+01:00"}])
def test_a_reason_for_declining_is_refused_on_a_referral_not_declined(run, outcome):
    doc = document()
    doc["referrals"][1] |= outcome | {"decline_reason": "No role for us"}
    code, body = run(doc)
    assert code == 1 and set(body["fields"]) == {"$.referrals[1].decline_reason"}
    assert count(Referral) == 0


@pytest.mark.parametrize("flags", [(), ("--dry-run",)], ids=["import", "dry run"])
def test_refs_of_records_an_erasure_took_are_refused_by_path(run, flags):
    from safeguarding import retention

    _, first = run(document())
    retention.erase(db.session, first["ids"]["p1"], reason="Lawful request for erasure")
    code, body = run(document(), *flags)
    assert code == 1 and body["error"]
    # p1 itself, what names it, and the records shredded with its key (its case, its referral, its edges).
    assert {"$.people[0].ref", "$.cases[0].ref", "$.referrals[0].ref", "$.referrals[0].person"} <= set(body["fields"])
    assert "$.people[1].ref" not in body["fields"]


def test_dry_run_counts_and_writes_nothing(run):
    code, body = run(document(), "--dry-run")
    assert code == 0 and body["created"]["people"] == 2 and body["dry_run"]
    assert count(Person) == 0


@pytest.mark.parametrize(
    ("content", "where"),
    [("not json", "$"), ("[1, 2]", "$"), ('{"people": {"ref": "x"}}', "$.people"), ('{"aliens": []}', "$.aliens")],
)
def test_unreadable_documents_are_refused_at_their_json_path(app, tmp_path, content, where):
    path = tmp_path / "bad.json"
    path.write_text(content, encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["import", str(path), "--json"])
    body = json.loads(result.output.strip().splitlines()[-1])
    assert result.exit_code == 1 and body["error"] and set(body["fields"]) == {where}
    if where != "$":  # one problem, counted in the singular
        assert body["error"] == "The import was rejected: 1 problem; nothing was written"


def test_a_file_that_cannot_be_opened_is_named_with_the_reason(app, tmp_path):
    path = tmp_path / "no-such.json"
    result = app.test_cli_runner().invoke(args=["import", str(path), "--json"])
    body = json.loads(result.output.strip().splitlines()[-1])
    assert result.exit_code == 1
    assert body == {"error": f"Could not open {path}", "fields": {"$": "No such file or directory"}}


def audit_events():
    from audit.models import AuditEvent

    db.session.expire_all()
    return list(db.session.scalars(sa.select(AuditEvent)))


@pytest.mark.parametrize("flags", [(), ("--dry-run",)], ids=["import", "dry run"])
def test_a_re_import_cannot_move_a_record_to_another_owner(run, flags):
    _, first = run(document())
    moved = document()
    moved["relationships"][1]["source"] = "p2"  # r2: p1 -> p2 becomes p2 -> p2's friend
    moved["relationships"][1]["target"] = "p1"
    moved["referrals"][0]["person"] = "p2"
    moved["cases"][0]["subject"] = "p2"
    moved["chronology"][1]["case"] = "c2"
    code, body = run(moved, *flags)
    assert code == 1 and body["error"]
    assert set(body["fields"]) == {
        "$.relationships[1].source",
        "$.referrals[0].person",
        "$.cases[0].subject",
        "$.chronology[1].case",
    }
    case = db.session.get(Case, first["ids"]["c1"])
    assert case.subject_person_id == first["ids"]["p1"]


def test_refs_of_a_person_since_merged_name_the_record_they_were_merged_into(run):
    from models.user import User
    from safeguarding.merging import merge_people

    doc = document()
    doc["cases"].append(dict(doc["cases"][0], ref="c3", subject="p2"))  # so the team may merge the two
    _, first = run(doc)
    jayden, kai = first["ids"]["p1"], first["ids"]["p2"]
    worker = db.session.scalar(sa.select(User).where(User.username == "importer.sw"))
    merge_people(db.session, worker, jayden, kai)
    doc["people"][1]["flags"] = ["looked_after"]
    doc["relationships"].append(
        {"source": "p2", "target": "pl1", "kind": "seen_at", "agency": "ag-pol", "first_seen": "2024-08-01"}
    )
    doc["missing_episodes"].append({"person": "p2", "agency": "ag-pol", "reported_at": "2024-08-02T22:00:00+01:00"})
    code, body = run(doc)
    assert code == 0, body
    assert body["created"]["people"] == 0 and body["ids"]["p2"] == jayden
    db.session.expire_all()
    seen_at = db.session.scalar(sa.select(Relationship).where(Relationship.kind == "seen_at"))
    assert seen_at.source_person_id == jayden
    assert {e.person_id for e in db.session.scalars(sa.select(MissingEpisode))} == {jayden}
    survivor = db.session.get(Person, jayden)
    assert (survivor.given_name, survivor.has_flag("looked_after")) == ("Jayden", True)
    assert db.session.get(Person, kai).merged_into_id == jayden
    # The edge between the two, which the merge ended, stays as it was; a new one would relate Jayden to himself.
    assert db.session.get(Relationship, first["ids"]["r2"]).ended_on is not None
    doc["relationships"][1]["ref"] = "r2-again"
    code, body = run(doc)
    assert code == 1 and set(body["fields"]) == {"$.relationships[1].target"}


def test_agency_names_stay_unique_whatever_their_case(run):
    run(document())
    renamed = [
        {"ref": "ag-csc", "name": "old police", "kind": "social_care"},  # would take ag-pol's name
        {"ref": "ag-yos", "name": "Youth Justice", "kind": "youth_justice"},
        {"ref": "ag-yos2", "name": "YOUTH JUSTICE", "kind": "youth_justice"},
    ]
    code, body = run({"agencies": renamed}, "--dry-run")
    assert code == 1 and set(body["fields"]) == {"$.agencies[0].name", "$.agencies[2].name"}
    # A new ref under an existing name, in another case, is that agency (its natural key), not a second one.
    police = db.session.scalar(sa.select(Agency.id).where(Agency.name == "Old Police"))
    code, body = run({"agencies": [{"ref": "ag-pol-2", "name": "OLD POLICE", "kind": "police"}]})
    assert code == 0 and body["created"]["agencies"] == 0 and body["ids"]["ag-pol-2"] == police


def test_members_that_are_not_usernames_are_refused_by_path(run):
    doc = document()
    doc["cases"][0]["members"] = [["importer.sw"], {"name": "x"}, 7]
    code, body = run(doc)
    assert code == 1 and {"$.cases[0].members[0]", "$.cases[0].members[1]", "$.cases[0].members[2]"} <= set(
        body["fields"]
    )


def test_members_are_found_by_username_as_sign_in_finds_them_whatever_its_case(run, make_user):
    amara = make_user("social_worker", username="Amara.Okafor")
    doc = document()
    doc["cases"][0]["members"] = ["amara.okafor", " AMARA.OKAFOR "]
    code, body = run(doc)
    assert code == 0, body
    members = db.session.scalars(sa.select(CaseMember.user_id).where(CaseMember.case_id == body["ids"]["c1"]))
    assert list(members) == [amara.id]


def test_a_key_given_twice_is_refused_by_name(app, tmp_path):
    path = tmp_path / "twice.json"
    path.write_text(json.dumps(document())[:-1] + ', "people": []}', encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["import", str(path), "--json"])
    body = json.loads(result.output.strip().splitlines()[-1])
    assert result.exit_code == 1 and '"people" appears twice' in body["fields"]["$"]
    assert count(Person) == 0


def test_fields_outside_the_contract_are_listed_as_ignored_by_path_not_dropped_without_a_word(run):
    """Another system's export may carry more than the format asks for: the import goes ahead and says what it
    left out, where before it dropped such fields silently."""
    doc = document()
    doc["people"][0] |= {"dob": "2011-03-27", "notes": "Known to the youth club"}
    doc["referrals"][0]["lawful_basis"] = "consent"
    doc["relationships"][1]["grading"]["confidence"] = "high"
    code, body = run(doc)
    assert code == 0 and body["created"]["people"] == 2
    assert set(body["ignored"]) == {
        "$.people[0].dob",
        "$.people[0].notes",
        "$.referrals[0].lawful_basis",
        "$.relationships[1].grading.confidence",
    }
    assert "date_of_birth" in body["ignored"]["$.people[0].dob"]  # it names the fields the format has
    code, body = run(document())
    assert code == 0 and body["ignored"] == {}


@pytest.mark.parametrize("members", [{}, 0, "importer.sw"])
def test_members_not_given_as_a_list_are_refused(run, members):
    doc = document()
    doc["cases"][0]["members"] = members
    code, body = run(doc)
    assert code == 1 and set(body["fields"]) == {"$.cases[0].members"}


@pytest.mark.parametrize("concerns", [None, [], "absent"])
def test_a_case_without_concerns_is_refused(run, concerns):
    doc = document()
    if concerns == "absent":
        del doc["cases"][1]["concerns"]
    else:
        doc["cases"][1]["concerns"] = concerns
    code, body = run(doc)
    assert code == 1 and set(body["fields"]) == {"$.cases[1].concerns"}


def test_every_bad_element_of_a_list_is_reported(run):
    doc = document()
    doc["people"][0]["flags"] = [1, None]
    doc["cases"][0]["concerns"] = ["cce", 7, None]
    code, body = run(doc)
    assert code == 1
    assert set(body["fields"]) == {
        "$.people[0].flags[0]",
        "$.people[0].flags[1]",
        "$.cases[0].concerns[1]",
        "$.cases[0].concerns[2]",
    }


def test_only_active_practitioners_join_a_case_team_as_when_added_on_the_case(run, make_user):
    make_user("admin", username="importer.admin")
    make_user("safeguarding_lead", username="importer.lead")
    make_user("police_officer", username="importer.left").active = False
    db.session.commit()
    doc = document()
    doc["cases"][0]["members"] = ["importer.sw", "importer.admin", "importer.lead", "importer.left"]
    doc["cases"][1]["members"] = ["importer.admin"]  # would have been the case's lead worker
    code, body = run(doc)
    assert code == 1
    assert body["fields"] == {
        "$.cases[0].members[1]": "Only practitioners can join a case team",
        "$.cases[0].members[2]": "Only practitioners can join a case team",
        "$.cases[0].members[3]": "Choose an active user to add to the team",
        "$.cases[1].members[0]": "Only practitioners can join a case team",
    }
    assert count(Case) == 0


@pytest.mark.parametrize(
    ("content", "readable"),
    [
        ("[" * 100_000 + "]" * 100_000, False),
        ('{"groups": [{"ref": "g", "name": "Crew", "size": ' + "9" * 5000 + "}]}", False),
        ("\ufeff" + json.dumps({"groups": [{"ref": "g", "name": "Crew"}]}), True),
    ],
    ids=["nested too deep", "number too long to read", "byte-order mark"],
)
def test_odd_files_get_a_json_answer(app, tmp_path, content, readable):
    path = tmp_path / "odd.json"
    path.write_text(content, encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["import", str(path), "--json"])
    body = json.loads(result.output.strip().splitlines()[-1])
    assert (result.exit_code, "error" in body) == ((0, False) if readable else (1, True)), body


def test_a_re_import_never_takes_a_referral_back_along_its_states(run, make_user):
    from safeguarding import referral_boxes

    doc = document()
    submitted = {k: v for k, v in doc["referrals"][0].items() if k not in ("acknowledged_at", "decided_at", "outcome")}
    doc["referrals"][0] = submitted
    _, first = run(doc)
    referral_id = first["ids"]["ref1"]
    receiver = make_user("social_worker")  # of the receiving agency, ag-csc
    receiver.agency_id = first["ids"]["ag-csc"]
    db.session.commit()
    referrals.transition(db.session, receiver, referral_id, "acknowledge")
    acknowledged_at = db.session.get(Referral, referral_id).acknowledged_at
    assert run(doc)[0] == 0
    db.session.expire_all()
    referral = db.session.get(Referral, referral_id)
    assert (referral.status, referral.acknowledged_at) == ("acknowledged", acknowledged_at)
    # A later export that has the decision moves it on, and the history gains only the step it did not have.
    decided_at = datetime.now(UTC)
    decided = dict(submitted, acknowledged_at="2024-05-09T15:00:00+01:00", decided_at=decided_at.isoformat())
    run(document(referrals=[decided | {"outcome": "accepted"}, doc["referrals"][1]]))
    db.session.expire_all()
    referral = db.session.get(Referral, referral_id)
    assert (referral.status, referral.acknowledged_at, referral.decided_at) == ("accepted", acknowledged_at, decided_at)
    steps = [(t.from_status, t.to_status) for t in referral_boxes.history(db.session, referral)]
    assert steps == [(None, "submitted"), ("submitted", "acknowledged"), ("acknowledged", "accepted")]


@pytest.mark.parametrize("flags", [(), ("--dry-run",)], ids=["import", "dry run"])
def test_dates_in_the_future_and_a_person_related_to_themselves_are_refused_as_the_api_refuses_them(run, flags):
    doc = document()
    doc["relationships"][0]["first_seen"] = "2099-01-01"
    doc["relationships"][1]["target"] = "p1"  # r2: p1 with p1
    doc["cases"][0]["opened_on"] = "2099-01-01"
    doc["chronology"][0]["occurred_on"] = "2099-01-01"
    doc["missing_episodes"][0]["returned_at"] = "2099-01-01T10:00:00+00:00"
    code, body = run(doc, *flags)
    assert code == 1
    assert {
        "$.relationships[0].first_seen",
        "$.relationships[1].target",
        "$.cases[0].opened_on",
        "$.chronology[0].occurred_on",
        "$.missing_episodes[0].returned_at",
    } <= set(body["fields"])
    assert count(Person) == 0


def test_a_re_import_that_reopens_a_case_clears_the_reason_it_was_closed_for(run):
    """The import carries no closing reason: one given in the app described a closing the document undoes."""
    from safeguarding import case_closure

    _, first = run(document())
    case = db.session.get(Case, first["ids"]["c1"])
    lead = case.lead_worker
    data = {"version": case.version, "status": "closed", "closed_reason": "Plan complete"}
    case_closure.change_case_status(db.session, lead, case.id, data)
    kept = document()
    run(kept)  # closed_on left out: the closing made in the app stands, with its reason
    db.session.expire_all()
    assert db.session.get(Case, first["ids"]["c1"]).closed_reason == "Plan complete"
    kept["cases"][0]["closed_on"] = None  # the old system says the case is open
    code, _ = run(kept)
    assert code == 0
    db.session.expire_all()
    reopened = db.session.get(Case, first["ids"]["c1"])
    assert (reopened.status, reopened.closed_on, reopened.closed_reason) == ("open", None, None)


def test_the_import_event_names_the_person_whose_tie_a_correction_ended(run):
    """Moving r2 from p2 to a place ends p2's tie: the import changed p2's data, so "who accessed p2" finds it."""
    _, first = run(document())
    moved = {**document()["relationships"][1], "target": "pl1", "kind": "frequents"}
    code, _ = run({"relationships": [moved]})
    assert code == 0
    latest = [e for e in audit_events() if e.action == "import"][-1]
    assert set(latest.person_id_list) == {first["ids"]["p1"], first["ids"]["p2"]}
