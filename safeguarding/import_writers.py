"""Writing checked import items: create or update each record, keep the document's refs, encrypt as it goes."""

from dataclasses import dataclass, field
from datetime import UTC, datetime, time

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.agency import Agency
from models.case import Case, CaseMember, ChronologyEntry
from models.context import Group, Place, Relationship
from models.crypto import current_keyring
from models.import_ref import ImportRef
from models.person import Person, PersonFlag
from models.referral import Referral, ReferralTransition
from models.safeguarding_events import MissingEpisode
from safeguarding.import_checks import KIND_OF_SECTION
from safeguarding.people import reindex

MODELS = {
    "agencies": Agency,
    "people": Person,
    "places": Place,
    "groups": Group,
    "relationships": Relationship,
    "cases": Case,
    "chronology": ChronologyEntry,
    "missing_episodes": MissingEpisode,
    "referrals": Referral,
}


@dataclass
class Context:
    session: Session
    known: dict[str, tuple[str, str]]  # refs of earlier imports: ref -> (kind, record id)
    ids: dict[str, str] = field(default_factory=dict)  # refs written by this import: ref -> record id
    users: dict[str, str] = field(default_factory=dict)
    kinds: dict[str, str] = field(default_factory=dict)  # refs written by this import: ref -> kind

    def id_of(self, ref: str | None) -> str | None:
        if ref is None:
            return None
        return self.ids.get(ref) or self.known[ref][1]

    def kind_of(self, ref: str) -> str:
        return self.kinds.get(ref) or self.known[ref][0]

    def existing_id(self, section: str, item: dict) -> str | None:
        """The record an item updates: by its remembered ref, else by its natural key."""
        ref = item.get("ref")
        if ref is not None and (ref in self.ids or ref in self.known):
            return self.id_of(ref)
        try:
            return self._natural_match(section, item)
        except KeyError:  # refers to a ref of this document not written yet (a dry run): nothing to match
            return None

    def _natural_match(self, section: str, item: dict) -> str | None:
        session, resolve = self.session, self.id_of
        if section == "agencies":
            return session.scalar(select(Agency.id).where(Agency.name == item["name"]))
        if section == "relationships":
            target = {
                "person": Relationship.target_person_id,
                "place": Relationship.target_place_id,
                "group": Relationship.target_group_id,
            }[self.kind_of(item["target"])]
            return session.scalar(
                select(Relationship.id).where(
                    Relationship.source_person_id == resolve(item["source"]),
                    Relationship.kind == item["kind"],
                    Relationship.first_seen == item["first_seen"],
                    target == resolve(item["target"]),
                )
            )
        if section == "missing_episodes":
            return session.scalar(
                select(MissingEpisode.id).where(
                    MissingEpisode.person_id == resolve(item["person"]),
                    MissingEpisode.reported_at == item["reported_at"],
                )
            )
        if section == "chronology":
            candidates = session.scalars(
                select(ChronologyEntry).where(
                    ChronologyEntry.case_id == resolve(item["case"]),
                    ChronologyEntry.agency_id == resolve(item["agency"]),
                    ChronologyEntry.occurred_on == item["occurred_on"],
                    ChronologyEntry.category == item["category"],
                )
            )
            return next((e.id for e in candidates if e.summary == item["summary"]), None)
        return None


def write(ctx: Context, section: str, item: dict) -> bool:
    """Create or update one record; returns True when it was created."""
    record_id = ctx.existing_id(section, item)
    record = ctx.session.get(MODELS[section], record_id) if record_id else None
    created = record is None
    record = WRITERS[section](ctx, item, record)
    if item.get("ref") is not None:
        _remember(ctx, item["ref"], KIND_OF_SECTION[section], record.id)
    return created


def _remember(ctx: Context, ref: str, kind: str, record_id: str) -> None:
    ctx.ids[ref] = record_id
    ctx.kinds[ref] = kind
    if ref not in ctx.known:
        ctx.session.add(ImportRef(ref=ref, kind=kind, record_id=record_id))
        ctx.known[ref] = (kind, record_id)


def _agency(ctx, item, agency):
    agency = agency or _add(ctx, Agency())
    agency.name, agency.kind, agency.external = item["name"], item["kind"], bool(item.get("external"))
    return agency


def _person(ctx, item, person):
    if person is None:
        person = _add(ctx, Person(data_key_id=current_keyring().create_data_key(ctx.session).id))
    for name in ("given_name", "family_name", "date_of_birth", "sex"):
        setattr(person, name, item.get(name))
    held = {f.flag for f in person.active_flags}
    for flag in item.get("flags") or []:
        if flag not in held:
            person.flags.append(PersonFlag(flag=flag, set_by_id=None))
    ctx.session.flush()
    reindex(ctx.session, person)
    return person


def _context(model):
    def write_context(ctx, item, record):
        record = record or _add(ctx, model(data_key_id=current_keyring().system_key_id(ctx.session)))
        record.name = item["name"]
        if model is Place:
            record.kind = item["kind"]
        return record

    return write_context


