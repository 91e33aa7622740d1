"""Opening a case and the case page: team, plan and the merged chronology behind the sensitivity rules."""

import uuid

import pytest

from app.extensions import db
from models.case import Case, CaseMember, ChronologyEntry, PlanAction
from safeguarding.break_glass import break_glass
from safeguarding.validation import add_months, uk_today
from tests.web.helpers import assert_good_page, audit_events, page
from tests.web.pages.helpers import count, dob, error_summary, main_text, post_form


@pytest.fixture
def team(make_user):
    return {
        role: make_user(role) for role in ("social_worker", "police_officer", "youth_worker", "health_practitioner")
    }


@pytest.fixture
def child(team, make_person):
    return make_person(team["social_worker"], given_name="Leon", family_name="Achterberg")


@pytest.fixture
def case(team, child, make_case):
    lead = team["social_worker"]
    return make_case(lead, child, members=[team["police_officer"], team["youth_worker"], team["health_practitioner"]])


@pytest.fixture
def chronology(team, case, add_entry):
    """One entry of each kind, added out of date order by different agencies."""
    add_entry(team["social_worker"], case, "2026-02-10", "home_visit", "general", "Home visit: mother worried")
    add_entry(team["police_officer"], case, "2026-01-05", "intelligence", "intelligence", "Seen with a known dealer")
    add_entry(team["health_practitioner"], case, "2026-01-20", "health_attendance", "health", "Attended ED, stab wound")
    add_entry(team["youth_worker"], case, "2026-01-12", "contact", "general", "Detached session at the park")


def rows(response) -> list[str]:
    return [r.get_text(" ", strip=True) for r in page(response).select(".sc-chronology tbody tr")]


def test_a_practitioner_opens_a_case_from_the_person_page(login, team, child):
    client = login(team["social_worker"])
    form_page = f"/people/{child.id}/cases/new"
    assert_good_page(client.get(form_page))
    refused = post_form(client, form_page, {"summary": ""})
    assert refused.status_code == 422
    assert "Select at least one concern" in error_summary(refused) and "Select the risk level" in error_summary(refused)
    assert count(Case) == 0
    data = {"concerns": ["cce", "county_lines"], "risk_level": "high", "summary": "Found in Eastmoor, 40 miles away"}
    opened = post_form(client, form_page, data)
    assert opened.status_code == 302
    case_page = client.get(opened.headers["Location"])
    soup = assert_good_page(case_page)
    assert soup.h1.get_text(strip=True) == "Case about Leon Achterberg"
    assert "County lines" in main_text(case_page) and "Lead worker" in main_text(case_page)


def test_the_case_page_is_a_good_page_for_every_team_member(login, team, case, chronology):
    for user in team.values():
        assert_good_page(login(user).get(f"/cases/{case.id}"))


def test_a_team_member_adds_entries_and_sees_the_chronology_in_date_order(login, team, case, chronology):
    client = login(team["social_worker"])
    data = {"occurred_on": dob(8, 1, 2026), "category": "meeting", "sensitivity": "general", "summary": "Strategy"}
    added = post_form(client, f"/cases/{case.id}", data, f"/cases/{case.id}/chronology")
    assert added.status_code == 302
    dates = [row.split(" Agency")[0] for row in rows(client.get(f"/cases/{case.id}"))]
    assert dates == ["5 January 2026", "8 January 2026", "12 January 2026", "20 January 2026", "10 February 2026"]


def test_a_bad_entry_is_shown_on_the_case_page_with_422_and_nothing_is_written(login, team, case):
    client = login(team["police_officer"])
    before = count(ChronologyEntry)
    data = {"occurred_on": dob(31, 4, 2026), "category": "", "sensitivity": "secret", "summary": "x\x00"}
    response = post_form(client, f"/cases/{case.id}", data, f"/cases/{case.id}/chronology")
    assert response.status_code == 422
    summary = error_summary(response)
    assert "Date it happened must be a real date" in summary and "Select a category" in summary
    assert_good_page(response)
    assert count(ChronologyEntry) == before


