"""Working on contexts: location and peer-group assessments, context weighting, meetings, safety mapping."""

from sqlalchemy import func, select
from sqlalchemy.orm import Session

import audit
from models.agency import Agency
from models.context import Place
from models.context_work import (
    CONTEXTS,
    MEETING_KINDS,
    SAFETY_RATINGS,
    ContextAssessment,
    ContextWeighting,
    Meeting,
    SafetyRating,
)
from models.user import User
from safeguarding import policy
from safeguarding.access import load_person, load_person_to_record_on, record_read, require_person_access
from safeguarding.contexts import load_group, load_visible_place
from safeguarding.errors import PermissionDenied, ValidationFailed
from safeguarding.validation import choice, clean_text, collect, parse_date, uk_today

INTERVENTIONS = (
    "guardianship",
    "detached_youth_work",
    "licensing",
    "design_change",
    "policing",
    "education",
    "disruption",
    "community_engagement",
    "other",
)
WEIGHT_RANGE = range(0, 4)  # 0 none, 1 low, 2 medium, 3 high


def _practitioner(actor) -> None:
    if not policy.may_record_people(actor):
        raise PermissionDenied("Only practitioners record work on contexts")


def _context(session: Session, actor, subject) -> tuple[str, object]:
    if not isinstance(subject, dict) or subject.get("type") not in ("place", "group"):
        raise ValidationFailed({"$.subject": 'Give the context as {"type": "place"|"group", "id"}'})
    if subject["type"] == "place":
        return "place", load_visible_place(session, actor, subject.get("id"))
    return "group", load_group(session, subject.get("id"))


def _interventions(value, session: Session) -> list[dict]:
    if not isinstance(value, list) or len(value) > 30:
        raise ValidationFailed({"$.interventions": "Give a list of up to 30 interventions"})
    plan = []
    for i, item in enumerate(value):
        path = f"$.interventions[{i}]"
        if not isinstance(item, dict):
            raise ValidationFailed({path: "Each intervention is an object"})
        owner = item.get("owner_agency_id")
        if owner is not None and session.get(Agency, owner if isinstance(owner, str) else "") is None:
            raise ValidationFailed({f"{path}.owner_agency_id": "No agency with that id"})
        due = parse_date(item.get("due_on"), field=f"{path}.due_on", label="the due date", required=False)
        plan.append(
            {
                "intervention": choice(
                    item.get("intervention"),
                    field=f"{path}.intervention",
                    label="the intervention",
                    options=INTERVENTIONS,
                ),
                "detail": clean_text(
                    item.get("detail"), field=f"{path}.detail", label="the detail", max_length=2000, required=False
                ),
                "owner_agency_id": owner,
                "due_on": due.isoformat() if due else None,
            }
        )
    return plan


def record_assessment(session: Session, actor, data: dict) -> ContextAssessment:
    """A location or peer-group assessment with an intervention plan aimed at the context."""
    _practitioner(actor)
    kind, subject = _context(session, actor, data.get("subject"))
    clean = collect(
        {
            "findings": lambda v: clean_text(v, field="$.findings", label="the findings", max_length=20_000),
            "assessed_on": lambda v: (
                parse_date(v, field="$.assessed_on", label="the assessment date", required=False, not_future=True)
                or uk_today()
            ),
            "interventions": lambda v: _interventions(v or [], session),
        },
        data,
    )
    assessment = ContextAssessment(
        kind="location" if kind == "place" else "peer_group",
        place_id=subject.id if kind == "place" else None,
        group_id=subject.id if kind == "group" else None,
        assessed_on=clean["assessed_on"],
        agency_id=actor.agency_id,
        author_id=actor.id,
        data_key_id=subject.data_key_id,
    )
    session.add(assessment)
    assessment.findings, assessment.interventions = clean["findings"], clean["interventions"]
    audit.record(session, action="create", actor=actor, object_type="context_assessment", object_id=assessment.id)
    session.commit()
    return assessment


def assessments_of(session: Session, actor, kind: str, subject_id: str) -> list[ContextAssessment]:
    if not policy.may_see_personal_data(actor):
        raise PermissionDenied("Your role does not see assessments")
    subject_id = _context(session, actor, {"type": kind, "id": subject_id})[1].id  # unknown place or group: 404
    column = ContextAssessment.place_id if kind == "place" else ContextAssessment.group_id
    rows = list(
        session.scalars(
            select(ContextAssessment).where(column == subject_id).order_by(ContextAssessment.assessed_on.desc())
        )
    )
    record_read(session, actor, action="list", object_type="context_assessment", object_id=subject_id, person_ids=[])
    return rows


def _weights(value) -> dict:
    if not isinstance(value, dict) or not value or set(value) - set(CONTEXTS):
        raise ValidationFailed({"$.weights": f"Weigh one or more of the contexts {', '.join(CONTEXTS)}"})
    weights = {}
    for context, scores in value.items():
        if (
            not isinstance(scores, dict)
            or set(scores) != {"harm", "safety"}
            # Whole numbers only: True and 2.0 both pass for a number in the range.
            or any(type(scores[s]) is not int or scores[s] not in WEIGHT_RANGE for s in scores)
        ):
            raise ValidationFailed({f"$.weights.{context}": "Give harm and safety as whole numbers from 0 to 3"})
        weights[context] = {"harm": scores["harm"], "safety": scores["safety"]}
    return weights