def _relationship(ctx, item, edge):
    source = ctx.session.get(Person, ctx.id_of(item["source"]))
    target_type, target_id = ctx.kind_of(item["target"]), ctx.id_of(item["target"])
    edge = edge or _add(ctx, Relationship(source_person_id=source.id, data_key_id=source.data_key_id))
    edge.target_person_id = target_id if target_type == "person" else None
    edge.target_place_id = target_id if target_type == "place" else None
    edge.target_group_id = target_id if target_type == "group" else None
    edge.kind, edge.first_seen, edge.last_seen = item["kind"], item["first_seen"], item["last_seen"]
    edge.agency_id = ctx.id_of(item["agency"])
    grading = item["grading"] or {}
    edge.grading_source, edge.grading_information = grading.get("source"), grading.get("information")
    edge.grading_handling = grading.get("handling")
    edge.notes = item["notes"]
    return edge


def _case(ctx, item, case):
    subject_type, subject_id = ctx.kind_of(item["subject"]), ctx.id_of(item["subject"])
    subject = ctx.session.get({"person": Person, "place": Place, "group": Group}[subject_type], subject_id)
    case = case or _add(ctx, Case(data_key_id=subject.data_key_id))
    case.subject_person_id = subject_id if subject_type == "person" else None
    case.subject_place_id = subject_id if subject_type == "place" else None
    case.subject_group_id = subject_id if subject_type == "group" else None
    case.lead_agency_id, case.opened_on, case.closed_on = (
        ctx.id_of(item["agency"]),
        item["opened_on"],
        item["closed_on"],
    )
    case.concerns, case.risk_level = list(item["concerns"]), item["risk_level"]
    case.status = "closed" if item["closed_on"] else "open"
    members = [ctx.users[name] for name in item["members"]]
    case.lead_worker_id = case.lead_worker_id or (members[0] if members else None)
    current = (
        {m.user_id for m in case.members}
        if case.id in ctx.known.values()
        else set(ctx.session.scalars(select(CaseMember.user_id).where(CaseMember.case_id == case.id)))
    )
    for user_id in members:
        if user_id not in current:
            ctx.session.add(CaseMember(case_id=case.id, user_id=user_id, added_at=_midnight(item["opened_on"])))
    return case


def _chronology(ctx, item, entry):
    case = ctx.session.get(Case, ctx.id_of(item["case"]))
    entry = entry or _add(ctx, ChronologyEntry(case_id=case.id, data_key_id=case.data_key_id))
    entry.person_id, entry.agency_id = case.subject_person_id, ctx.id_of(item["agency"])
    entry.occurred_on, entry.category, entry.sensitivity = item["occurred_on"], item["category"], item["sensitivity"]
    entry.summary = item["summary"]
    return entry


def _missing(ctx, item, episode):
    episode = episode or _add(ctx, MissingEpisode(person_id=ctx.id_of(item["person"])))
    episode.reporting_agency_id = ctx.id_of(item["agency"])
    episode.found_at_place_id = ctx.id_of(item["found_at"])
    for key in ("reported_at", "returned_at", "return_interview_offered_at"):
        setattr(episode, key, item[key])
    return episode


def _referral(ctx, item, referral):
    person = ctx.session.get(Person, ctx.id_of(item["person"]))
    fresh = referral is None
    referral = referral or _add(ctx, Referral(person_id=person.id, data_key_id=person.data_key_id))
    referral.from_agency_id, referral.to_agency_id = ctx.id_of(item["from_agency"]), ctx.id_of(item["to_agency"])
    referral.urgency, referral.reason, referral.sent_at = item["urgency"], item["reason"], item["sent_at"]
    referral.acknowledged_at, referral.decided_at = item["acknowledged_at"], item["decided_at"]
    referral.decline_reason = item["decline_reason"]
    referral.status = item["outcome"] or ("acknowledged" if item["acknowledged_at"] else "submitted")
    if fresh:
        steps = [
            (None, "submitted", item["sent_at"]),
            ("submitted", "acknowledged", item["acknowledged_at"]),
            ("acknowledged" if item["acknowledged_at"] else "submitted", item["outcome"], item["decided_at"]),
        ]
        for source, target, at in steps:
            if target and at:
                ctx.session.add(
                    ReferralTransition(
                        referral_id=referral.id, at=at, from_status=source, to_status=target, note="Imported"
                    )
                )
    return referral


def _add(ctx: Context, record):
    ctx.session.add(record)
    return record


def _midnight(day) -> datetime:
    return datetime.combine(day, time(), UTC)


WRITERS = {
    "agencies": _agency,
    "people": _person,
    "places": _context(Place),
    "groups": _context(Group),
    "relationships": _relationship,
    "cases": _case,
    "chronology": _chronology,
    "missing_episodes": _missing,
    "referrals": _referral,
}
