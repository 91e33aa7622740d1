"""Places, groups and relationships: the records the context graph is built from."""

from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

import audit
from models.base import get_by_id
from models.context import PLACE_KINDS, TARGET_TYPE_OF_KIND, Group, Place, Relationship
from models.crypto import current_keyring
from models.locking import claim, lock_record
from safeguarding import policy
from safeguarding.access import load_person, load_person_to_record_on, record_read, require_person_access
from safeguarding.denials import record_denial
from safeguarding.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from safeguarding.validation import choice, clean_text, collect, parse_date, uk_today

GRADING_SOURCE = ("1", "2", "3")
GRADING_INFORMATION = ("A", "B", "C", "D", "E")
GRADING_HANDLING = ("P", "C")
# Group memberships are reviewed, so that nobody stays labelled as a member by default.
MEMBERSHIP_REVIEW = timedelta(days=180)
# The memberships a new group may be recorded with at once (a proposed peer group's people seen in full).
MAX_MEMBERS_AT_ONCE = 100


def first_review(kind: str, first_seen: date) -> date | None:
    """When a new edge is first due for review: a group membership, MEMBERSHIP_REVIEW after it was first seen."""
    return first_seen + MEMBERSHIP_REVIEW if kind == "member_of" else None


def require_practitioner(actor) -> None:
    if not policy.may_record_people(actor):
        raise PermissionDenied("Only practitioners record contexts")


def _description(value) -> str | None:
    return clean_text(value, field="$.description", label="the description", max_length=5000, required=False)


# What a place and a group are made of, checked alike when they are recorded and when they are corrected.
PLACE_CHECKS = {
    "name": lambda v: clean_text(v, field="$.name", label="the place's name", max_length=200),
    "kind": lambda v: choice(v, field="$.kind", label="the kind of place", options=PLACE_KINDS),
    "area": lambda v: clean_text(v, field="$.area", label="the area or ward", max_length=120, required=False),
    "description": _description,
}
GROUP_CHECKS = {
    "name": lambda v: clean_text(v, field="$.name", label="the group's name", max_length=200),
    "description": _description,
}


def create_place(session: Session, actor, data: dict) -> Place:
    require_practitioner(actor)
    clean = collect(PLACE_CHECKS, data)
    place = Place(
        name=clean["name"],
        kind=clean["kind"],
        area=clean["area"],
        data_key_id=current_keyring().system_key_id(session),
        recorded_by_id=actor.id,
        recorded_by_agency_id=actor.agency_id,
    )
    session.add(place)
    place.description = clean["description"]
    audit.record(session, action="create", actor=actor, object_type="place", object_id=place.id)
    session.commit()
    return place


def create_group(session: Session, actor, data: dict) -> Group:
    """Record a group, and with it the memberships (`members`: person ids) of the people the recorder sees in full, in
    one transaction: a proposed peer group (SPEC 7) is recorded as found. Any member refused leaves nothing written."""
    require_practitioner(actor)
    clean = collect({**GROUP_CHECKS, "members": _member_ids}, data)
    name, description = clean["name"], clean["description"]
    group = Group(
        name=name,
        data_key_id=current_keyring().system_key_id(session),
        recorded_by_id=actor.id,
        recorded_by_agency_id=actor.agency_id,
    )
    session.add(group)
    group.description = description
    audit.record(session, action="create", actor=actor, object_type="group", object_id=group.id)
    today = uk_today()
    try:
        for person_id in clean["members"]:
            membership = {
                "source": {"type": "person", "id": person_id},
                "target": {"type": "group", "id": group.id},
                "kind": "member_of",
            }
            _record_relationship(session, actor, membership, today)
    except Exception:
        session.rollback()  # the group goes with the member refused: nothing half-written
        raise
    session.commit()
    return group


