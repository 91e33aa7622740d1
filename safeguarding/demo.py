"""A fictional borough for demonstrations: its agencies and one user per role, with a known password."""

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.agency import Agency
from models.user import User
from safeguarding import accounts
from safeguarding.demo_caseload import seed_caseload

DEMO_PASSWORD = "northbridge-demo-2026"  # noqa: S105 - demo only; demo seed is refused in production

AGENCIES = (
    ("Northbridge Children's Social Care", "social_care", False),
    ("Northbridge Police Exploitation Team", "police", False),
    ("Northbridge Youth Service", "youth_service", False),
    ("Northbridge Academy Trust", "education", False),
    ("Northbridge Community Health", "health", False),
    ("Northbridge Youth Justice Service", "youth_justice", False),
    ("Northbridge Council Safeguarding Partnership", "other", False),
    ("Eastmoor Constabulary", "police", True),
)

USERS = (
    ("sw.amara", "Amara", "Okafor", "social_worker", "Northbridge Children's Social Care"),
    ("tm.daniel", "Daniel", "Hughes", "team_manager", "Northbridge Children's Social Care"),
    ("po.priya", "Priya", "Shah", "police_officer", "Northbridge Police Exploitation Team"),
    ("yw.leon", "Leon", "Clarke", "youth_worker", "Northbridge Youth Service"),
    ("hp.grace", "Grace", "Mensah", "health_practitioner", "Northbridge Community Health"),
    ("ep.tom", "Tom", "Reilly", "education_practitioner", "Northbridge Academy Trust"),
    ("sl.helen", "Helen", "Barker", "safeguarding_lead", "Northbridge Council Safeguarding Partnership"),
    ("admin.sam", "Sam", "Patel", "admin", "Northbridge Council Safeguarding Partnership"),
)


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: str
    agency: str
    totp_secret: str


def seed(session: Session) -> list[DemoAccount]:
    """Create what is missing; running it twice changes nothing. Returns every demo account."""
    by_name = {a.name: a for a in session.scalars(select(Agency))}
    for name, kind, external in AGENCIES:
        if name not in by_name:
            by_name[name] = accounts.create_agency(session, None, name=name, kind=kind, external=external)
    session.flush()
    result = []
    for username, given, family, role, agency_name in USERS:
        user = session.scalar(select(User).where(User.username == username))
        if user is None:
            user, _ = accounts.create_user(
                session,
                None,
                username=username,
                agency=by_name[agency_name],
                role=role,
                given_name=given,
                family_name=family,
                password=DEMO_PASSWORD,
            )
            user.totp_confirmed = True  # demo accounts come enrolled, so the printed secret works straight away
        result.append(DemoAccount(username, role, agency_name, user.totp_secret))
    session.commit()
    users = {
        role: session.scalar(select(User).where(User.username == username))
        for username, _given, _family, role, _agency in USERS
    }
    seed_caseload(session, users)
    return result
