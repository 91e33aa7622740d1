"""What a referral being made or a case being opened is about, as its form shows it: a person (from their record or
one of their cases), or a place or group (from its page)."""

from dataclasses import dataclass

from flask import url_for

from app.extensions import db
from app.people.views import person_for_work
from app.permissions import current_actor
from safeguarding import case_lists, contexts

PAGES = {"place": ("people.place", "place_id"), "group": ("people.group", "group_id")}


@dataclass(frozen=True)
class FormSubject:
    kind: str  # "person", "place" or "group"
    id: str
    name: str
    back: dict  # the back link: to the record, or the case the referral was started from
    action: str  # where the form posts: its own address
    home: bool = False  # a place that is someone's home, which the receiving agency sees only for a while

    def data(self) -> dict:
        """How the referral service names the subject."""
        if self.kind == "person":
            return {"person_id": self.id}
        return {"subject": {"type": self.kind, "id": self.id}}


def person_subject(person_id: str, endpoint: str, case_id: str | None) -> FormSubject:
    """A person the practitioner may work with (403, audited, otherwise), from their record or a case about them."""
    person = person_for_work(person_id)
    from_case = _case_about(person.id, case_id)
    back = (
        {"href": url_for("cases.case", case_id=from_case.id), "text": "Back to the case"}
        if from_case
        else {"href": url_for("people.person", person_id=person.id), "text": f"Back to {person.display_name}"}
    )
    action = url_for(endpoint, person_id=person.id, case=from_case.id if from_case else None)
    return FormSubject("person", person.id, person.display_name, back, action)


def _case_about(person_id: str, case_id: str | None):
    """The case about this person that the referral was started from, for the way back to it."""
    if not case_id:
        return None
    return next((c for c in case_lists.cases_of_person(db.session, person_id) if c.id == case_id), None)


def context_subject(kind: str, record_id: str, endpoint: str, purpose: str) -> FormSubject:
    """A place or group; a home the user may not see is refused (403, audited) before the form names it, and so is
    a context the user does not work in (purpose: "case" or "referral", as contexts.require_work_in_context)."""
    actor = current_actor()
    if kind == "place":
        record = contexts.load_visible_place(db.session, actor, record_id)
    else:
        record = contexts.load_group(db.session, record_id)
    contexts.require_work_in_context(db.session, actor, kind, record.id, purpose)
    page, arg = PAGES[kind]
    back = {"href": url_for(page, **{arg: record.id}), "text": f"Back to {record.name}"}
    action = url_for(endpoint, **{arg: record.id})
    return FormSubject(kind, record.id, record.name, back, action, home=getattr(record, "kind", None) == "address")
