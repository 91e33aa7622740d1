"""A synthetic borough, deterministic by seed, written as an import document (so it loads through the import).

Households, schools, peer groups that overlap, places with a heavy-tailed number of visitors, a few adults of
concern, cases, chronologies, referrals across years and missing episodes. Every name is invented.
"""

import random
from datetime import UTC, date, datetime, timedelta

GIVEN = (
    "Jayden",
    "Amira",
    "Tyler",
    "Keisha",
    "Oliver",
    "Zara",
    "Kai",
    "Leah",
    "Mason",
    "Aaliyah",
    "Reece",
    "Chloe",
    "Tariq",
    "Ruby",
    "Ethan",
    "Nia",
    "Callum",
    "Maya",
    "Jamal",
    "Ellie",
    "Kacper",
    "Sofia",
    "Deshawn",
    "Grace",
    "Liam",
    "Ayesha",
    "Connor",
    "Imani",
    "Harvey",
    "Zoë",
    "Priya",
    "Mohammed",
    "Aisha",
    "Noah",
    "Isla",
    "Yusuf",
    "Freya",
    "Kofi",
    "Lily",
    "Mateusz",
    "Hana",
    "Dylan",
    "Esme",
    "Luca",
    "Amara",
    "Rhys",
    "Ines",
    "Tomasz",
    "Safiya",
)
FAMILY = (
    "Clarke",
    "Hussain",
    "Walsh",
    "Okoro",
    "Brennan",
    "Ahmed",
    "Nowak",
    "Campbell",
    "Price",
    "Mensah",
    "Kowalski",
    "Reid",
    "Begum",
    "Doyle",
    "Osei",
    "Patel",
    "Khan",
    "Murphy",
    "Evans",
    "Williams",
    "Jones",
    "Taylor",
    "Brown",
    "Davies",
    "Wilson",
    "Johnson",
    "Robinson",
    "Wright",
    "Thompson",
    "White",
    "Hughes",
    "Edwards",
    "Green",
    "Hall",
    "Wood",
    "Harris",
    "Lewis",
    "Martin",
    "Jackson",
    "Clark",
    "Turner",
    "Hill",
    "Scott",
    "Cooper",
    "Ward",
    "Morris",
    "Moore",
    "King",
    "Baker",
)
PLACE_KINDS = ("estate", "park", "shop", "transport", "address", "online", "other")
AGENCIES = (
    ("social_care", "Northbridge Children's Social Care"),
    ("police", "Northbridge Police"),
    ("youth_service", "Northbridge Youth Service"),
    ("education", "Northbridge Schools"),
    ("health", "Northbridge Community Health"),
    ("youth_justice", "Northbridge Youth Justice Service"),
)
CATEGORIES = (
    "contact",
    "home_visit",
    "meeting",
    "police_contact",
    "missing_episode",
    "education",
    "health_attendance",
    "intelligence",
    "case_note",
)


