"""The document the import tests start from: every section, with original dates, refs and ref-less items."""

import sqlalchemy as sa

from app.extensions import db


def document(**changes) -> dict:
    doc = {
        "agencies": [
            {"ref": "ag-csc", "name": "Old CSC", "kind": "social_care"},
            {"ref": "ag-pol", "name": "Old Police", "kind": "police"},
            {"ref": "ag-nca", "name": "National Decision Maker", "kind": "other", "external": True},
        ],
        "people": [
            {
                "ref": "p1",
                "given_name": "Jayden",
                "family_name": "Clarke",
                "date_of_birth": "2011-03-27",
                "sex": "male",
                "flags": ["missing_from_home"],
            },
            {"ref": "p2", "given_name": "Kai", "family_name": "Reid", "date_of_birth": "2010-01-02"},
        ],
        "places": [{"ref": "pl1", "name": "Riverside Park", "kind": "park"}],
        "groups": [{"ref": "g1", "name": "Eastside crew"}],
        "relationships": [
            {"source": "p1", "target": "pl1", "kind": "frequents", "agency": "ag-pol", "first_seen": "2024-05-01"},
            {
                "ref": "r2",
                "source": "p1",
                "target": "p2",
                "kind": "friend",
                "agency": "ag-csc",
                "first_seen": "2024-06-01",
                "grading": {"source": "2", "information": "B", "handling": "P"},
                "notes": "Often together",
            },
            {"source": "p2", "target": "g1", "kind": "member_of", "agency": "ag-pol", "first_seen": "2024-07-01"},
        ],
        "cases": [
            {
                "ref": "c1",
                "subject": "p1",
                "agency": "ag-csc",
                "opened_on": "2024-05-10",
                "concerns": ["cce", "missing"],
                "risk_level": "high",
                "members": ["importer.sw"],
            },
            {
                "ref": "c2",
                "subject": "pl1",
                "agency": "ag-pol",
                "opened_on": "2023-01-01",
                "closed_on": "2023-06-30",
                "concerns": ["county_lines"],
                "risk_level": "medium",
            },
        ],
        "chronology": [
            {
                "case": "c1",
                "agency": "ag-csc",
                "occurred_on": "2024-05-11",
                "category": "home_visit",
                "summary": "Visited at home",
                "sensitivity": "general",
            },
            {
                "ref": "e2",
                "case": "c1",
                "agency": "ag-pol",
                "occurred_on": "2024-05-12",
                "category": "police_contact",
                "summary": "Stopped near the station",
                "sensitivity": "intelligence",
            },
        ],
        "missing_episodes": [
            {
                "person": "p1",
                "agency": "ag-pol",
                "reported_at": "2024-05-20T22:00:00+01:00",
                "returned_at": "2024-05-21T09:30:00+01:00",
                "found_at": "pl1",
            }
        ],
        "referrals": [
            {
                "ref": "ref1",
                "person": "p1",
                "from_agency": "ag-pol",
                "to_agency": "ag-csc",
                "urgency": "amber",
                "reason": "Seen with older males",
                "sent_at": "2024-05-09T10:00:00+01:00",
                "acknowledged_at": "2024-05-09T15:00:00+01:00",
                "decided_at": "2024-05-10T11:00:00+01:00",
                "outcome": "accepted",
            },
            {
                "ref": "ref2",
                "person": "p2",
                "from_agency": "ag-csc",
                "to_agency": "ag-nca",
                "urgency": "green",
                "reason": "NRM referral",
                "sent_at": "2024-08-01",
            },
        ],
    }
    doc.update(changes)
    return doc


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))
