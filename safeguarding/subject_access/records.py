"""What is held about a person, read for a subject access bundle: one query per kind of record, each over the
person and every record merged into them, so that a bundle for a child with hundreds of records stays quick."""

from dataclasses import dataclass, field

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from audit.models import AuditEvent
from audit.person_index import touched
from models.case import Case, ChronologyEntry, PlanAction
from models.context import Place, Relationship
from models.context_work import ContextAssessment, ContextWeighting, Meeting, SafetyRating
from models.person import Person, PersonFlag
from models.referral import Referral
from models.safeguarding_events import Alert, BreakGlassGrant, MissingEpisode
from safeguarding import merging
from safeguarding.access import load_person
from safeguarding.referral_boxes import Step, histories


@dataclass
class Held:
    """The records of one bundle, before anything is redacted."""

    person: Person
    merged: list[Person]
    edges: list[Relationship]
    flags: list[PersonFlag] = field(default_factory=list)
    cases: list[Case] = field(default_factory=list)
    entries: dict[str, list[ChronologyEntry]] = field(default_factory=dict)
    plans: dict[str, list[PlanAction]] = field(default_factory=dict)
    episodes: list[MissingEpisode] = field(default_factory=list)
    referrals: list[Referral] = field(default_factory=list)
    histories: dict[str, list[Step]] = field(default_factory=dict)
    meetings: list[Meeting] = field(default_factory=list)
    assessments: list[ContextAssessment] = field(default_factory=list)
    weightings: list[ContextWeighting] = field(default_factory=list)
    ratings: list = field(default_factory=list)
    grants: list[BreakGlassGrant] = field(default_factory=list)
    alerts: list[Alert] = field(default_factory=list)
    accesses: list = field(default_factory=list)
    linked_people: set[str] = field(default_factory=set)

    @property
    def ids(self) -> list[str]:
        return [self.person.id, *(m.id for m in self.merged)]

    @property
    def places(self) -> set[str]:
        """Every place the bundle names: tied to the person, rated by them, where they were found, met about."""
        named = {e.target_place_id for e in self.edges} | {place_id for place_id, *_ in self.ratings}
        named |= {e.found_at_place_id for e in self.episodes} | {m.place_id for m in self.meetings}
        return (named | {a.place_id for a in self.assessments}) - {None}

    @property
    def groups(self) -> set[str]:
        named = {e.target_group_id for e in self.edges} | {m.group_id for m in self.meetings}
        return (named | {a.group_id for a in self.assessments}) - {None}


def gather(session: Session, person_id: str) -> Held:
    """Everything held about the person a (possibly merged) id names."""
    # A merged duplicate's id gives the surviving record's bundle, which gathers over every record merged into it.
    person = merging.survivor_of(session, load_person(session, person_id))
    merged = list(session.scalars(select(Person).where(Person.id.in_(merging.merged_into(session, person.id)))))
    ids = [person.id, *(m.id for m in merged)]
    held = Held(person, merged, _all(session, _touching(ids).order_by(Relationship.recorded_at)))
    held.flags = _all(session, select(PersonFlag).where(PersonFlag.person_id.in_(ids)).order_by(PersonFlag.set_at))
    held.cases = _all(session, select(Case).where(Case.subject_person_id.in_(ids)).order_by(Case.opened_on))
    case_ids = [c.id for c in held.cases]
    entries = select(ChronologyEntry).where(ChronologyEntry.case_id.in_(case_ids))
    held.entries = _by_case(session.scalars(entries.order_by(ChronologyEntry.occurred_on, ChronologyEntry.created_at)))
    actions = select(PlanAction).where(PlanAction.case_id.in_(case_ids))
    held.plans = _by_case(session.scalars(actions.order_by(PlanAction.due_on, PlanAction.created_at)))
    held.episodes = _all(
        session, select(MissingEpisode).where(MissingEpisode.person_id.in_(ids)).order_by(MissingEpisode.reported_at)
    )
    held.referrals = _all(session, select(Referral).where(Referral.person_id.in_(ids)).order_by(Referral.sent_at))
    held.histories = histories(session, held.referrals)
    _contexts(session, held)
    held.weightings = _all(
        session,
        select(ContextWeighting).where(ContextWeighting.person_id.in_(ids)).order_by(ContextWeighting.assessed_on),
    )
    held.ratings = session.execute(
        select(SafetyRating.place_id, Place.name, SafetyRating.rating, SafetyRating.rated_on)
        .join(Place, Place.id == SafetyRating.place_id)
        .where(SafetyRating.person_id.in_(ids))
        .order_by(SafetyRating.rated_on)
    ).all()
    held.grants = _all(
        session, select(BreakGlassGrant).where(BreakGlassGrant.person_id.in_(ids)).order_by(BreakGlassGrant.granted_at)
    )
    held.alerts = _all(session, select(Alert).where(Alert.person_id.in_(ids)).order_by(Alert.fired_on, Alert.kind))
    held.accesses = session.execute(
        select(AuditEvent.at, AuditEvent.action, AuditEvent.actor_user_id, AuditEvent.outcome)
        .where(or_(*(touched(i) for i in ids)))
        .order_by(AuditEvent.at)
    ).all()
    # A referral accepted into another case names that case's subject.
    linked = {r.case_id for r in held.referrals} - set(case_ids) - {None}
    if linked:
        held.linked_people = set(session.scalars(select(Case.subject_person_id).where(Case.id.in_(linked)))) - {None}
    return held


def _contexts(session: Session, held: Held) -> None:
    """Meetings about the person, and context conferences and assessments about the places and groups they are
    tied to."""
    places = {e.target_place_id for e in held.edges} - {None}
    groups = {e.target_group_id for e in held.edges} - {None}
    about = or_(Meeting.person_id.in_(held.ids), Meeting.place_id.in_(places), Meeting.group_id.in_(groups))
    held.meetings = _all(session, select(Meeting).where(about).order_by(Meeting.held_on))
    assessed = or_(ContextAssessment.place_id.in_(places), ContextAssessment.group_id.in_(groups))
    held.assessments = _all(session, select(ContextAssessment).where(assessed).order_by(ContextAssessment.assessed_on))


def _touching(ids: list[str]):
    return select(Relationship).where(
        or_(Relationship.source_person_id.in_(ids), Relationship.target_person_id.in_(ids))
    )


def _all(session: Session, query) -> list:
    return list(session.scalars(query))


def _by_case(rows) -> dict[str, list]:
    found: dict[str, list] = {}
    for row in rows:
        found.setdefault(row.case_id, []).append(row)
    return found
