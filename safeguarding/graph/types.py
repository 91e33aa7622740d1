"""Plain, frozen inputs for the context graph: node references, node facts, edges and gradings."""

from dataclasses import dataclass, field
from datetime import date

from safeguarding.graph.kinds import SUSPICION_KINDS, check_kind

NODE_TYPES = ("person", "place", "group")
ADULT_AGE = 18


@dataclass(frozen=True, order=True)
class NodeRef:
    """A person, place or group by its record id."""

    type: str
    id: str

    def __post_init__(self) -> None:
        if self.type not in NODE_TYPES:
            raise ValueError(f"node type must be one of {', '.join(NODE_TYPES)}, not {self.type!r}")
        if not self.id:
            raise ValueError("node id must not be empty")

    def __str__(self) -> str:
        return f"{self.type}:{self.id}"


def age_on(date_of_birth: date, on: date) -> int:
    """Age in whole years on a date; a 29 February birthday falls on 1 March in other years (UK law)."""
    years = on.year - date_of_birth.year
    month, day = date_of_birth.month, date_of_birth.day
    if (month, day) == (2, 29) and not _is_leap(on.year):
        month, day = 3, 1
    return years - 1 if (on.month, on.day) < (month, day) else years


def _is_leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


@dataclass(frozen=True)
class NodeInfo:
    """What the graph knows about a node: a label, and for people a birth date and flags."""

    ref: NodeRef
    label: str | None = None
    date_of_birth: date | None = None
    flags: frozenset[str] = field(default_factory=frozenset)
    place_kind: str | None = None

    def is_child_on(self, on: date) -> bool:
        """True when a person was under 18 on the date; unknown birth dates count as not established."""
        if self.ref.type != "person" or self.date_of_birth is None:
            return False
        return 0 <= age_on(self.date_of_birth, on) < ADULT_AGE


@dataclass(frozen=True)
class Grading:
    """A UK 3x5x2 intelligence grading."""

    source: str
    information: str
    handling: str

    def __post_init__(self) -> None:
        if self.source not in ("1", "2", "3"):
            raise ValueError(f"grading source must be 1-3, not {self.source!r}")
        if self.information not in ("A", "B", "C", "D", "E"):
            raise ValueError(f"grading information must be A-E, not {self.information!r}")
        if self.handling not in ("P", "C"):
            raise ValueError(f"grading handling must be P or C, not {self.handling!r}")

    @property
    def corroborated(self) -> bool:
        """False for uncorroborated suspicion: information graded C-E or handling code C (SPEC section 7)."""
        return self.information in ("A", "B") and self.handling == "P"

    def as_dict(self) -> dict[str, str]:
        return {"source": self.source, "information": self.information, "handling": self.handling}


@dataclass(frozen=True)
class Edge:
    """One recorded relationship, from a person to a person, place or group."""

    id: str
    source: NodeRef
    target: NodeRef
    kind: str
    agency_id: str
    recorded_by: str
    recorded_on: date
    first_seen: date | None = None
    last_seen: date | None = None
    ended_on: date | None = None
    grading: Grading | None = None

    def __post_init__(self) -> None:
        if not self.id:
            raise ValueError("edge id must not be empty")
        if self.source.type != "person":
            raise ValueError("a relationship starts at a person")
        check_kind(self.kind, self.target.type)

    @property
    def end(self) -> date | None:
        """Last day the relationship is known to hold; None while it is open."""
        known = [d for d in (self.last_seen, self.ended_on) if d is not None]
        return max(known) if known else None

    @property
    def record_date(self) -> date:
        """The date the record speaks about: first seen, else the day it was recorded."""
        return self.first_seen or self.recorded_on

    @property
    def corroborated(self) -> bool:
        """Graded edges follow their grading; an ungraded suspicion kind is never a corroborated fact."""
        if self.grading is not None:
            return self.grading.corroborated
        return self.kind not in SUSPICION_KINDS