def record_weighting(session: Session, actor, person_id: str, data: dict) -> ContextWeighting:
    _practitioner(actor)
    person = load_person_to_record_on(session, person_id)
    require_person_access(session, actor, person, object_type="context_weighting")
    clean = collect(
        {
            "weights": _weights,
            "assessed_on": lambda v: (
                parse_date(v, field="$.assessed_on", label="the date", required=False, not_future=True) or uk_today()
            ),
        },
        data,
    )
    weighting = ContextWeighting(
        person_id=person.id,
        assessed_on=clean["assessed_on"],
        author_id=actor.id,
        agency_id=actor.agency_id,
        data_key_id=person.data_key_id,
    )
    session.add(weighting)
    weighting.weights = clean["weights"]
    audit.record(
        session,
        action="create",
        actor=actor,
        object_type="context_weighting",
        object_id=weighting.id,
        person_ids=[person.id],
    )
    session.commit()
    return weighting


def weightings_of(session: Session, actor, person_id: str) -> list[ContextWeighting]:
    person = load_person(session, person_id)
    access = require_person_access(session, actor, person, object_type="context_weighting")
    rows = list(
        session.scalars(
            select(ContextWeighting)
            .where(ContextWeighting.person_id == person.id)
            .order_by(ContextWeighting.assessed_on.desc())
        )
    )
    record_read(
        session,
        actor,
        action="list",
        object_type="context_weighting",
        object_id=person.id,
        person_ids=[person.id],
        access=access,
    )
    return rows


def record_meeting(session: Session, actor, data: dict) -> Meeting:
    """Strategy meetings and MACE panels are about a person; context conferences about a place or group."""
    _practitioner(actor)
    kind = choice(data.get("kind"), field="$.kind", label="the kind of meeting", options=MEETING_KINDS)
    subject = data.get("subject") if isinstance(data.get("subject"), dict) else {}
    if kind == "context_conference":
        subject_type, record = _context(session, actor, subject)
    else:
        if subject.get("type", "person") != "person" or not isinstance(subject.get("id"), str):
            raise ValidationFailed({"$.subject": f'A {kind} meeting is about a person: {{"type": "person", "id"}}'})
        subject_type, record = "person", load_person_to_record_on(session, subject["id"])
        require_person_access(session, actor, record, object_type="meeting")
    clean = collect(
        {
            "held_on": lambda v: parse_date(v, field="$.held_on", label="the meeting date", not_future=True),
            "decisions": lambda v: clean_text(v, field="$.decisions", label="the decisions", max_length=20_000),
            "attendee_ids": lambda v: _ids(session, v, User, "$.attendee_ids", "attendees"),
            "not_invited_agency_ids": lambda v: _ids(session, v, Agency, "$.not_invited_agency_ids", "agencies"),
            "actions": lambda v: _actions(session, v),
        },
        data,
    )
    meeting = Meeting(
        kind=kind,
        person_id=record.id if subject_type == "person" else None,
        place_id=record.id if subject_type == "place" else None,
        group_id=record.id if subject_type == "group" else None,
        held_on=clean["held_on"],
        chair_id=actor.id,
        attendee_ids=clean["attendee_ids"],
        not_invited_agency_ids=clean["not_invited_agency_ids"],
        data_key_id=record.data_key_id,
    )
    session.add(meeting)
    meeting.decisions, meeting.actions = clean["decisions"], clean["actions"]
    audit.record(
        session,
        action="create",
        actor=actor,
        object_type="meeting",
        object_id=meeting.id,
        person_ids=[record.id] if subject_type == "person" else [],
    )
    session.commit()
    return meeting


def _ids(session: Session, value, model, field: str, label: str) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value) or len(value) > 100:
        raise ValidationFailed({field: f"Give a list of {label} ids"})
    found = set(session.scalars(select(model.id).where(model.id.in_(value))))
    missing = [v for v in value if v not in found]
    if missing:
        raise ValidationFailed({field: f"Unknown id {missing[0]!r}"})
    return list(dict.fromkeys(value))


def _actions(session: Session, value) -> list[dict]:
    if value is None:
        return []
    if not isinstance(value, list) or len(value) > 50:
        raise ValidationFailed({"$.actions": "Give a list of up to 50 actions"})
    actions = []
    for i, item in enumerate(value):
        path = f"$.actions[{i}]"
        if not isinstance(item, dict):
            raise ValidationFailed({path: "Each action is an object"})
        due = parse_date(item.get("due_on"), field=f"{path}.due_on", label="the due date", required=False)
        actions.append(
            {
                "action": clean_text(item.get("action"), field=f"{path}.action", label="the action", max_length=2000),
                "owner_id": _ids(session, [item["owner_id"]], User, f"{path}.owner_id", "users")[0]
                if item.get("owner_id")
                else None,
                "due_on": due.isoformat() if due else None,
            }
        )
    return actions


