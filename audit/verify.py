"""Verification of the whole log against its signed checkpoints (and optionally a checkpoint kept elsewhere).

`first_bad` is the first sequence number the evidence cannot vouch for: the event itself when the damage is
visible in one row (fields vs canonical bytes, leaf hash, a gap, a duplicate, an order the sealer never gives),
the first missing event after a truncation, and otherwise the start of the smallest signed subtree whose hash no
longer matches (a consistent rewrite of several rows shows only there).
"""

from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import Connection, Engine, select, text

from audit.canonical import EVENT_FIELDS, encode_stored, person_ids_text, stored_time_text
from audit.confirm import confirm
from audit.merkle import frontier_append, frontier_root, frontier_sizes, leaf_hash
from audit.models import AuditCheckpoint
from audit.sealer import AuditIntegrityError, seal
from audit.signing import Checkpoint, KeyLike, key_id, load_exported, public_key, unpack_frontier

_BATCH = 20_000
_SEP = "\x1f"  # joins a row's person ids in SQL; ids never contain it
_PEOPLE = {
    "sqlite": "(SELECT group_concat(p.person_id, char(31)) FROM audit_event_people p WHERE p.event_id = e.id)",
    "postgresql": "(SELECT string_agg(p.person_id, chr(31)) FROM audit_event_people p WHERE p.event_id = e.id)",
}
_LEAVES_SQL = "SELECT seq, canonical, leaf_hash FROM audit_events WHERE seq IS NOT NULL ORDER BY seq"


def _events_sql(dialect: str) -> str:
    """seq, the stored fields in EVENT_FIELDS order, canonical, leaf_hash, and the person index rows joined."""
    columns = ", ".join(f"e.{name}" for name in EVENT_FIELDS)
    # Raw column values (no type processing): verify re-encodes exactly what is stored.
    return (
        f"SELECT e.seq, {columns}, e.canonical, e.leaf_hash, {_PEOPLE[dialect]} "  # noqa: S608 - constants only
        "FROM audit_events e WHERE e.seq IS NOT NULL ORDER BY e.seq"
    )


_cp = AuditCheckpoint.__table__.c
_CHECKPOINTS = select(_cp.size, _cp.root_hash, _cp.at, _cp.signature, _cp.key_id, _cp.frontier).order_by(_cp.size)


@dataclass(frozen=True)
class VerifyResult:
    """The outcome of a verification; first_bad and reason are None when ok."""

    ok: bool
    events: int
    first_bad: int | None
    reason: str | None

    def as_dict(self) -> dict[str, Any]:
        """The JSON shape of GET /audit/verify and `audit verify --json`."""
        return {k: v for k, v in asdict(self).items() if v is not None}


class _Bad(Exception):
    def __init__(self, first_bad: int, reason: str) -> None:
        super().__init__(reason)
        self.first_bad, self.reason = first_bad, reason


def verify(
    engine: Engine,
    key: KeyLike,
    exported_checkpoint: dict | str | bytes | None = None,
    *,
    seal_first: bool = True,
    previous_keys: Iterable[KeyLike] = (),
    full: bool = True,
    every_signature: bool = False,
) -> VerifyResult:
    """Seal (with the private key), then check every sealed event and every checkpoint; see the module doc.

    previous_keys: public keys of earlier signing keys, still trusted for the checkpoints they signed.
    full=False streams only seq, canonical and leaf_hash: the tree catches edits, deletions, insertions,
    reordering and truncation, but not a column edited apart from its canonical bytes, nor the person index.
    every_signature: also check the signature of every earlier checkpoint (see _Plan; ~0.1 ms each).
    """
    trusted = {key_id(k): public_key(k) for k in (key, *previous_keys)}
    seal_problem = None
    if seal_first:
        if isinstance(key, Ed25519PublicKey):
            raise ValueError("sealing before verifying needs the private signing key; or pass seal_first=False")
        try:
            seal(engine, key)
        except AuditIntegrityError as exc:
            seal_problem = str(exc)
    exported = load_exported(exported_checkpoint) if exported_checkpoint is not None else None
    with _snapshot(engine) as conn:
        plan = _Plan(conn, trusted, exported, every_signature)
        sealed = conn.execute(text("SELECT max(seq) FROM audit_events")).scalar() or 0
        if _confirmable(plan, sealed) and confirm(conn, sealed, plan.subtrees, plan.roots, plan.batch_ends, full):
            count = sealed
        else:
            try:
                count = _scan(conn, plan, full)
                plan.finish(count)
            except _Bad as bad:
                total = conn.execute(text("SELECT count(*) FROM audit_events WHERE seq IS NOT NULL")).scalar_one()
                return VerifyResult(False, total, bad.first_bad, bad.reason)
    if seal_problem:
        return VerifyResult(False, count, count + 1, seal_problem)
    return VerifyResult(True, count, None, None)