def _member_ids(value) -> list[str]:
    """The people to record as members of a new group: distinct ids, at most MAX_MEMBERS_AT_ONCE (none if absent)."""
    if value is None:
        return []
    if not isinstance(value, list) or len(value) > MAX_MEMBERS_AT_ONCE:
        raise ValidationFailed({"$.members": f"Give a list of at most {MAX_MEMBERS_AT_ONCE} person ids"})
    problems = {
        f"$.members[{position}]": "Give each member's person id once, as text"
        for position, person_id in enumerate(value)
        if not isinstance(person_id, str) or not person_id or person_id in value[:position]
    }
    if problems:
        raise ValidationFailed(problems)
    return value


def load_place(session: Session, place_id) -> Place:
    place = get_by_id(session, Place, place_id)
    if place is None:
        raise NotFound("No place with that id")
    return place


def load_group(session: Session, group_id) -> Group:
    group = get_by_id(session, Group, group_id)
    if group is None:
        raise NotFound("No group with that id")
    return group


def load_visible_place(session: Session, actor, place_id) -> Place:
    """A place, unless it is a home address the actor may not see (policy.visible_addresses): 403, audited."""
    place = load_place(session, place_id)
    if place.kind == "address" and not policy.visible_addresses(session, actor, [place.id]):
        record_denial(session, actor, object_type="place", object_id=place.id, person_ids=[])
        raise PermissionDenied("This place is someone's home: only those who may see a person living there see it")
    return place


def view_place(session: Session, actor, place_id) -> Place:
    """Read a place: not about one person, but every read is an access to record."""
    return _view(session, actor, load_visible_place(session, actor, place_id), "place")


def view_group(session: Session, actor, group_id) -> Group:
    return _view(session, actor, load_group(session, group_id), "group")


def _view(session: Session, actor, record, kind: str):
    if not policy.may_see_personal_data(actor):
        raise PermissionDenied("Your role does not see places and groups")
    record_read(session, actor, action="view", object_type=kind, object_id=record.id, person_ids=[])
    return record


def _grading(value) -> tuple[str | None, str | None, str | None]:
    if value is None:
        return None, None, None
    if not isinstance(value, dict):
        raise ValidationFailed(
            {"$.grading": 'Grade as {"source": "1"-"3", "information": "A"-"E", "handling": "P"|"C"}'}
        )
    parts = {
        "source": ("the source grade", GRADING_SOURCE),
        "information": ("the information grade", GRADING_INFORMATION),
        "handling": ("the handling code", GRADING_HANDLING),
    }
    checks = {
        key: lambda v, key=key, label=label, options=options: choice(
            v, field=f"$.grading.{key}", label=label, options=options
        )
        for key, (label, options) in parts.items()
    }
    clean = collect(checks, value)  # every part's problem at once
    return clean["source"], clean["information"], clean["handling"]


def _endpoint(value, field: str) -> tuple[str, object]:
    if not isinstance(value, dict):
        raise ValidationFailed({field: 'Give {"type": "person"|"place"|"group", "id"}'})
    problems = {}
    if not isinstance(value.get("id"), str) or not value["id"]:
        problems[f"{field}.id"] = "Give the id of the record, as text"
    try:
        kind = choice(value.get("type"), field=f"{field}.type", label="the type", options=("person", "place", "group"))
    except ValidationFailed as bad:
        problems |= bad.fields
    if problems:
        raise ValidationFailed(problems)
    return kind, value["id"]


def _relationship_fields(data: dict, today: date) -> dict:
    """Every field's problem at once, with those between fields whose fields are readable."""

    def seen(key: str, label: str):
        return lambda value: parse_date(
            value, field=f"$.{key}", label=label, required=False, not_future=True, today=today
        )

    checks = {
        "source": lambda value: _endpoint(value, "$.source"),
        "target": lambda value: _endpoint(value, "$.target"),
        "kind": lambda value: choice(
            value, field="$.kind", label="the kind of relationship", options=TARGET_TYPE_OF_KIND
        ),
        "first_seen": seen("first_seen", "the first-seen date"),
        "last_seen": seen("last_seen", "the last-seen date"),
        "grading": _grading,
        "notes": lambda value: clean_text(value, field="$.notes", label="the notes", max_length=5000, required=False),
    }
    return collect(checks, data, between=relationship_between)


