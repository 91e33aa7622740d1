"""Checking an import document before anything is written: every bad item is reported by its path."""

from datetime import date, datetime

from models.agency import AGENCY_KINDS
from models.base import utcnow
from models.case import CHRONOLOGY_CATEGORIES, RISK_LEVELS, SENSITIVITIES
from models.context import PLACE_KINDS, TARGET_TYPE_OF_KIND
from models.referral import URGENCIES
from safeguarding.cases import check_concerns
from safeguarding.contexts import GRADING_HANDLING, GRADING_INFORMATION, GRADING_SOURCE, relationship_between
from safeguarding.errors import ValidationFailed
from safeguarding.people import validate_person
from safeguarding.validation import boolean, choice, clean_text, parse_date, parse_datetime

# Written in this order, so that everything an item refers to exists before it.
SECTIONS = (
    "agencies",
    "people",
    "places",
    "groups",
    "relationships",
    "cases",
    "chronology",
    "missing_episodes",
    "referrals",
)
KIND_OF_SECTION = {
    "agencies": "agency",
    "people": "person",
    "places": "place",
    "groups": "group",
    "relationships": "relationship",
    "cases": "case",
    "chronology": "chronology",
    "missing_episodes": "missing_episode",
    "referrals": "referral",
}
# The keys each section's items may have (SPEC section 10): any other is reported as ignored.
CONTRACT_KEYS = {
    "agencies": {"ref", "name", "kind", "external"},
    "people": {"ref", "given_name", "family_name", "date_of_birth", "sex", "flags"},
    "places": {"ref", "name", "kind"},
    "groups": {"ref", "name"},
    "relationships": {"ref", "source", "target", "kind", "agency", "first_seen", "last_seen", "grading", "notes"},
    "cases": {"ref", "subject", "agency", "opened_on", "concerns", "risk_level", "closed_on", "members"},
    "chronology": {"ref", "case", "agency", "occurred_on", "category", "summary", "sensitivity"},
    "missing_episodes": {
        "ref",
        "person",
        "agency",
        "reported_at",
        "returned_at",
        "found_at",
        "return_interview_offered_at",
    },
    "referrals": {
        "ref",
        "person",
        "subject",
        "from_agency",
        "to_agency",
        "urgency",
        "reason",
        "sent_at",
        "acknowledged_at",
        "decided_at",
        "outcome",
        "decline_reason",
    },
}
GRADING_KEYS = ("source", "information", "handling")
# The kind of a remembered ref whose record an erasure took: refused wherever the document uses it.
ERASED = "erased record"
REF_REQUIRED = {"agencies", "people", "places", "groups", "cases", "referrals"}
# The fields of each section that name another item's ref, and the kinds of item each may name.
REFERENCES = {
    "relationships": {"source": ("person",), "target": ("person", "place", "group"), "agency": ("agency",)},
    "cases": {"subject": ("person", "place", "group"), "agency": ("agency",)},
    "chronology": {"case": ("case",), "agency": ("agency",)},
    "missing_episodes": {"person": ("person",), "agency": ("agency",), "found_at": ("place",)},
    "referrals": {
        "person": ("person",),
        "subject": ("place", "group"),
        "from_agency": ("agency",),
        "to_agency": ("agency",),
    },
}


def in_item(path: str, fields: dict[str, str]) -> dict[str, str]:
    """A service's problems (by paths from "$") as problems of the item at `path`."""
    return {path + field.removeprefix("$"): message for field, message in fields.items()}


class Problems(dict):
    """Paths to messages; `at(path)` runs one check and records its failure instead of stopping."""

    def at(self, path: str, check, *args, **kwargs):
        try:
            return check(*args, **kwargs)
        except ValidationFailed as failure:
            self.update(in_item(path, failure.fields))
            return None


def check_document(
    document, known: dict[str, tuple[str, str]], usernames: dict[str, str], unfit: dict[str, str]
) -> tuple[dict[str, list[dict]], dict[str, str]]:
    """Clean items per section and the paths of fields ignored as outside the format (see checked_items); raises
    ValidationFailed listing every path."""
    clean, ignored, problems = checked_items(document, known, usernames, unfit)
    if problems:
        raise rejection(problems)
    return clean, ignored