def _confirmable(plan: "_Plan", sealed: int) -> bool:
    """Whether the bulk confirmation can vouch for the whole log: the checkpoints agree and cover every event."""
    return plan.failure is None and sealed == plan.covered and sealed >= plan.exported_size


@contextmanager
def _snapshot(engine: Engine) -> Iterator[Connection]:
    """One consistent read of events and checkpoints, even while the background sealer commits."""
    with engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            conn.execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)
        elif conn.dialect.name == "sqlite" and not conn.connection.dbapi_connection.in_transaction:
            conn.exec_driver_sql("BEGIN")
        try:
            yield conn
        finally:
            conn.rollback()


class _Plan:
    """What the checkpoints say the leaves must hash to, and where the first untrustworthy one is.

    Every checkpoint's frontier must hash to its root, but only the latest signature is checked up front (one
    Ed25519 verification instead of one per second of activity, each costing more than a hundred events); an
    earlier checkpoint's signature is checked when its evidence would condemn events, so a forged checkpoint is
    reported as such and never blamed on the log. An unchecked one agrees with the authenticated leaves, so its
    size and root are true; every_signature also checks its time and signature.
    """

    def __init__(
        self,
        conn: Connection,
        trusted: dict[str, Ed25519PublicKey],
        exported: tuple[Checkpoint, Ed25519PublicKey] | None,
        every_signature: bool,
    ) -> None:
        self.trusted = trusted
        self.checkpoints = [_checkpoint(row) for row in conn.execute(_CHECKPOINTS)]
        self.batch_ends = {c.size for c in self.checkpoints}
        self.subtrees: dict[int, bytes] = {}  # prefix length -> root of the subtree ending there
        self.owners: dict[int, int] = {}  # prefix length -> index of the checkpoint that said so (-1: the export)
        self.roots: dict[int, bytes] = {}  # prefix length -> tree root (an export without a frontier)
        self.failure: _Bad | None = None
        self.covered = self.exported_size = 0
        self._problems: dict[int, str | None] = {}
        for index, checkpoint in enumerate(self.checkpoints):
            if (every_signature or not checkpoint.frontier_matches()) and self.problem(index):
                self.failure = self.bad_checkpoint(index)
                break
        latest = self._latest_valid()
        for index in range(latest + 1):
            self._add_subtrees(self.checkpoints[index], index)
        if exported is not None:
            checkpoint, pub = exported
            if key_id(pub) not in trusted:
                self._fail(1, f"the exported checkpoint was signed by key {key_id(pub)}, which this log does not use")
            self.exported_size = checkpoint.size
            self.roots[checkpoint.size] = checkpoint.root
            self._add_subtrees(checkpoint, -1)

    def problem(self, index: int) -> str | None:
        """Why checkpoint `index` cannot be trusted, or None (checked once, when first needed)."""
        if index not in self._problems:
            checkpoint = self.checkpoints[index]
            pub = self.trusted.get(checkpoint.key_id)
            if pub is None or not checkpoint.signature_valid(pub):
                self._problems[index] = (
                    f"checkpoint {checkpoint.size} does not carry a valid signature of a trusted key"
                )
            elif not checkpoint.frontier_matches():
                self._problems[index] = f"checkpoint {checkpoint.size} stores a frontier that does not match its root"
            else:
                self._problems[index] = None
        return self._problems[index]

    def bad_checkpoint(self, index: int) -> _Bad:
        """The failure a forged checkpoint stands for: nothing after the checkpoint before it is vouched for."""
        return _Bad(self.checkpoints[index - 1].size + 1 if index > 0 else 1, self.problem(index) or "")

    def _latest_valid(self) -> int:
        for index in range(len(self.checkpoints) - 1, -1, -1):
            if self.problem(index) is None:
                self.covered = self.checkpoints[index].size
                break
        else:
            index = -1
        if index < len(self.checkpoints) - 1:
            bad = self.bad_checkpoint(index + 1)
            self._fail(bad.first_bad, bad.reason)
        return index

    def _add_subtrees(self, checkpoint: Checkpoint, index: int) -> None:
        end = 0
        for size, subtree in zip(frontier_sizes(checkpoint.size), checkpoint.frontier, strict=False):
            end += size
            known = self.subtrees.setdefault(end, subtree)
            owner = self.owners.setdefault(end, index)
            if known != subtree:
                suspects = [i for i in (index, owner) if i >= 0 and self.problem(i)]
                if suspects:
                    bad = self.bad_checkpoint(suspects[0])
                    self._fail(bad.first_bad, bad.reason)
                else:
                    which = "the exported checkpoint and the log" if -1 in (index, owner) else "two signed checkpoints"
                    self._fail(end - size + 1, f"{which} disagree about events {end - size + 1}-{end}")

    def _fail(self, first_bad: int, reason: str) -> None:
        if self.failure is None or first_bad < self.failure.first_bad:
            self.failure = _Bad(first_bad, reason)

    def blame(self, seq: int) -> _Bad:
        """Events up to `seq` disagree with a subtree root: blame the checkpoint if it is forged, else the events."""
        owner = self.owners[seq]
        if owner >= 0 and self.problem(owner):
            return self.bad_checkpoint(owner)
        start = seq - (seq & -seq) + 1
        return _Bad(start, f"events {start}-{seq} do not hash to the signed subtree root")

    @property
    def limit(self) -> int:
        """How far the scan runs before what is left is already known to be bad."""
        return self.failure.first_bad - 1 if self.failure else self.covered

    def finish(self, count: int) -> None:
        """After a clean scan of `count` events: what the checkpoints say is missing or unproven."""
        if self.failure is not None and count >= self.failure.first_bad - 1:
            raise self.failure
        expected = max(self.covered, self.exported_size)
        if count < expected:
            raise _Bad(count + 1, f"the log ends at event {count} but a signed checkpoint covers {expected} events")


