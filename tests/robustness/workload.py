"""A mixed load on a real server: practitioners who record, read, change and search people and send referrals,
and a receiving agency that acknowledges, accepts (opening a case) or declines them and reads what it received.

Every request carries its own X-Request-Id, which the audit trail records; the ledger keeps each request that
completed with its expected status (with the ids it created) and every error, so that afterwards the database can
be checked for each completed request's record and audit event.
"""

import itertools
import queue
import random
import threading
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from audit.models import AuditEvent
from models.case import Case
from models.person import Person
from models.referral import Referral
from tests.robustness.http import call

EXPECTED_STATUS = {
    "create_person": 201,
    "read_person": 200,
    "change_person": 200,
    "search": 200,
    "refer": 201,
    "acknowledge": 200,
    "accept": 200,
    "decline": 200,
    "read_referral": 200,
    "read_referred_person": 200,
    "inbox": 200,
}
# A referral only moves forward; after a crash it may be further on than the last answer a client received.
REFERRAL_STAGE = {"submitted": 0, "acknowledged": 1, "accepted": 2, "declined": 2}
GIVEN_NAMES = ("Jayden", "Leah", "Amir", "Chloe", "Tyler", "Maya", "Kai", "Ruby")
FAMILY_NAMES = ("Okafor", "Clarke", "Nowak", "Hussain", "Evans", "Mensah", "Byrne", "Patel", "Ahmed", "Walsh")


@dataclass(frozen=True)
class Completed:
    """A request answered with its expected status."""

    action: str
    request_id: str
    record_id: str | None
    detail: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Failed:
    """A request answered with another status, or not answered at all; `at` is time.monotonic()."""

    action: str
    request_id: str
    problem: str
    at: float


@dataclass
class Ledger:
    completed: list[Completed] = field(default_factory=list)
    failed: list[Failed] = field(default_factory=list)

    def of(self, *actions: str) -> list[Completed]:
        return [c for c in self.completed if c.action in actions]


class Workload:
    """run(seconds) drives one thread per client until the time is up or stop() is called."""

    def __init__(self, url: str, senders: list[dict], receivers: list[dict], receiving_agency_id: str) -> None:
        self.url, self.senders, self.receivers = url, senders, receivers
        self.receiving_agency_id = receiving_agency_id
        self.ledger = Ledger()
        self.requests_made = itertools.count(1)
        self._stopping = threading.Event()
        self._to_acknowledge: queue.SimpleQueue = queue.SimpleQueue()
        self._to_decide: queue.SimpleQueue = queue.SimpleQueue()
        self._received: list[dict] = []  # referrals the receiving agency has acknowledged: id and person id

    def run(self, seconds: float) -> Ledger:
        threads = [threading.Thread(target=self._sender, args=(n, h)) for n, h in enumerate(self.senders)]
        offset = len(self.senders)
        threads += [threading.Thread(target=self._receiver, args=(offset + n, h)) for n, h in enumerate(self.receivers)]
        for thread in threads:
            thread.start()
        self._stopping.wait(seconds)
        self._stopping.set()
        for thread in threads:
            thread.join()
        return self.ledger

    def stop(self) -> None:
        self._stopping.set()

    def _request(self, client: int, headers: dict, action: str, method: str, path: str, body=None):
        """The reply's JSON when the request completed with its expected status; else None, with the failure kept."""
        request_id = f"load-{client}-{next(self.requests_made)}-{uuid.uuid4().hex[:8]}"
        try:
            reply = call(self.url, method, path, headers={**headers, "X-Request-Id": request_id}, body=body)
        except OSError as exc:
            self.ledger.failed.append(Failed(action, request_id, f"{type(exc).__name__}: {exc}", time.monotonic()))
            return None, request_id
        if reply.status != EXPECTED_STATUS[action]:
            problem = f"{method} {path} answered {reply.status}: {reply.raw[:300]!r}"
            self.ledger.failed.append(Failed(action, request_id, problem, time.monotonic()))
            return None, request_id
        return reply.json(), request_id

    def _done(self, action: str, request_id: str, record_id: str | None, **detail) -> None:
        self.ledger.completed.append(Completed(action, request_id, record_id, detail))

    def _sender(self, client: int, headers: dict) -> None:
        """A practitioner: records people, reads and changes them, searches, and refers some of them on."""
        rng = random.Random(client)
        family_name = FAMILY_NAMES[client % len(FAMILY_NAMES)]
        people: list[dict] = []  # this client's people: id, version and whether already referred
        while not self._stopping.is_set():
            roll = rng.random()
            unreferred = [p for p in people if not p["referred"]]
            if not people or roll < 0.2 or (roll >= 0.8 and not unreferred):
                body = {"given_name": rng.choice(GIVEN_NAMES), "family_name": family_name,
                        "date_of_birth": f"20{rng.randint(8, 15):02d}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}",
                        "notes": "Seen near the station late at night"}  # fmt: skip
                data, request_id = self._request(client, headers, "create_person", "POST", "/people", body)
                if data:
                    people.append({"id": data["id"], "version": data["version"], "referred": False})
                    self._done("create_person", request_id, data["id"])
            elif roll < 0.6:
                person = rng.choice(people)
                path = f"/people/{person['id']}"
                data, request_id = self._request(client, headers, "read_person", "GET", path)
                if data:
                    self._done("read_person", request_id, person["id"])
            elif roll < 0.7:
                person = rng.choice(people)
                body = {"version": person["version"], "notes": f"Change {person['version'] + 1}"}
                data, request_id = self._request(
                    client, headers, "change_person", "PATCH", f"/people/{person['id']}", body
                )
                if data:
                    person["version"] = data["version"]
                    self._done("change_person", request_id, person["id"], version=data["version"])
            elif roll < 0.8:
                path = f"/people?family_name={family_name}"
                data, request_id = self._request(client, headers, "search", "GET", path)
                if data:
                    self._done("search", request_id, None)
            else:
                person = rng.choice(unreferred)
                urgency = rng.choice(("red", "amber", "green"))
                body = {"person_id": person["id"], "to_agency_id": self.receiving_agency_id, "urgency": urgency,
                        "reason": "Seen with older males"}  # fmt: skip
                data, request_id = self._request(client, headers, "refer", "POST", "/referrals", body)
                if data:
                    person["referred"] = True
                    self._done("refer", request_id, data["id"], status="submitted")
                    self._to_acknowledge.put({"id": data["id"], "person_id": person["id"]})

    def _receiver(self, client: int, headers: dict) -> None:
        """The receiving agency: acknowledges, then accepts or declines; reads what it received and its inbox."""
        rng = random.Random(client)
        while not self._stopping.is_set():
            roll = rng.random()
            if roll < 0.4 and (referral := _take(self._to_acknowledge)):
                path = f"/referrals/{referral['id']}/acknowledge"
                data, request_id = self._request(client, headers, "acknowledge", "POST", path, {})
                if data:
                    self._done("acknowledge", request_id, referral["id"], status="acknowledged")
                    self._received.append(referral)
                    self._to_decide.put(referral)
            elif roll < 0.7 and (referral := _take(self._to_decide)):
                if rng.random() < 0.5:
                    path = f"/referrals/{referral['id']}/accept"
                    data, request_id = self._request(client, headers, "accept", "POST", path, {})
                    if data:
                        self._done("accept", request_id, referral["id"], status="accepted", case_id=data["case_id"])
                else:
                    path = f"/referrals/{referral['id']}/decline"
                    body = {"reason": "Below our threshold: advice given to the referrer"}
                    data, request_id = self._request(client, headers, "decline", "POST", path, body)
                    if data:
                        self._done("decline", request_id, referral["id"], status="declined")
            elif roll < 0.95 and self._received:
                referral = rng.choice(self._received)
                if rng.random() < 0.5:
                    action, path, record_id = "read_referral", f"/referrals/{referral['id']}", referral["id"]
                else:
                    action, path, record_id = (
                        "read_referred_person",
                        f"/people/{referral['person_id']}",
                        referral["person_id"],
                    )
                data, request_id = self._request(client, headers, action, "GET", path)
                if data:
                    self._done(action, request_id, record_id)
            elif roll >= 0.95:
                data, request_id = self._request(client, headers, "inbox", "GET", "/referrals?box=inbox")
                if data:
                    self._done("inbox", request_id, None)
            else:
                time.sleep(0.01)  # nothing received yet