def meetings_about(session: Session, actor, subject_type: str, subject_id: str) -> list[Meeting]:
    if subject_type == "person":
        person = load_person(session, subject_id)
        access = require_person_access(session, actor, person, object_type="meeting")
    elif not policy.may_see_personal_data(actor):
        raise PermissionDenied("Your role does not see meetings")
    else:
        access = None
        subject_id = _context(session, actor, {"type": subject_type, "id": subject_id})[1].id  # unknown: 404
    column = {"person": Meeting.person_id, "place": Meeting.place_id, "group": Meeting.group_id}[subject_type]
    rows = list(session.scalars(select(Meeting).where(column == subject_id).order_by(Meeting.held_on.desc())))
    record_read(
        session,
        actor,
        action="list",
        object_type="meeting",
        object_id=subject_id,
        person_ids=[subject_id] if subject_type == "person" else [],
        access=access,
    )
    return rows


def rate_place(session: Session, actor, person_id: str, data: dict) -> SafetyRating:
    """A young person's own rating of a place, recorded with them by a practitioner."""
    _practitioner(actor)
    person = load_person_to_record_on(session, person_id)
    require_person_access(session, actor, person, object_type="safety_rating")
    if not isinstance(data.get("place_id"), str) or not data["place_id"]:
        raise ValidationFailed({"$.place_id": "Choose the place the young person rated, by its id"})
    place = load_visible_place(session, actor, data["place_id"])
    rating = choice(data.get("rating"), field="$.rating", label="a rating", options=SAFETY_RATINGS)
    rated_on = (
        parse_date(data.get("rated_on"), field="$.rated_on", label="the date", required=False, not_future=True)
        or uk_today()
    )
    row = SafetyRating(
        person_id=person.id, place_id=place.id, rating=rating, rated_on=rated_on, recorded_by_id=actor.id
    )
    session.add(row)
    audit.record(
        session, action="create", actor=actor, object_type="safety_rating", object_id=row.id, person_ids=[person.id]
    )
    session.commit()
    return row


def ratings_of(session: Session, actor, person_id: str) -> list[tuple[SafetyRating, Place]]:
    """A young person's own safety map: their ratings of places with the places, newest first. A home the actor may
    not see is left out, as on the heat map and its own page."""
    person = load_person(session, person_id)
    access = require_person_access(session, actor, person, object_type="safety_rating")
    rows = session.execute(
        select(SafetyRating, Place)
        .join(Place, Place.id == SafetyRating.place_id)
        .where(SafetyRating.person_id == person.id)
        .order_by(SafetyRating.rated_on.desc(), SafetyRating.created_at.desc())
    ).all()
    homes = {place.id for _, place in rows if place.kind == "address"}
    hidden = homes - policy.visible_addresses(session, actor, homes)
    record_read(
        session,
        actor,
        action="list",
        object_type="safety_rating",
        object_id=person.id,
        person_ids=[person.id],
        access=access,
    )
    return [(rating, place) for rating, place in rows if place.id not in hidden]


def heat_map(session: Session, actor, place_id: str | None = None) -> list[dict]:
    """Young people's ratings combined per place: counts only, each person's latest rating of each place."""
    if not policy.may_see_personal_data(actor):
        raise PermissionDenied("Your role does not see the safety heat-map")
    # Two ratings of a place on one day are both the latest by date: the one recorded last counts, alone.
    newest_first = func.row_number().over(
        partition_by=(SafetyRating.person_id, SafetyRating.place_id),
        order_by=(SafetyRating.rated_on.desc(), SafetyRating.created_at.desc()),
    )
    ranked = select(SafetyRating.place_id, SafetyRating.rating, newest_first.label("rank")).subquery()
    query = (
        select(Place.id, Place.name, Place.kind, ranked.c.rating, func.count())
        .join(Place, Place.id == ranked.c.place_id)
        .where(ranked.c.rank == 1)
        .group_by(Place.id, Place.name, Place.kind, ranked.c.rating)
    )
    if place_id is not None:
        query = query.where(Place.id == place_id)
    places: dict[str, dict] = {}
    for rated_id, name, kind, rating, count in session.execute(query):
        entry = places.setdefault(
            rated_id, {"place_id": rated_id, "name": name, "kind": kind, "red": 0, "amber": 0, "green": 0}
        )
        entry[rating] += count
    # A home shows only to whoever may see it (policy.visible_addresses), here as on its own page.
    homes = [p for p, entry in places.items() if entry["kind"] == "address"]
    for hidden in set(homes) - policy.visible_addresses(session, actor, homes):
        del places[hidden]
    result = sorted(places.values(), key=lambda p: (-p["red"], -p["amber"], p["name"]))
    record_read(session, actor, action="list", object_type="safety_heat_map", object_id=place_id, person_ids=[])
    return result