def borough(people: int = 1000, seed: int = 1, today: date | None = None) -> dict:
    """An import document for a borough of about `people` people."""
    rng, today = random.Random(seed), today or date(2026, 11, 1)
    doc = {
        key: []
        for key in (
            "agencies",
            "people",
            "places",
            "groups",
            "relationships",
            "cases",
            "chronology",
            "missing_episodes",
            "referrals",
        )
    }
    doc["agencies"] = [{"ref": f"ag:{kind}", "name": f"{name} (synthetic)", "kind": kind} for kind, name in AGENCIES]
    agencies = [a["ref"] for a in doc["agencies"]]
    schools = max(2, people // 800)
    places = max(10, people // 20)
    for i in range(schools):
        doc["places"].append({"ref": f"pl:school:{i}", "name": f"Northbridge School {i + 1}", "kind": "school"})
    for i in range(places):
        doc["places"].append({"ref": f"pl:{i}", "name": f"Place {i + 1}", "kind": PLACE_KINDS[i % len(PLACE_KINDS)]})
    doc["groups"] = [{"ref": f"g:{i}", "name": f"Peer group {i + 1}"} for i in range(max(3, people // 60))]
    children = []
    person = 0
    while person < people:
        household, size = person, rng.randint(1, 5)
        family = rng.choice(FAMILY)
        for member in range(min(size, people - person)):
            adult = member == 0 and size > 1
            age = rng.randint(25, 55) if adult else rng.randint(8, 19)
            ref = f"p:{person}"
            born = today - timedelta(days=age * 365 + rng.randint(0, 364))
            doc["people"].append(
                {
                    "ref": ref,
                    "given_name": rng.choice(GIVEN),
                    "family_name": family,
                    "date_of_birth": born.isoformat(),
                    "sex": rng.choice(("female", "male")),
                    **({"flags": ["adult_of_concern"]} if rng.random() < 0.004 else {}),
                }
            )
            if not adult:
                children.append((ref, age))
            if member:
                doc["relationships"].append(
                    _edge(rng, ref, f"p:{household}", "parent" if adult else "sibling", agencies, today)
                )
            person += 1
    _contexts(rng, doc, children, places, schools, agencies, today)
    _casework(rng, doc, children, agencies, today)
    return doc


def _edge(rng, source, target, kind, agencies, today, **extra) -> dict:
    first = today - timedelta(days=rng.randint(10, 1500))
    return {
        "source": source,
        "target": target,
        "kind": kind,
        "agency": rng.choice(agencies),
        "first_seen": first.isoformat(),
        **extra,
    }


def _contexts(rng, doc, children, places, schools, agencies, today) -> None:
    groups = len(doc["groups"])
    for ref, age in children:
        if age <= 16:
            doc["relationships"].append(
                _edge(rng, ref, f"pl:school:{rng.randrange(schools)}", "attends", agencies, today)
            )
        # Heavy-tailed visitors: a few places draw many young people.
        for _ in range(rng.randint(0, 3)):
            place = min(int(rng.paretovariate(1.2)) - 1, places - 1)
            doc["relationships"].append(
                _edge(rng, ref, f"pl:{place}", rng.choice(("frequents", "seen_at")), agencies, today)
            )
        if rng.random() < 0.3:
            for group in {rng.randrange(groups) for _ in range(rng.choice((1, 1, 2)))}:
                doc["relationships"].append(
                    _edge(
                        rng,
                        ref,
                        f"g:{group}",
                        "member_of",
                        agencies,
                        today,
                        grading={"source": "2", "information": "B", "handling": "P"},
                    )
                )
        if rng.random() < 0.2 and len(children) > 1:
            friend = rng.choice(children)[0]
            if friend != ref:
                doc["relationships"].append(
                    _edge(rng, ref, friend, rng.choice(("friend", "associate", "rival")), agencies, today)
                )


def _casework(rng, doc, children, agencies, today) -> None:
    for n, (ref, _age) in enumerate(rng.sample(children, k=max(1, len(children) // 10))):
        opened = today - timedelta(days=rng.randint(20, 900))
        closed = opened + timedelta(days=rng.randint(30, 300)) if rng.random() < 0.4 else None
        doc["cases"].append(
            {
                "ref": f"c:{n}",
                "subject": ref,
                "agency": "ag:social_care",
                "opened_on": opened.isoformat(),
                "closed_on": closed.isoformat() if closed and closed < today else None,
                "concerns": rng.sample(("cce", "cse", "county_lines", "missing", "serious_youth_violence"), 2),
                "risk_level": rng.choice(("low", "medium", "high")),
            }
        )
        for e in range(rng.randint(2, 6)):
            if opened + timedelta(days=e * 7) > today:
                break
            doc["chronology"].append(
                {
                    "ref": f"e:{n}:{e}",
                    "case": f"c:{n}",
                    "agency": rng.choice(agencies),
                    "occurred_on": (opened + timedelta(days=e * 7)).isoformat(),
                    "category": rng.choice(CATEGORIES),
                    "summary": f"Synthetic entry {e + 1}",
                    "sensitivity": rng.choice(("general", "general", "health", "intelligence")),
                }
            )
        sent = datetime.combine(opened - timedelta(days=1), datetime.min.time(), UTC) + timedelta(hours=10)
        decided = rng.random() < 0.8
        doc["referrals"].append(
            {
                "ref": f"r:{n}",
                "person": ref,
                "from_agency": rng.choice(agencies[1:]),
                "to_agency": "ag:social_care",
                "urgency": rng.choice(("red", "amber", "green")),
                "reason": "Synthetic concern",
                "sent_at": sent.isoformat(),
                **(_decision(sent, rng.choice(("accepted", "declined"))) if decided else {}),
            }
        )
        reported = sent + timedelta(days=rng.randint(5, 60)) if rng.random() < 0.3 else None
        # The borough's history ends at `today`: an import refuses what has not happened yet.
        if reported and reported + timedelta(hours=48) <= datetime.combine(today, datetime.min.time(), UTC):
            doc["missing_episodes"].append(
                {
                    "person": ref,
                    "agency": "ag:police",
                    "reported_at": reported.isoformat(),
                    "returned_at": (reported + timedelta(hours=rng.randint(4, 48))).isoformat(),
                }
            )


def _decision(sent: datetime, outcome: str) -> dict[str, str]:
    """A referral's acknowledgement and decision, with the reason a decline needs."""
    decision = {
        "acknowledged_at": (sent + timedelta(hours=2)).isoformat(),
        "decided_at": (sent + timedelta(hours=20)).isoformat(),
        "outcome": outcome,
    }
    if outcome == "declined":
        decision["decline_reason"] = "Threshold not met: signposted to Early Help"
    return decision