def test_filters_narrow_the_chronology_by_agency_category_and_sensitivity(login, team, case, chronology):
    client = login(team["social_worker"])
    police_agency = team["police_officer"].agency_id
    by_agency = rows(client.get(f"/cases/{case.id}?agency={police_agency}"))
    assert len(by_agency) == 1 and "Seen with a known dealer" in by_agency[0]
    by_category = rows(client.get(f"/cases/{case.id}?category=contact"))
    assert len(by_category) == 1 and "Detached session" in by_category[0]
    by_sensitivity = rows(client.get(f"/cases/{case.id}?sensitivity=health"))
    assert len(by_sensitivity) == 1 and "Attended ED" in by_sensitivity[0]
    assert len(rows(client.get(f"/cases/{case.id}?category=not-a-category"))) == 4


def test_a_youth_worker_on_the_team_sees_that_an_intelligence_entry_exists_but_not_its_content(
    login, team, case, chronology
):
    response = login(team["youth_worker"]).get(f"/cases/{case.id}")
    text = main_text(response)
    assert "Intelligence entry — content withheld" in text
    assert "known dealer" not in text
    assert "Attended ED" not in text  # health entries are not shown to youth workers at all


def test_a_health_entry_is_hidden_from_a_police_officer(login, team, case, chronology):
    chronology_rows = " ".join(rows(login(team["police_officer"]).get(f"/cases/{case.id}")))
    assert "Attended ED" not in chronology_rows and "Health attendance" not in chronology_rows
    assert "Seen with a known dealer" in chronology_rows


def test_another_agencys_user_not_on_the_team_gets_403_for_the_case_and_its_forms(login, make_user, make_agency, case):
    outsider = login(make_user("police_officer", agency=make_agency("Eastmoor Constabulary", kind="police")))
    assert outsider.get(f"/cases/{case.id}").status_code == 403
    before = count(ChronologyEntry)
    data = {"occurred_on": dob(1, 1, 2026), "category": "contact", "sensitivity": "general", "summary": "Sneaky"}
    response = post_form(outsider, "/people/search", data, f"/cases/{case.id}/chronology")
    assert response.status_code == 403
    assert count(ChronologyEntry) == before


def test_team_members_add_a_practitioner_by_username(login, team, case, make_user):
    client = login(team["social_worker"])
    teacher = make_user("education_practitioner")
    unknown = post_form(client, f"/cases/{case.id}", {"username": "nobody.here"}, f"/cases/{case.id}/members")
    assert unknown.status_code == 422 and "No user has that username" in error_summary(unknown)
    added = post_form(client, f"/cases/{case.id}", {"username": teacher.username.upper()}, f"/cases/{case.id}/members")
    assert added.status_code == 302
    assert teacher.display_name in page(login(teacher).get(f"/cases/{case.id}")).select_one("#team ~ table").text
    again = post_form(client, f"/cases/{case.id}", {"username": teacher.username}, f"/cases/{case.id}/members")
    assert again.status_code == 422 and "already on the team" in error_summary(again)


def test_team_members_remove_a_practitioner_but_never_the_lead_worker(login, team, case, make_user, make_agency):
    client = login(team["social_worker"])
    youth_worker, lead = team["youth_worker"], team["social_worker"]
    table = page(client.get(f"/cases/{case.id}")).select_one("#team ~ table")
    remove_buttons = [button.get_text(" ", strip=True) for button in table.select("button")]
    assert f"Remove {youth_worker.display_name} from the team" in remove_buttons
    assert f"Remove {lead.display_name} from the team" not in remove_buttons
    removed = post_form(client, f"/cases/{case.id}", {}, f"/cases/{case.id}/team/{youth_worker.id}/remove")
    assert removed.status_code == 302
    assert youth_worker.display_name not in page(client.get(f"/cases/{case.id}")).select_one("#team ~ table").text
    refused = post_form(client, f"/cases/{case.id}", {}, f"/cases/{case.id}/team/{lead.id}/remove")
    assert refused.status_code == 409 and "The lead worker cannot be removed" in main_text(refused)
    unknown = post_form(client, f"/cases/{case.id}", {}, f"/cases/{case.id}/team/{uuid.uuid4()}/remove")
    assert unknown.status_code == 404
    outsider = login(make_user("police_officer", agency=make_agency("Eastmoor Constabulary", kind="police")))
    path = f"/cases/{case.id}/team/{team['police_officer'].id}/remove"
    assert post_form(outsider, "/people/search", {}, path).status_code == 403
    db.session.expire_all()
    assert {m.user_id for m in db.session.get(Case, case.id).current_members} == {
        lead.id,
        team["police_officer"].id,
        team["health_practitioner"].id,
    }