def _checkpoint(row: Sequence) -> Checkpoint:
    try:
        frontier = tuple(unpack_frontier(row.frontier, row.size))
    except ValueError:
        frontier = ()  # the wrong length: frontier_matches() reports it
    return Checkpoint(row.size, row.root_hash, row.at, row.signature, row.key_id, frontier)


def _scan(conn: Connection, plan: _Plan, full: bool) -> int:
    """Stream the sealed events in seq order, checking each against its neighbours and the checkpoints."""
    sql = _events_sql(conn.dialect.name) if full else _LEAVES_SQL
    # yield_per: a server-side cursor on PostgreSQL, so memory stays flat at any log size.
    with conn.execute(text(sql), execution_options={"yield_per": _BATCH}) as rows:
        return _check_stream(rows, plan, _check_event if full else _check_leaf)


def _check_stream(rows: Iterable[Sequence], plan: _Plan, check_row: Callable) -> int:
    limit, subtrees, roots, batch_ends = plan.limit, plan.subtrees, plan.roots, plan.batch_ends
    frontier: list[bytes] = []
    expected, previous = 0, None
    for row in rows:
        seq = row[0]
        if seq != expected + 1:
            first = min(seq, expected + 1)
            raise _Bad(first, f"event {first} is {'missing' if seq > expected + 1 else 'duplicated'}")
        expected = seq
        if seq > limit:
            if plan.failure is None:
                raise _Bad(seq, f"event {seq} is sealed but no signed checkpoint covers it")
            return seq - 1
        try:
            order_key, leaf = check_row(seq, row)
        except (TypeError, ValueError, UnicodeError) as exc:  # a doctored column of the wrong type or form
            raise _Bad(seq, f"event {seq} cannot be read back: {exc}") from None
        if order_key and previous and seq - 1 not in batch_ends and not previous < order_key:
            raise _Bad(seq - 1, f"events {seq - 1} and {seq} are not in the order the sealer gave them")
        previous = order_key
        frontier_append(frontier, seq - 1, leaf)
        if seq in subtrees and frontier[-1] != subtrees[seq]:
            raise plan.blame(seq)
        if seq in roots and frontier_root(frontier) != roots[seq]:
            raise _Bad(1, f"the first {seq} events do not match the exported checkpoint")
    return expected


def _check_event(seq: int, row: Sequence) -> tuple[tuple[str, str] | None, bytes]:
    """Fields, canonical bytes, leaf hash and person index rows of one event agree; (order key, leaf)."""
    # seq, EVENT_FIELDS in order (encode_stored's parameters; a unit test holds them together), then the rest.
    (_, event_id, at, actor_user_id, actor_agency_id, actor_role, action, object_type, object_id, person_ids,
     outcome, reason, purpose, detail, flagged, request_id, client_addr, user_agent, canonical, stored_leaf,
     people) = row  # fmt: skip
    at = stored_time_text(at)
    canonical = bytes(canonical)
    fields = encode_stored(
        event_id, at, actor_user_id, actor_agency_id, actor_role, action, object_type, object_id, person_ids,
        outcome, reason, purpose, detail, flagged, request_id, client_addr, user_agent,
    )  # fmt: skip
    if fields != canonical:
        raise _Bad(seq, f"event {seq}: its fields no longer match its canonical bytes")
    leaf = leaf_hash(canonical)
    if leaf != stored_leaf:
        raise _Bad(seq, f"event {seq}: its canonical bytes no longer match its leaf hash")
    if ("[]" if people is None else person_ids_text(people.split(_SEP))) != person_ids:
        raise _Bad(seq, f"event {seq}: its person index rows do not match its person ids")
    return (at, event_id), leaf


def _check_leaf(seq: int, row: Sequence) -> tuple[None, bytes]:
    """The quick check: canonical bytes hash to the stored leaf (the tree does the rest); no order key."""
    leaf = leaf_hash(bytes(row[1]))
    if leaf != row[2]:
        raise _Bad(seq, f"event {seq}: its canonical bytes no longer match its leaf hash")
    return None, leaf