def _take(waiting: queue.SimpleQueue) -> dict | None:
    try:
        return waiting.get_nowait()
    except queue.Empty:
        return None


def problems_with_what_was_kept(session: Session, ledger: Ledger) -> list[str]:
    """Each completed write's record is in the database (at least as far on as its answer said), and each completed
    request has its audit event (a person read: a `view` of that person) under its request id."""
    problems = []
    created = {c.record_id for c in ledger.of("create_person")}
    stored = dict(_rows(session, (Person.id, Person.version), created))
    problems += [f"person {i} was created (201) but is missing" for i in created - stored.keys()]
    for change in ledger.of("change_person"):
        if stored.get(change.record_id, 0) < change.detail["version"]:
            problems.append(f"person {change.record_id} answered version {change.detail['version']} but is older")

    moves = ledger.of("refer", "acknowledge", "accept", "decline")
    statuses = dict(_rows(session, (Referral.id, Referral.status), {m.record_id for m in moves}))
    for move in moves:
        status = statuses.get(move.record_id)
        if status is None:
            problems.append(f"referral {move.record_id} was sent (201) but is missing")
        elif REFERRAL_STAGE[status] < REFERRAL_STAGE[move.detail["status"]]:
            problems.append(f"referral {move.record_id} answered {move.detail['status']} but is {status}")
    opened = {m.detail["case_id"] for m in ledger.of("accept")}
    kept_cases = {row.id for row in _rows(session, (Case.id,), opened)}
    problems += [f"case {i} was opened on acceptance but is missing" for i in opened - kept_cases]

    events = defaultdict(set)
    request_ids = {c.request_id for c in ledger.completed}
    for request_id, action, object_id in _rows(
        session, (AuditEvent.request_id, AuditEvent.action, AuditEvent.object_id), request_ids
    ):
        events[request_id].add((action, object_id))
    for done in ledger.completed:
        if not events[done.request_id]:
            problems.append(f"{done.action} {done.request_id} completed without an audit event")
        elif (
            done.action in ("read_person", "read_referred_person")
            and ("view", done.record_id) not in events[done.request_id]
        ):
            problems.append(f"{done.action} {done.request_id} completed without a view event of {done.record_id}")
    return problems


def _rows(session: Session, columns: tuple, keys: set, chunk: int = 500) -> list:
    """Rows of these columns whose first column is one of the keys (in chunks, within SQLite's parameter limit)."""
    ordered = sorted(keys)
    rows = []
    for start in range(0, len(ordered), chunk):
        rows += session.execute(select(*columns).where(columns[0].in_(ordered[start : start + chunk]))).all()
    return rows
