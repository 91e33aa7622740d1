"""A fictional caseload for Northbridge: young people, families, places, peer groups, cases and chronologies.

Everything is made through the same services practitioners use, so it is encrypted and audited like real work.
Deterministic for a given seed. All names and events are invented.
"""

import random
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models.person import Person
from models.user import User
from safeguarding import case_chronology, cases, contexts, missing, people, referrals, synthetic

# The first 30 given names and 15 family names of the synthetic borough's lists.
GIVEN = synthetic.GIVEN[:30]
FAMILY = synthetic.FAMILY[:15]
PLACES = [
    ("Stairwell B, Marsh Estate", "estate", "Marsh"),
    ("Riverside Park skate area", "park", "Riverside"),
    ("Northbridge Station forecourt", "transport", "Central"),
    ("Kwik Stop off-licence, Mill Road", "shop", "Mill"),
    ("Northbridge Academy", "school", "Central"),
    ("Eastfield Pupil Referral Unit", "school", "Eastfield"),
    ("Chicken Palace, High Street", "shop", "Central"),
    ("Flat 14, Tennyson House", "address", "Marsh"),
    ("Snapchat group 'NB Link Up'", "online", None),
    ("Canal towpath by the lock", "other", "Riverside"),
]
GROUPS = ["Marsh Boys", "Eastside crew", "Academy Year 10 friendship group"]
ENTRIES = [
    ("police_contact", "intelligence", "Stopped with two older males near the station; cash and two phones found."),
    ("missing_episode", "general", "Reported missing by carer after not returning from school; found next day."),
    ("education", "general", "Fixed-term exclusion for five days; attendance down to 62% this term."),
    ("health_attendance", "health", "Attended the emergency department with a hand laceration; account unclear."),
    ("home_visit", "general", "Home visit: parent worried about new trainers and late nights."),
    ("meeting", "general", "Strategy discussion held with police, school and youth service."),
    ("return_interview", "general", "Return-home interview: talked about friends on the Marsh Estate."),
    ("intelligence", "intelligence", "Intelligence suggests involvement in a county line running to the coast."),
    ("contact", "general", "Detached youth work session in Riverside Park; engaged well with workers."),
    ("case_note", "restricted", "Disclosure made to the social worker; details held by children's social care."),
]


def seed_caseload(session: Session, users: dict[str, User], seed: int = 7, young_people: int = 30) -> int:
    """Create the caseload once; returns how many people were created (0 when it already exists)."""
    if session.scalar(select(func.count()).select_from(Person)):
        return 0
    rng = random.Random(seed)
    sw, police, youth = users["social_worker"], users["police_officer"], users["youth_worker"]
    health, school = users["health_practitioner"], users["education_practitioner"]
    places = [contexts.create_place(session, sw, {"name": n, "kind": k, "area": a}) for n, k, a in PLACES]
    groups = [contexts.create_group(session, youth, {"name": n}) for n in GROUPS]
    today = date.today()
    created = 0
    adults = []
    for family_name in ("Vance", "Keller"):
        adult = people.record_person(
            session,
            police,
            {
                "given_name": rng.choice(["Dean", "Marcus", "Lee"]),
                "family_name": family_name,
                "date_of_birth": (today - timedelta(days=rng.randint(24, 35) * 365)).isoformat(),
                "flags": ["adult_of_concern"],
                "notes": "Believed to recruit young people for drug supply.",
            },
        )
        adults.append(adult)
        created += 1
    for index in range(young_people):
        household = FAMILY[index % len(FAMILY)]
        child = people.record_person(
            session,
            sw,
            {
                "given_name": GIVEN[index % len(GIVEN)],
                "family_name": household,
                "date_of_birth": (today - timedelta(days=rng.randint(12 * 365, 17 * 365 + 200))).isoformat(),
                "sex": rng.choice(["female", "male"]),
                "address": f"{rng.randint(1, 90)} Tennyson Road, Northbridge",
                "aliases": [rng.choice(["Jay", "Little K", "Z", "Smokey"])] if index % 4 == 0 else [],
                "flags": ["child_in_need"] if index % 3 == 0 else [],
            },
        )
        created += 1
        _link(session, sw, child, places, groups, rng, index)
        if index % 2 == 0:
            _open_case(session, child, sw, police, youth, health, school, rng)
        if index % 14 == 0:
            # Police, now on the child's case, record the suspected exploitation by an adult they know of.
            contexts.add_relationship(
                session,
                police,
                {
                    "source": {"type": "person", "id": child.id},
                    "target": {"type": "person", "id": adults[index % 2].id},
                    "kind": "exploitation_suspected",
                    "grading": {"source": "2", "information": "C", "handling": "C"},
                    "notes": "Seen getting into his car outside the station.",
                },
            )
        if index % 5 == 0:
            _missing(session, sw, child, places, rng)
        if index % 3 == 1:
            _refer(session, child, sw, police, rng, index)
    return created


