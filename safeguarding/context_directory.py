"""Finding places and groups by name, kind and area: the contexts practitioners link people to and open cases about.

Homes (places of kind `address`) are left out: a home is personal data, found through the people who live there
and shown only to those who may see them (policy.visible_addresses). The audit event of a look names the filters
given, never the text searched.
"""

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models.context import PLACE_KINDS, Group, Place
from safeguarding import policy
from safeguarding.access import record_read
from safeguarding.errors import PermissionDenied, ValidationFailed
from safeguarding.validation import choice, clean_text, collect, whole_number

PAGE_SIZE = 50
LISTED_KINDS = tuple(kind for kind in PLACE_KINDS if kind != "address")


@dataclass(frozen=True)
class Found:
    """One page of what matched, and how many matched in all."""

    records: list
    total: int
    page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // PAGE_SIZE))


def _kind(value) -> str | None:
    if value == "address":
        raise ValidationFailed({"kind": "Homes are not listed: find one through the people who live there"})
    if value in (None, ""):
        return None
    return choice(value, field="kind", label="the kind of place", options=LISTED_KINDS)


def _page(value) -> int:
    return whole_number(value, field="page", label="a page", low=1, high=10_000, default=1)


def _contains(column, text: str | None):
    """Names holding the text, whatever its case; LIKE's wildcards in it are only characters."""
    if not text:
        return None
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return func.lower(column).like(f"%{escaped}%", escape="\\")


def find_places(session: Session, actor, filters: dict) -> Found:
    """Places other than homes whose name holds `name`, of a kind, in an area; name order, a page at a time."""
    clean = collect(
        {
            "name": lambda v: clean_text(v, field="name", label="the name", max_length=200, required=False),
            "kind": _kind,
            "area": lambda v: clean_text(v, field="area", label="the area or ward", max_length=120, required=False),
            "page": _page,
        },
        filters,
        partial=True,
    )
    conditions = [Place.kind != "address", _contains(Place.name, clean.get("name"))]
    if clean.get("kind"):
        conditions.append(Place.kind == clean["kind"])
    if clean.get("area"):
        conditions.append(func.lower(Place.area) == clean["area"].lower())
    return _found(session, actor, Place, [c for c in conditions if c is not None], clean)


def find_groups(session: Session, actor, filters: dict) -> Found:
    """Groups whose name holds `name`, in name order, a page at a time."""
    clean = collect(
        {
            "name": lambda v: clean_text(v, field="name", label="the name", max_length=200, required=False),
            "page": _page,
        },
        filters,
        partial=True,
    )
    condition = _contains(Group.name, clean.get("name"))
    return _found(session, actor, Group, [condition] if condition is not None else [], clean)


def _found(session: Session, actor, model, conditions: list, clean: dict) -> Found:
    if not policy.may_see_personal_data(actor):
        raise PermissionDenied("Your role does not see places and groups")
    page = clean.get("page") or 1
    total = session.scalar(select(func.count()).select_from(model).where(*conditions)) or 0
    query = select(model).where(*conditions).order_by(func.lower(model.name), model.id)
    records = list(session.scalars(query.offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE)))
    given = sorted(key for key, value in clean.items() if value and key != "page")
    record_read(
        session,
        actor,
        action="search" if "name" in given else "list",
        object_type=model.__tablename__,
        object_id=None,
        person_ids=(),
        detail={"filters": given, "page": page, "shown": len(records), "total": total},
    )
    return Found(records, total, page)