def test_other_members_leave_the_team_but_do_not_take_others_off_it(login, team, case, make_user):
    youth_worker, officer = team["youth_worker"], team["police_officer"]
    client = login(youth_worker)
    table = page(client.get(f"/cases/{case.id}")).select_one("#team ~ table")
    assert [button.get_text(" ", strip=True) for button in table.select("button")] == ["Leave the team"]
    refused = post_form(client, f"/cases/{case.id}", {}, f"/cases/{case.id}/team/{officer.id}/remove")
    assert refused.status_code == 403 and "lead worker, or a team manager of the lead agency" in main_text(refused)
    denial = audit_events("denied")[-1]
    assert (denial.actor_user_id, denial.object_id, denial.person_id_list) == (
        youth_worker.id,
        case.id,
        [case.subject_person_id],
    )
    left = post_form(client, f"/cases/{case.id}", {}, f"/cases/{case.id}/team/{youth_worker.id}/remove")
    assert left.status_code == 302
    manager = make_user("team_manager", agency=team["social_worker"].agency)
    manager_client = login(manager)
    db.session.add(CaseMember(case_id=case.id, user_id=manager.id, added_by_id=team["social_worker"].id))
    db.session.commit()
    taken_off = post_form(manager_client, f"/cases/{case.id}", {}, f"/cases/{case.id}/team/{officer.id}/remove")
    assert taken_off.status_code == 302
    db.session.expire_all()
    assert {m.user_id for m in db.session.get(Case, case.id).current_members} == {
        team["social_worker"].id,
        team["health_practitioner"].id,
        manager.id,
    }


def test_someone_who_may_read_the_case_but_is_not_on_the_team_sees_no_forms_and_cannot_post(
    login, team, child, case, make_user
):
    assert login(team["youth_worker"]).get(f"/cases/{case.id}").status_code == 200
    officer = make_user("police_officer")  # same force as the team's officer, but not on the team
    break_glass(db.session, officer, child.id, "Missing overnight, last seen with an adult of concern")
    reader = login(officer)
    soup = page(reader.get(f"/cases/{case.id}"))
    assert "Not on the team" in soup.text and not soup.select('form[method="post"][action^="/cases/"]')
    for action in ("chronology", "actions", "members"):
        assert post_form(reader, "/people/search", {}, f"/cases/{case.id}/{action}").status_code == 403, action
    assert login(make_user("safeguarding_lead")).get(f"/cases/{case.id}").status_code == 403


def test_the_team_is_offered_next_steps_and_a_referral_started_from_the_case_leads_back_to_it(
    login, team, child, case, make_user
):
    client = login(team["social_worker"])
    steps = page(client.get(f"/cases/{case.id}")).select_one(".sc-next-steps")
    links = {a.get_text(strip=True): a["href"] for a in steps.select("a")}
    assert links["Add an entry to the chronology"] == "#add-entry"
    assert links["Add a practitioner to the team"] == "#username"
    referral_form = client.get(links["Make a referral about Leon Achterberg"])
    back = assert_good_page(referral_form).select_one(".govuk-back-link")
    assert (back["href"], back.get_text(strip=True)) == (f"/cases/{case.id}", "Back to the case")
    assert page(referral_form).select_one("main form")["action"] == f"/people/{child.id}/referrals/new?case={case.id}"
    # A case that is not about this person does not become the way back.
    stray = client.get(f"/people/{child.id}/referrals/new?case={uuid.uuid4()}")
    assert page(stray).select_one(".govuk-back-link")["href"] == f"/people/{child.id}"

    officer = make_user("police_officer")
    break_glass(db.session, officer, child.id, "Missing overnight, last seen with an adult of concern")
    assert not page(login(officer).get(f"/cases/{case.id}")).select_one(".sc-next-steps")


def test_a_young_person_nearing_18_raises_a_transition_prompt_on_their_open_case(login, team, make_person, make_case):
    today = uk_today()
    born = add_months(today, -(17 * 12 + 7))
    lead = team["social_worker"]
    nearly_adult = make_person(lead, given_name="Kofi", family_name="Mensah", date_of_birth=born.isoformat())
    case = make_case(lead, nearly_adult)
    client = login(lead)
    for path in (f"/cases/{case.id}", f"/people/{nearly_adult.id}"):
        warning = page(client.get(path)).select_one(".govuk-warning-text").get_text(" ", strip=True)
        assert "Turns 18 on" in warning or "turns 18 on" in warning
        assert "transition to adult services" in warning