def relationship_between(clean: dict) -> dict:
    """The problems between a relationship's checked fields, by path (those given: source and target as (type, id)):
    for one recorded here or brought in by an import."""
    problems = {}
    if "source" in clean and clean["source"][0] != "person":
        problems["$.source.type"] = "A relationship starts from a person"
    kind, target = clean.get("kind"), clean.get("target")
    if kind and target and (joins := TARGET_TYPE_OF_KIND[kind]) != target[0]:
        problems["$.kind"] = f"A {kind} relationship joins a person to a {joins}"
    first, last = clean.get("first_seen"), clean.get("last_seen")
    if first and last and last < first:
        problems["$.last_seen"] = "The last-seen date must be on or after the first-seen date"
    return problems


def add_relationship(session: Session, actor, data: dict, today: date | None = None) -> Relationship:
    """Record an edge; the recorder must be allowed to see the source person (and a target person)."""
    require_practitioner(actor)
    edge = _record_relationship(session, actor, data, today or uk_today())
    session.commit()
    return edge


def _record_relationship(session: Session, actor, data: dict, today: date) -> Relationship:
    """add_relationship() in the caller's transaction, which the caller commits."""
    clean = _relationship_fields(data, today)
    (_, source_id), (target_type, target_id) = clean["source"], clean["target"]
    kind, first_seen, last_seen, grading, notes = (
        clean[key] for key in ("kind", "first_seen", "last_seen", "grading", "notes")
    )

    source = load_person_to_record_on(session, source_id)
    require_person_access(session, actor, source, object_type="relationship")
    superseded = _superseded(session, data.get("supersedes_id"), source.id)
    if target_type == "person":
        if target_id == source.id:
            raise ValidationFailed({"$.target.id": "A person cannot be related to themselves"})
        require_person_access(
            session, actor, load_person_to_record_on(session, target_id), need="visible", object_type="relationship"
        )
    elif target_type == "place":
        # A home hidden from the recorder stays hidden: a tie from a person of their own would unlock it.
        load_visible_place(session, actor, target_id)
    else:
        load_group(session, target_id)
    edge = Relationship(
        source_person_id=source.id,
        target_person_id=target_id if target_type == "person" else None,
        target_place_id=target_id if target_type == "place" else None,
        target_group_id=target_id if target_type == "group" else None,
        kind=kind,
        first_seen=first_seen,
        last_seen=last_seen,
        review_on=first_review(kind, first_seen or today),
        agency_id=actor.agency_id,
        recorded_by_id=actor.id,
        grading_source=grading[0],
        grading_information=grading[1],
        grading_handling=grading[2],
        supersedes_id=superseded.id if superseded else None,
        data_key_id=source.data_key_id,
    )
    session.add(edge)
    edge.notes = notes
    if superseded is not None and superseded.ended_on is None:
        superseded.ended_on = today
    people = [source.id] + ([target_id] if target_type == "person" else [])
    audit.record(
        session, action="create", actor=actor, object_type="relationship", object_id=edge.id, person_ids=people
    )
    return edge


def _superseded(session: Session, edge_id, source_id: str) -> Relationship | None:
    """The edge a correction replaces: an existing edge of the same person (ended when its successor is added)."""
    if edge_id is None:
        return None
    edge = get_by_id(session, Relationship, edge_id)
    if edge is None or edge.source_person_id != source_id:
        raise ValidationFailed({"$.supersedes_id": "Choose a relationship of the same person to correct"})
    # A second correction of one edge (from a page open before the first, say) would leave two current successors.
    lock_record(session, Relationship, edge.id)
    if session.scalar(select(Relationship.id).where(Relationship.supersedes_id == edge.id).limit(1)) is not None:
        raise Conflict("This relationship was already corrected by someone else: reload the record and check it")
    return edge