def _link(session, actor, child, places, groups, rng, index) -> None:
    for kind, target in (
        ("lives_at", places[7] if index % 3 == 0 else None),
        ("attends", places[4 + index % 2]),
        ("frequents", rng.choice(places[:4] + places[8:])),
    ):
        if target is not None:
            contexts.add_relationship(
                session,
                actor,
                {
                    "source": {"type": "person", "id": child.id},
                    "target": {"type": "place", "id": target.id},
                    "kind": kind,
                    "first_seen": (date.today() - timedelta(days=rng.randint(30, 400))).isoformat(),
                },
            )
    if index % 2 == 0:
        contexts.add_relationship(
            session,
            actor,
            {
                "source": {"type": "person", "id": child.id},
                "target": {"type": "group", "id": groups[index % 3].id},
                "kind": "member_of",
                "grading": {"source": "2", "information": "B", "handling": "P"},
            },
        )


def _open_case(session, child, sw, police, youth, health, school, rng) -> None:
    case = cases.open_case(
        session,
        sw,
        {
            "subject": {"type": "person", "id": child.id},
            "concerns": rng.sample(
                ["cce", "county_lines", "missing", "serious_youth_violence", "education_exclusion"], 2
            ),
            "risk_level": rng.choice(["low", "medium", "high"]),
            "summary": "Concerns about exploitation outside the home; multi-agency plan in place.",
        },
    )
    team = [police, youth, health, school]
    for member in team:
        cases.add_member(session, sw, case.id, member.id)
    authors = {"intelligence": police, "health": health, "restricted": sw, "general": None}
    for category, sensitivity, summary in rng.sample(ENTRIES, rng.randint(3, 6)):
        author = authors[sensitivity] or rng.choice([sw, youth, school])
        case_chronology.add_chronology_entry(
            session,
            author,
            case.id,
            {
                "occurred_on": (date.today() - timedelta(days=rng.randint(1, 200))).isoformat(),
                "category": category,
                "sensitivity": sensitivity,
                "summary": summary,
            },
        )
    cases.add_plan_action(
        session,
        sw,
        case.id,
        {
            "description": "Arrange a return-home interview and safety plan",
            "owner_id": youth.id,
            "due_on": (date.today() + timedelta(days=rng.randint(3, 20))).isoformat(),
        },
    )


def _missing(session, actor, child, places, rng) -> None:
    reported = datetime.now(UTC) - timedelta(days=rng.randint(5, 80), hours=rng.randint(0, 20))
    returned = reported + timedelta(hours=rng.randint(6, 40))
    offered = returned + timedelta(hours=rng.choice([20, 50, 100]))
    missing.record_episode(
        session,
        actor,
        child.id,
        {
            "reported_at": reported.isoformat(),
            "returned_at": returned.isoformat(),
            "found_at_place_id": rng.choice(places).id,
            "return_interview_offered_at": offered.isoformat(),
        },
    )


# Referral outcomes to show, in turn: every state, and some left waiting past their due time.
REFERRAL_PATHS = (
    ("submitted", 1),
    ("acknowledged", 3),
    ("accepted", 10),
    ("declined", 6),
    ("withdrawn", 4),
    ("submitted", 9),
)


def _refer(session, child, sender, receiver, rng, index) -> None:
    state, days_ago = REFERRAL_PATHS[(index // 3) % len(REFERRAL_PATHS)]
    sent_at = datetime.now(UTC) - timedelta(days=days_ago, hours=rng.randint(0, 6))
    referral = referrals.submit_referral(
        session,
        sender,
        {
            "person_id": child.id,
            "to_agency_id": receiver.agency_id,
            "urgency": rng.choice(["red", "amber", "green"]),
            "reason": "Seen in the company of older males at the station late at night; new phone and clothes.",
            "lawful_basis": "consent" if index % 2 else None,
        },
        sent_at=sent_at,
    )
    steps = {
        "acknowledged": ["acknowledge"],
        "accepted": ["acknowledge", "accept"],
        "declined": ["decline"],
        "withdrawn": ["withdraw"],
    }.get(state, [])
    for hours, action in enumerate(steps, start=2):
        actor = sender if action == "withdraw" else receiver
        referrals.transition(
            session,
            actor,
            referral.id,
            action,
            {"reason": "Below threshold: signposted to early help"},
            at=sent_at + timedelta(hours=hours),
        )