def test_plan_actions_are_added_and_marked_done_and_a_stale_version_is_refused(login, team, case):
    client = login(team["social_worker"])
    data = {
        "description": "Offer a return-home interview",
        "owner_id": team["youth_worker"].id,
        "due_on": dob(1, 3, 2026),
    }
    assert post_form(client, f"/cases/{case.id}", data, f"/cases/{case.id}/actions").status_code == 302
    soup = page(client.get(f"/cases/{case.id}"))
    plan = soup.select_one("#plan ~ table").get_text(" ", strip=True)
    assert "Offer a return-home interview" in plan and "YouthWorker Tester" in plan and "1 March 2026" in plan
    done_form = soup.select_one('form[action$="/done"]')
    version = done_form.select_one('input[name="version"]')["value"]
    assert post_form(client, f"/cases/{case.id}", {"version": version}, done_form["action"]).status_code == 302
    assert "Done" in page(client.get(f"/cases/{case.id}")).select_one("#plan ~ table").text
    stale = post_form(client, f"/cases/{case.id}", {"version": int(version) - 1}, done_form["action"])
    assert stale.status_code == 409
    assert "changed by someone else" in error_summary(stale)


def test_marking_a_plan_action_done_is_audited_against_the_child(login, team, case, child):
    client = login(team["social_worker"])
    data = {"description": "Offer a return-home interview", "owner_id": team["youth_worker"].id}
    assert post_form(client, f"/cases/{case.id}", data, f"/cases/{case.id}/actions").status_code == 302
    done_form = page(client.get(f"/cases/{case.id}")).select_one('form[action$="/done"]')
    version = done_form.select_one('input[name="version"]')["value"]
    assert post_form(client, f"/cases/{case.id}", {"version": version}, done_form["action"]).status_code == 302
    [done] = [e for e in audit_events("update") if e.object_type == "plan_action"]
    assert done.person_id_list == [child.id]


def test_a_plan_action_owner_must_be_on_the_team(login, team, case, make_user):
    client = login(team["social_worker"])
    stranger = make_user("police_officer")
    data = {"description": "Visit", "owner_id": stranger.id}
    response = post_form(client, f"/cases/{case.id}", data, f"/cases/{case.id}/actions")
    assert response.status_code == 422 and "Choose a member of the case team" in error_summary(response)
    assert count(PlanAction) == 0


def test_an_unknown_case_is_404(login, team):
    client = login(team["social_worker"])
    assert client.get(f"/cases/{uuid.uuid4()}").status_code == 404


def test_the_person_page_lists_their_cases_and_linked_family_cases(
    login, team, child, case, make_person, make_case, relate
):
    lead = team["social_worker"]
    sister = make_person(lead, given_name="Mila", family_name="Achterberg")
    relate(lead, child, sister, "sibling")
    sister_case = make_case(lead, sister, concerns=["cse"])
    soup = page(login(lead).get(f"/people/{child.id}"))
    assert soup.select_one(f'#cases ~ table a[href="/cases/{case.id}"]')
    family = soup.select_one("#family ~ table")
    assert family.select_one(f'a[href="/cases/{sister_case.id}"]') and "Mila Achterberg" in family.text


def test_the_family_cases_a_person_page_shows_are_audited_against_their_subjects(
    login, team, child, case, make_person, make_case, relate
):
    lead = team["social_worker"]
    mother = make_person(lead, given_name="Anke", family_name="Achterberg")
    brother = make_person(lead, given_name="Tim", family_name="Achterberg")
    relate(lead, child, mother, "parent")
    relate(lead, brother, mother, "parent")
    brother_case = make_case(lead, brother, concerns=["cse"])
    before = len(audit_events())
    soup = page(login(lead).get(f"/people/{child.id}"))
    assert soup.select_one("#family ~ table").select_one(f'a[href="/cases/{brother_case.id}"]')
    shown = audit_events()[before:]
    assert any(brother.id in e.person_id_list and e.object_type == "family_cases" for e in shown)


def test_no_family_cases_event_is_written_when_no_family_case_is_shown(login, team, child, case, make_person, relate):
    lead = team["social_worker"]
    relate(lead, child, make_person(lead, given_name="Anke", family_name="Achterberg"), "parent")
    before = len(audit_events())
    assert login(lead).get(f"/people/{child.id}").status_code == 200
    assert not [e for e in audit_events()[before:] if e.object_type == "family_cases"]