def end_relationship(session: Session, actor, edge_id, ended_on=None) -> Relationship:
    """Edges are never overwritten: a correction ends this one (and may add another)."""
    edge = _current_edge(session, actor, edge_id)
    # An end still to come would drop the edge from the record's lists at once while a map as of today drew it: the
    # end-relationship page refuses one too.
    ended = parse_date(ended_on, field="$.ended_on", label="the end date", required=False, not_future=True)
    ended = ended or uk_today()
    if edge.first_seen and ended < edge.first_seen:
        raise ValidationFailed(
            {"$.ended_on": "The end date must be on or after the date the relationship was first seen"}
        )
    return _change_current_edge(session, actor, edge, "ended", ended_on=ended)


# What working with someone linked to a place or group (policy.works_in_context) lets a practitioner do: the words a
# refusal uses, and what its audit event records.
CONTEXT_WORK = {"case": ("open a case about", {"opening": "case"}), "referral": ("refer", {"referring": True})}


def require_work_in_context(session: Session, actor, kind: str, context_id: str, purpose: str) -> None:
    """403 (audited) unless the actor works with someone linked to this place or group. A case about it (opened
    here, or by accepting a referral) gives its team everyone linked to it (rule 1): that needs work under way there
    already, so that two agencies cannot make such access from nothing. purpose: "case" or "referral"."""
    if not policy.works_in_context(session, actor, kind, context_id):
        doing, detail = CONTEXT_WORK[purpose]
        record_denial(session, actor, object_type=kind, object_id=context_id, person_ids=[], detail=detail)
        raise PermissionDenied(f"To {doing} this {kind}, you need to be working with someone linked to it")


def membership_overdue(review_on: date | None, today: date) -> bool:
    """Whether a group membership's review date has passed unconfirmed (SPEC 2: it is then flagged)."""
    return review_on is not None and review_on < today


def review_membership(session: Session, actor, edge_id) -> Relationship:
    """A group membership confirmed on review: its next review falls MEMBERSHIP_REVIEW from today. Nobody stays
    labelled a member by default (SPEC 2): one not confirmed is flagged once its review date passes."""
    edge = _current_edge(session, actor, edge_id)
    if edge.kind != "member_of":
        raise Conflict("Only a group membership has a review: end or correct other relationships")
    return _change_current_edge(session, actor, edge, "reviewed", review_on=uk_today() + MEMBERSHIP_REVIEW)


def _current_edge(session: Session, actor, edge_id) -> Relationship:
    """A relationship the actor may change: 404 unknown, 403 (audited) on a person they may not see, 409 ended."""
    require_practitioner(actor)
    edge = get_by_id(session, Relationship, edge_id)
    if edge is None:
        raise NotFound("No relationship with that id")
    require_person_access(session, actor, load_person(session, edge.source_person_id), object_type="relationship")
    refuse_if_ended(session, edge.id)
    return edge


def _change_current_edge(session: Session, actor, edge: Relationship, change: str, **values) -> Relationship:
    """Write `values` only if the edge is still current when written (of an end and another change at once, the
    later is refused as if made after), audited as `change`."""
    if not claim(session, edge, Relationship.ended_on.is_(None), **values):
        session.rollback()
        raise Conflict("Someone else ended this relationship at the same moment: it stays in the record's history")
    audit.record(
        session,
        action="update",
        actor=actor,
        object_type="relationship",
        object_id=edge.id,
        person_ids=[edge.source_person_id],
        detail={"change": change},
    )
    session.commit()
    return edge


def refuse_if_ended(session: Session, edge_id, recorded_on: str | None = None) -> None:
    """An edge stays as it was ended: ending it again (from a page open in another tab, say) would move its date.
    recorded_on: only an edge recorded on this person's record counts (the other side ends it on theirs)."""
    edge = get_by_id(session, Relationship, edge_id)
    if edge is not None and edge.ended_on is not None and recorded_on in (None, edge.source_person_id):
        raise Conflict(
            f"This relationship was already ended, on {edge.ended_on.isoformat()}: it stays in the record's history"
        )