def checked_items(
    document, known: dict[str, tuple[str, str]], usernames: dict[str, str], unfit: dict[str, str]
) -> tuple[dict[str, list[dict]], dict[str, str], dict[str, str]]:
    """Clean items per section, references resolved to (kind, ref), the paths of fields ignored as outside the
    format, and the problems by path (a bad item's clean values may be missing or None); a document that is no
    object raises ValidationFailed. usernames: lower-cased username -> user id; unfit: lower-cased username -> why
    that user cannot join a case team."""
    if not isinstance(document, dict):
        raise ValidationFailed({"$": "The import file must be one JSON object with lists of records"})
    problems = Problems()
    unknown = sorted(set(document) - set(SECTIONS))
    for name in unknown:
        problems[f"$.{name}"] = f"Unknown section: use {', '.join(SECTIONS)}"
    sections = {}
    for name in SECTIONS:
        items = document.get(name, [])
        if not isinstance(items, list):
            problems[f"$.{name}"] = "Give this section as a list"
            items = []
        sections[name] = items
    refs = _collect_refs(sections, known, problems)
    checker = _Checker(refs, usernames, unfit, problems)
    clean = {name: [checker.check(name, i, item) for i, item in enumerate(items)] for name, items in sections.items()}
    return clean, checker.ignored, dict(problems)


def rejection(problems: dict[str, str]) -> ValidationFailed:
    """The error that rejects the whole document, listing each bad item's path."""
    count = f"{len(problems)} problem{'s' if len(problems) != 1 else ''}"
    return ValidationFailed(problems, f"The import was rejected: {count}; nothing was written")


def referenced_refs(document) -> set[str]:
    """Every ref a document defines or names, to look up among the refs of earlier imports (malformed parts skipped)."""
    refs: set[str] = set()
    if not isinstance(document, dict):
        return refs
    for section in SECTIONS:
        items = document.get(section)
        names = ("ref", *REFERENCES.get(section, ()))
        for item in items if isinstance(items, list) else ():
            if isinstance(item, dict):
                refs.update(value for name in names if isinstance(value := item.get(name), str))
    return refs


def _collect_refs(sections, known, problems) -> dict[str, str]:
    """Every ref in the document with its kind, plus those remembered from earlier imports."""
    refs = {ref: kind for ref, (kind, _id) in known.items()}
    seen = set()
    for name, items in sections.items():
        for i, item in enumerate(items):
            ref = item.get("ref") if isinstance(item, dict) else None
            if ref is None:
                if name in REF_REQUIRED and isinstance(item, dict):
                    problems[f"$.{name}[{i}].ref"] = "Give every item in this section a ref"
                continue
            if not isinstance(ref, str) or not ref.strip() or len(ref) > 200:
                problems[f"$.{name}[{i}].ref"] = "A ref is non-empty text of at most 200 characters"
            elif ref in known and known[ref][0] == ERASED:
                problems[f"$.{name}[{i}].ref"] = f"The ref {ref!r} named a record since erased: it cannot come back"
            elif ref in seen:
                problems[f"$.{name}[{i}].ref"] = f"The ref {ref!r} is used twice in this document"
            elif ref in known and known[ref][0] != KIND_OF_SECTION[name]:
                problems[f"$.{name}[{i}].ref"] = f"The ref {ref!r} was imported before as a {known[ref][0]}"
            else:
                seen.add(ref)
                refs[ref] = KIND_OF_SECTION[name]
    return refs


_PAST = {"required": False, "not_future": True}  # an optional date an import brings from the past


