"""Who may see what (SPEC section 4): one module, deny by default.

A person is visible in full through a legitimate relationship — recorder (30 days), case team, referral
(open, and 30 days after), break-glass (60 minutes) — or in a limited view as a context neighbour (within
two hops of someone on the user's own cases). Administrators see no personal data.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from sqlalchemy import func, or_, select, union
from sqlalchemy.orm import Session

from models.base import utcnow
from models.case import Case, CaseMember, ChronologyEntry
from models.context import Place, Relationship
from models.id_lists import among, read_columns
from models.person import Person
from models.referral import FINAL_STATES, Referral
from models.safeguarding_events import BreakGlassGrant
from models.user import PRACTITIONER_ROLES
from safeguarding import graph_cache
from safeguarding.graph.adjacency import Adjacency, key_of
from safeguarding.graph.types import NodeRef

RECORDER_WINDOW = timedelta(days=30)
REFERRAL_AFTERCARE = timedelta(days=30)
BREAK_GLASS_DURATION = timedelta(minutes=60)
BREAK_GLASS_MIN_REASON = 20
CONTEXT_HOPS = 2

# Who may see personal data at all: practitioners, and safeguarding leads on the same terms as anyone else.
PERSONAL_DATA_ROLES = frozenset(PRACTITIONER_ROLES) | {"safeguarding_lead"}
HEALTH_ROLES = frozenset({"health_practitioner", "social_worker", "team_manager"})
INTELLIGENCE_ROLES = frozenset({"police_officer", "social_worker", "team_manager"})
FULL_BASES = ("recorder", "case_team", "referral", "break_glass")

Level = Literal["full", "limited", "none"]
Node = tuple[str, str]  # (type, id) of a person, place or group


@dataclass(frozen=True)
class PersonAccess:
    """The outcome of the policy for one actor and one person."""

    level: Level
    bases: tuple[str, ...] = ()
    break_glass_allowed: bool = False

    @property
    def full(self) -> bool:
        return self.level == "full"

    @property
    def visible(self) -> bool:
        return self.level != "none"

    @property
    def via_break_glass(self) -> bool:
        return self.bases == ("break_glass",)

    @property
    def lasting(self) -> bool:
        """Full access on a rule other than break-glass, which reads for an hour but cannot make access last."""
        return self.full and not self.via_break_glass


NO_ACCESS = PersonAccess("none")


def may_see_personal_data(actor) -> bool:
    return actor is not None and actor.role in PERSONAL_DATA_ROLES


def person_access(session: Session, actor, person_id: str, now: datetime | None = None) -> PersonAccess:
    return people_access(session, actor, [person_id], now)[person_id]


def people_access(
    session: Session, actor, person_ids: Iterable[str], now: datetime | None = None, links: Adjacency | None = None
) -> dict[str, PersonAccess]:
    """The policy for many people at once (search results, maps), in a handful of queries.

    A map passes the current adjacency it was drawn from as `links`: the people shown are then checked against
    the context-neighbour rule from it, instead of reading their links again."""
    ids = set(person_ids)
    if not ids or not may_see_personal_data(actor):
        return dict.fromkeys(ids, NO_ACCESS)
    team_people = case_team_people(session, actor)
    result = _full_access(session, actor, ids, now or utcnow(), team_people)
    remaining = ids - result.keys()
    neighbours = context_neighbours(session, team_people, remaining, links) if remaining else set()
    for person_id in remaining:
        if person_id in neighbours:
            result[person_id] = PersonAccess("limited", ("context_neighbour",), break_glass_allowed=True)
        else:
            result[person_id] = PersonAccess("none", break_glass_allowed=True)
    return result


def full_access(
    session: Session, actor, person_ids: Iterable[str], now: datetime | None = None
) -> dict[str, PersonAccess]:
    """Those of `person_ids` the actor sees in full, as people_access() gives them; the rest are left out.

    For what only full access decides (whose home shows, whose case may be opened): it spares the context-neighbour
    rule, a walk of the links of everyone asked about, thousands at a busy place."""
    ids = set(person_ids)
    if not ids or not may_see_personal_data(actor):
        return {}
    return _full_access(session, actor, ids, now or utcnow(), case_team_people(session, actor))


def _full_access(
    session: Session, actor, ids: set[str], now: datetime, team_people: set[str]
) -> dict[str, PersonAccess]:
    bases_by_rule = {
        "recorder": _recorded_recently(session, actor, ids, now),
        "case_team": team_people & ids,
        "referral": _referral_people(session, actor, ids, now),
        "break_glass": _break_glass_people(session, actor, ids, now),
    }
    seen = set().union(*bases_by_rule.values())
    return {
        person_id: PersonAccess("full", tuple(rule for rule in FULL_BASES if person_id in bases_by_rule[rule]))
        for person_id in seen
    }


def _recorded_recently(session: Session, actor, ids: set[str], now: datetime) -> set[str]:
    # From the recorder's index, not the ids asked about: a practitioner's records of the last 30 days are few,
    # and a map asks about ~300 people.
    query = select(Person.id).where(Person.recorded_by_id == actor.id, Person.created_at > now - RECORDER_WINDOW)
    return ids & set(read_columns(session, query).scalars())


def open_cases_of(session: Session, actor) -> list[Case]:
    query = (
        select(Case)
        .join(CaseMember, CaseMember.case_id == Case.id)
        .where(CaseMember.user_id == actor.id, CaseMember.removed_at.is_(None), Case.status == "open")
    )
    return list(session.scalars(query).unique())


def case_team_people(session: Session, actor) -> set[str]:
    """People the actor sees by rule 1: subjects of their open cases, and people linked to context subjects."""
    query = (
        select(Case.subject_person_id, Case.subject_place_id, Case.subject_group_id)
        .join(CaseMember, CaseMember.case_id == Case.id)
        .where(CaseMember.user_id == actor.id, CaseMember.removed_at.is_(None), Case.status == "open")
    )
    subjects = read_columns(session, query).all()
    people = {person for person, _place, _group in subjects if person}
    places = {place for _person, place, _group in subjects if place}
    groups = {group for _person, _place, group in subjects if group}
    if places or groups:
        people |= {person for _context, person in read_columns(session, _context_ties(places, groups))}
    return people


def _context_ties(places: Iterable[str] = (), groups: Iterable[str] = ()):
    """(place or group, person) of the current ties to these contexts: whom a case about a context reaches."""
    return select(
        func.coalesce(Relationship.target_place_id, Relationship.target_group_id), Relationship.source_person_id
    ).where(
        Relationship.ended_on.is_(None),
        or_(among(Relationship.target_place_id, set(places)), among(Relationship.target_group_id, set(groups))),
    )


def works_in_context(session: Session, actor, kind: str, context_id: str) -> bool:
    """Whether the actor may open a case about this place or group: its team sees everyone tied to it (rule 1), so
    that needs lasting access to one of them already, work under way there rather than a way in."""
    ties = session.execute(_context_ties(**{f"{kind}s": [context_id]})).all()
    return any(a.lasting for a in full_access(session, actor, {person for _, person in ties}).values())


def _referral_people(session: Session, actor, ids: set[str], now: datetime) -> set[str]:
    if actor.role not in PRACTITIONER_ROLES:
        return set()
    # Looked up by person only, the agencies checked here: a person has a few referrals, but an agency's box holds
    # thousands, and SQLite (which keeps no statistics) would read the whole box to answer an OR of the two agencies.
    query = select(
        Referral.person_id,
        Referral.from_agency_id,
        Referral.to_agency_id,
        Referral.status,
        Referral.decided_at,
        Referral.withdrawn_at,
    ).where(among(Referral.person_id, ids))
    found = set()
    for person_id, from_agency, to_agency, status, decided_at, withdrawn_at in read_columns(session, query):
        if actor.agency_id in (from_agency, to_agency) and _referral_in_force(status, decided_at or withdrawn_at, now):
            found.add(person_id)
    return found


def _referral_in_force(status: str, closed_at: datetime | None, now: datetime) -> bool:
    """Whether a referral still gives its two agencies what it is about: while open, and for 30 days after."""
    return status not in FINAL_STATES or bool(closed_at and closed_at > now - REFERRAL_AFTERCARE)


def _referred_homes(session: Session, actor, ids: set[str], now: datetime) -> set[str]:
    """Of these homes, those a referral of the actor's agency is about, on the terms rule 2 gives people: the
    receiving agency sees the place referred to it, and no person by it."""
    if actor.role not in PRACTITIONER_ROLES:
        return set()
    query = select(Referral.place_id, Referral.status, Referral.decided_at, Referral.withdrawn_at).where(
        among(Referral.place_id, ids),
        or_(Referral.from_agency_id == actor.agency_id, Referral.to_agency_id == actor.agency_id),
    )
    return {
        place_id
        for place_id, status, decided_at, withdrawn_at in read_columns(session, query)
        if _referral_in_force(status, decided_at or withdrawn_at, now)
    }


def _break_glass_people(session: Session, actor, ids: set[str], now: datetime) -> set[str]:
    # A user's grants are few (emergencies, each reviewed): read them by user rather than probe every id a map
    # shows, which on PostgreSQL cost more in sending the ids than the lookups themselves.
    grants = BreakGlassGrant
    query = select(grants.person_id).where(grants.user_id == actor.id, grants.expires_at > now)
    return ids & set(read_columns(session, query).scalars())


def context_neighbours(session: Session, seeds: set[str], wanted: set[str], links: Adjacency | None = None) -> set[str]:
    """Which of `wanted` lie within two hops of the seed people; places and groups count as hops.

    Met in the middle: the seeds' own links and the wanted people's own links, so a school or a busy place between
    them is never expanded into everyone linked to it. The wanted people's links come from `links`, the current
    adjacency, when given; otherwise from the database.
    """
    if not seeds or not wanted:
        return set()
    # The same viewer's neighbourhood serves every map and search they make until a relationship changes.
    seeds_key = frozenset(seeds)
    near_seeds = graph_cache.remembered(session, "near_seeds", seeds_key, lambda: _near(session, seeds), links)
    found = {p for p in wanted if ("person", p) in near_seeds}
    rest = wanted - found
    if links is not None:
        near_keys = graph_cache.remembered(
            session, "near_seed_keys", seeds_key, lambda: frozenset(key_of(NodeRef(*n)) for n in near_seeds), links
        )
        return found | {p for p in rest if links.linked_openly(NodeRef("person", p), near_keys)}
    for one, other in _open_links(session, {("person", p) for p in rest}):
        for (kind, node_id), middle in ((one, other), (other, one)):
            if kind == "person" and node_id in wanted and middle in near_seeds:
                found.add(node_id)
    return found


def _near(session: Session, people: Iterable[str]) -> frozenset[Node]:
    """The people and whatever they have an open link to."""
    near = {("person", p) for p in people}
    for ends in _open_links(session, near):
        near.update(ends)
    return frozenset(near)


def _open_links(session: Session, nodes: set[Node]) -> list[tuple[Node, Node]]:
    """The two ends of every relationship not ended that touches one of the nodes."""
    people = [i for k, i in nodes if k == "person"]
    places = [i for k, i in nodes if k == "place"]
    groups = [i for k, i in nodes if k == "group"]
    ends = (
        Relationship.source_person_id,
        Relationship.target_person_id,
        Relationship.target_place_id,
        Relationship.target_group_id,
    )
    # Columns only (loading ORM objects would dominate the cost), and one indexed lookup per column in a UNION:
    # PostgreSQL answers an OR of IN lists over four columns with a scan of the whole table.
    lookups = [
        select(*ends).where(Relationship.ended_on.is_(None), column.in_(ids))
        for column, ids in zip(ends, (people, people, places, groups), strict=True)
        if ids
    ]
    if not lookups:
        return []
    query = union(*lookups)
    return [
        (("person", source), ("person", person) if person else ("place", place) if place else ("group", group))
        for source, person, place, group in session.execute(query)
    ]


CaseRole = Literal["team", "reader", None]


def visible_addresses(
    session: Session,
    actor,
    place_ids: Iterable[str],
    links: Adjacency | None = None,
    access: dict[str, PersonAccess] | None = None,
    *,
    lasting: bool = False,
) -> set[str]:
    """Of these places of kind `address`, the ones the actor may see: someone's home, which the limited view leaves
    out (SPEC section 4), shows only to whoever recorded it, may see in full a person tied to it, or works in an
    agency that sent or received a referral about it (while open, and for 30 days after).

    A map passes the adjacency it was drawn from, whose current ties are the ones counted, and its full_access()
    to the people on it (only full access counts here). lasting: only on a basis other than break-glass (to refer
    the home, which makes its access last)."""
    ids = set(place_ids)
    if not ids or not may_see_personal_data(actor):
        return set()
    counts = (lambda a: a.lasting) if lasting else (lambda a: a.full)
    shown: set[str] = set()
    if links is None:
        ties = session.execute(_context_ties(places=ids)).all()
        access = full_access(session, actor, {person for _, person in ties})
    else:
        # A home where someone the map already holds access to lives shows at once: only the others need the
        # access of everyone living there, thousands of people at the busiest.
        access = access or {}
        known = frozenset(key_of(NodeRef("person", person)) for person, a in access.items() if counts(a))
        shown = {place for place in ids if links.linked_openly(NodeRef("place", place), known)}
        ties = [(place, person.id) for place in ids - shown for person in links.tied_openly(NodeRef("place", place))]
        if unknown := {person for _, person in ties} - access.keys():
            access = {**access, **full_access(session, actor, unknown)}
    held = {person for person, a in access.items() if counts(a)}
    seen = shown | {place for place, person in ties if place in ids and person in held}
    if rest := ids - seen:
        seen |= set(session.scalars(select(Place.id).where(among(Place.id, rest), Place.recorded_by_id == actor.id)))
    if rest := ids - seen:
        seen |= _referred_homes(session, actor, rest, utcnow())
    return seen


def case_role(session: Session, actor, case: Case, now: datetime | None = None) -> CaseRole:
    """'team' for current members of an open case (read and add), 'reader' for full access to the subject person,
    else None."""
    return case_access(session, actor, case, now)[0]


def case_access(
    session: Session, actor, case: Case, now: datetime | None = None
) -> tuple[CaseRole, PersonAccess | None]:
    """case_role, with the access to the subject person a reader reads by (its bases decide the audit flag)."""
    if not may_see_personal_data(actor):
        return None, None
    if case.is_open and case.has_member(actor.id):  # rule 1: the team of an open case
        return "team", None
    if case.subject_person_id and (access := person_access(session, actor, case.subject_person_id, now)).full:
        return "reader", access
    return None, None


def leads_case(actor, case: Case) -> bool:
    """The case's lead worker, or a team manager of its lead agency (who reassigns their agency's cases and approves
    their closure, SPEC 1)."""
    return actor.id == case.lead_worker_id or may_reassign_case(actor, case)


def may_reassign_case(actor, case: Case) -> bool:
    """Who may hand the case to another lead worker: a team manager of its lead agency, on the team or not, so that a
    case whose lead has left can be handed on (SPEC 1)."""
    return actor is not None and actor.role == "team_manager" and actor.agency_id == case.lead_agency_id


def may_change_case_status(actor, case: Case) -> bool:
    """Who may close a case, reopen it or change its risk level and concerns: one on its team who leads it
    (leads_case). Closing ends rule 1 for the whole team, so it is not for every member to decide."""
    return may_record_people(actor) and case.has_member(actor.id) and leads_case(actor, case)


EntryView = Literal["full", "exists", "hidden"]


def entry_view(actor, entry: ChronologyEntry) -> EntryView:
    """Field sensitivity: health, intelligence and restricted entries are narrowed further. Health and intelligence
    go by role, whatever the agency (a youth worker seconded to the police reads no intelligence); restricted by the
    authoring agency. Their authors hold the role (sensitivity_refusal), so they read what they wrote."""
    if entry.sensitivity == "restricted":
        return "full" if entry.agency_id == actor.agency_id else "hidden"
    if entry.sensitivity == "health":
        return "full" if actor.role in HEALTH_ROLES else "hidden"
    if entry.sensitivity == "intelligence":
        return "full" if actor.role in INTELLIGENCE_ROLES else "exists"
    return "full"


def reads_relationship_notes(actor, edge) -> bool:
    """A graded relationship is intelligence (the 3x5x2 grading, SPEC 2): its notes are intelligence content, read
    by the roles that read intelligence entries and by the agency that recorded it; others see the edge and its
    grade, that is that it exists (SPEC 4)."""
    return edge.grading is None or edge.agency_id == actor.agency_id or actor.role in INTELLIGENCE_ROLES


# Who may read (and so write) the content of each narrowed sensitivity.
_SENSITIVITY_ROLES = {
    "health": (HEALTH_ROLES, "health practitioners"),
    "intelligence": (INTELLIGENCE_ROLES, "police officers"),
}


def sensitivity_refusal(actor, sensitivity: str) -> str | None:
    """Why the actor may not write an entry of this sensitivity, or None: who may write it is who may read it
    (SPEC sections 1 and 4), so no author holds an entry they could not be shown."""
    roles, who = _SENSITIVITY_ROLES.get(sensitivity, (None, ""))
    if roles is None or actor.role in roles:
        return None
    return f"Only {who}, social workers and team managers record {sensitivity} entries"


def may_record_people(actor) -> bool:
    return actor is not None and actor.role in PRACTITIONER_ROLES