class _Checker:
    def __init__(self, refs: dict[str, str], usernames: dict[str, str], unfit: dict[str, str], problems: Problems):
        self.refs, self.usernames, self.unfit, self.problems = refs, usernames, unfit, problems
        self.ignored: dict[str, str] = {}

    def check(self, section: str, index: int, item) -> dict:
        path = f"$.{section}[{index}]"
        if not isinstance(item, dict):
            self.problems[path] = "Each item is a JSON object"
            return {}
        self.unknown_keys(path, item, CONTRACT_KEYS[section])
        clean = getattr(self, section)(path, item)
        ref = item.get("ref")
        clean["ref"] = ref if isinstance(ref, str) else None  # any other is refused (_collect_refs), and may not hash
        clean["given"] = frozenset(item)  # on a re-import, an optional field left out keeps its stored value
        return clean

    def unknown_keys(self, path: str, item: dict, allowed) -> None:
        """Fields outside the format are listed as ignored, never dropped without a word; they do not reject the
        document, since another system's export may carry more than the format asks for."""
        known = ", ".join(sorted(allowed))
        for key in sorted(item.keys() - allowed):
            self.ignored[f"{path}.{key}"] = f"Not part of the import format, so not imported: the format has {known}"

    def reference(self, section: str, path: str, item: dict, name: str) -> str | None:
        value, kinds, path = item.get(name), REFERENCES[section][name], f"{path}.{name}"
        if not isinstance(value, str) or value not in self.refs:
            self.problems[path] = "Name a ref from this document or an earlier import"
        elif self.refs[value] == ERASED:
            self.problems[path] = "This ref named a record since erased"
        elif self.refs[value] not in kinds:
            self.problems[path] = f"This ref is a {self.refs[value]}, but a {' or '.join(kinds)} is needed here"
        else:
            return value
        return None

    def field(self, path: str, check, value, **kwargs):
        return self.problems.at(path, check, value, field="", **kwargs)

    def agencies(self, path, item):
        return {
            "name": self.field(f"{path}.name", clean_text, item.get("name"), label="the name", max_length=120),
            "kind": self.field(f"{path}.kind", choice, item.get("kind"), label="the kind", options=AGENCY_KINDS),
            "external": self.field(f"{path}.external", boolean, item.get("external"), label="External"),
        }

    def people(self, path, item):
        data = {k: item.get(k) for k in ("given_name", "family_name", "date_of_birth", "sex", "flags")}
        return self.problems.at(path, validate_person, data) or {}

    def places(self, path, item):
        return {
            "name": self.field(f"{path}.name", clean_text, item.get("name"), label="the name", max_length=200),
            "kind": self.field(f"{path}.kind", choice, item.get("kind"), label="the kind", options=PLACE_KINDS),
        }

    def groups(self, path, item):
        return {"name": self.field(f"{path}.name", clean_text, item.get("name"), label="the name", max_length=200)}

    def relationships(self, path, item):
        target = self.reference("relationships", path, item, "target")
        kind = self.field(f"{path}.kind", choice, item.get("kind"), label="the kind", options=TARGET_TYPE_OF_KIND)
        first = self.field(
            f"{path}.first_seen", parse_date, item.get("first_seen"), label="the first-seen date", not_future=True
        )
        last = self.field(f"{path}.last_seen", parse_date, item.get("last_seen"), label="the last-seen date", **_PAST)
        ends = {"kind": kind, "target": target and (self.refs[target], target), "first_seen": first, "last_seen": last}
        self.problems.update(in_item(path, relationship_between(ends)))  # the service's rules between fields
        source = self.reference("relationships", path, item, "source")
        if source is not None and source == target:
            self.problems[f"{path}.target"] = "A person cannot be related to themselves"
        return {
            "source": source,
            "target": target,
            "kind": kind,
            "agency": self.reference("relationships", path, item, "agency"),
            "first_seen": first,
            "last_seen": last,
            "grading": self._grading(f"{path}.grading", item.get("grading")),
            "notes": self.field(
                f"{path}.notes", clean_text, item.get("notes"), label="the notes", max_length=5000, required=False
            ),
        }

    def _grading(self, path, value):
        if value is None:
            return None
        if not isinstance(value, dict):
            self.problems[path] = 'Grade as {"source": "1"-"3", "information": "A"-"E", "handling": "P"|"C"}'
            return None
        self.unknown_keys(path, value, GRADING_KEYS)
        return {
            name: self.field(f"{path}.{name}", choice, value.get(name), label=name, options=options)
            for name, options in zip(GRADING_KEYS, (GRADING_SOURCE, GRADING_INFORMATION, GRADING_HANDLING), strict=True)
        }

    def cases(self, path, item):
        opened = self.field(
            f"{path}.opened_on", parse_date, item.get("opened_on"), label="the opening date", not_future=True
        )
        closed = self.field(f"{path}.closed_on", parse_date, item.get("closed_on"), label="the closing date", **_PAST)
        if problem := closing_problem(opened, closed):
            self.problems[f"{path}.closed_on"] = problem
        concerns = self.problems.at(path, check_concerns, item.get("concerns")) or []
        members = item.get("members")
        if members is None:
            members = []
        elif not isinstance(members, list):  # {} or 0 too, which are not "no members"
            self.problems[f"{path}.members"] = "Give the members as a list of usernames"
            members = []
        # Found as sign-in finds a username: stripped, whatever its case.
        members = [username.strip().lower() if isinstance(username, str) else username for username in members]
        for i, username in enumerate(members):
            if not isinstance(username, str) or username not in self.usernames:
                self.problems[f"{path}.members[{i}]"] = "No user with this username"
            elif username in self.unfit:  # as when added to the team on the case's page
                self.problems[f"{path}.members[{i}]"] = self.unfit[username]
        return {
            "subject": self.reference("cases", path, item, "subject"),
            "agency": self.reference("cases", path, item, "agency"),
            "opened_on": opened,
            "closed_on": closed,
            "concerns": concerns,
            "members": members,
            "risk_level": self.field(
                f"{path}.risk_level", choice, item.get("risk_level"), label="the risk level", options=RISK_LEVELS
            ),
        }

    def chronology(self, path, item):
        return {
            "case": self.reference("chronology", path, item, "case"),
            "agency": self.reference("chronology", path, item, "agency"),
            "occurred_on": self.field(
                f"{path}.occurred_on", parse_date, item.get("occurred_on"), label="the date", not_future=True
            ),
            "category": self.field(
                f"{path}.category", choice, item.get("category"), label="the category", options=CHRONOLOGY_CATEGORIES
            ),
            "summary": self.field(
                f"{path}.summary", clean_text, item.get("summary"), label="the summary", max_length=10_000
            ),
            "sensitivity": self.field(
                f"{path}.sensitivity", choice, item.get("sensitivity"), label="the sensitivity", options=SENSITIVITIES
            ),
        }

    def missing_episodes(self, path, item):
        times = {
            key: self.field(
                f"{path}.{key}",
                parse_datetime,
                item.get(key),
                label=key.replace("_", " "),
                required=key == "reported_at",
            )
            for key in ("reported_at", "returned_at", "return_interview_offered_at")
        }
        _in_the_past(self.problems, path, times)  # their order is checked as stored (import_episodes)
        found = item.get("found_at")
        return {
            "person": self.reference("missing_episodes", path, item, "person"),
            "agency": self.reference("missing_episodes", path, item, "agency"),
            "found_at": self.reference("missing_episodes", path, item, "found_at") if found is not None else None,
            **times,
        }

    def referrals(self, path, item):
        times = {
            key: self.field(
                f"{path}.{key}", parse_datetime, item.get(key), label=key.replace("_", " "), required=key == "sent_at"
            )
            for key in ("sent_at", "acknowledged_at", "decided_at")
        }
        _in_order(self.problems, path, times, ("sent_at", "acknowledged_at", "decided_at"))
        _in_the_past(self.problems, path, times)
        if item.get("from_agency") is not None and item.get("from_agency") == item.get("to_agency"):
            self.problems[f"{path}.to_agency"] = "A referral goes to another agency than the one sending it"
        outcome = item.get("outcome")
        if outcome is not None and outcome not in ("accepted", "declined"):
            self.problems[f"{path}.outcome"] = "The outcome is accepted or declined"
        if (outcome is None) != (times.get("decided_at") is None):
            self.problems[f"{path}.outcome"] = "Give an outcome and decided_at together, or neither"
        if outcome != "declined" and item.get("decline_reason") is not None:
            self.problems[f"{path}.decline_reason"] = "Give a reason for declining only with the outcome declined"
        return {
            **self._referral_subject(path, item),
            "from_agency": self.reference("referrals", path, item, "from_agency"),
            "to_agency": self.reference("referrals", path, item, "to_agency"),
            "urgency": self.field(
                f"{path}.urgency", choice, item.get("urgency"), label="the urgency", options=URGENCIES
            ),
            "reason": self.field(
                f"{path}.reason", clean_text, item.get("reason"), label="the reason", max_length=10_000
            ),
            "outcome": outcome,
            "decline_reason": self.field(
                f"{path}.decline_reason",
                clean_text,
                item.get("decline_reason"),
                label="the reason for declining",
                max_length=1000,
                required=outcome == "declined",  # as a decline through the service needs one
            ),
            **times,
        }

    def _referral_subject(self, path, item) -> dict:
        """What a referral is about (SPEC 3): `person`, a person's ref, or `subject`, a place's or group's (an
        extension of the format), exactly one of them."""
        if item.get("person") is not None and item.get("subject") is not None:
            self.problems[f"{path}.subject"] = "Give person for a person or subject for a place or group, not both"
            return {"person": None, "subject": None}
        if item.get("subject") is not None:
            return {"person": None, "subject": self.reference("referrals", path, item, "subject")}
        return {"person": self.reference("referrals", path, item, "person"), "subject": None}


def closing_problem(opened_on: date | None, closed_on: date | None) -> str | None:
    """Why a case cannot have these days, or None (a case closed on its page closes on the day it is closed)."""
    if opened_on and closed_on and closed_on < opened_on:
        return "A case closes on or after the day it opened"
    return None


def _in_the_past(problems: Problems, path: str, times: dict[str, datetime | None]) -> None:
    now = utcnow()
    for key, at in times.items():
        if at is not None and at > now:
            problems[f"{path}.{key}"] = f"{key.replace('_', ' ')} is in the future: an import brings the past"


def _in_order(problems: Problems, path: str, times: dict[str, datetime | None], order: tuple[str, ...]) -> None:
    given = [(key, times.get(key)) for key in order if times.get(key) is not None]
    for (earlier, first), (later, second) in zip(given, given[1:], strict=False):
        if second < first:
            problems[f"{path}.{later}"] = f"{later.replace('_', ' ')} is before {earlier.replace('_', ' ')}"
