"""Context maps and the referral inbox through the API on a synthetic borough, audited and redacted.

    .venv/bin/python bench/context_maps.py [--people 5000] [--maps 100] [--caseload 250] [--fresh] [--no-postgres]
                                            [--cold]

The borough is loaded through the import once and kept in bench/.cache/ (see borough_db.py). A police officer on
--caseload open cases (0: on every case in the borough) asks for maps around the subjects of those cases and
around random places, with a bearer token through the Flask test client, so each figure includes the token check,
the policy, redaction, JSON and the audit event committed before the response. The caseload is fixed so that
boroughs of different sizes are compared under the same viewer. The first map after a change to the graph builds
the per-process adjacency; that build is timed on its own row. Maps that each follow an edit of a person's row
show that such an edit keeps the adjacency (only relationship writes move the stamp it is keyed by); maps that each
follow a write to one relationship show the cost of applying the logged write to the adjacency held. The
officer's referral inbox (everything the borough's children's social care received, across the years the
generator spreads referrals over) is timed the same way, for a social worker of that agency: a page of the
newest 50, a page of the open ones, and the whole box unpaged (a few times only: it grows with the years).
Before timing, the SQLite file is read once into the file cache, as a server answering for a while would have it
(--cold leaves the cache as the run before left it).
"""

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from borough_db import borough_app, engines_to_measure, officer, warm_file_cache  # noqa: E402
from sqlalchemy import select, update  # noqa: E402

from app.extensions import db  # noqa: E402
from models.agency import Agency  # noqa: E402
from models.base import utcnow  # noqa: E402
from models.context import Place, Relationship  # noqa: E402
from models.person import Person  # noqa: E402
from models.user import User  # noqa: E402
from safeguarding import accounts, graph_cache, policy  # noqa: E402
from safeguarding.validation import uk_today  # noqa: E402


def percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


def row(name: str, samples: tuple[list[float], list[float], list[int]]) -> str:
    wall, cpu, nodes = samples
    return (
        f"{name:<36} {statistics.median(wall):>9.1f} {percentile(wall, 0.95):>9.1f} "
        f"{statistics.median(cpu):>9.1f} {statistics.mean(nodes):>7.0f} {len(wall):>6}"
    )


def timed_gets(
    client, headers: dict, paths: list[str], items: str = "nodes"
) -> tuple[list[float], list[float], list[int]]:
    """Wall-clock and CPU milliseconds of each GET (CPU time is what a busy machine distorts least), and how many
    `items` (map nodes, inbox results) each answer held."""
    wall, cpu, nodes = [], [], []
    for path in paths:
        started, started_cpu = time.perf_counter(), time.process_time()
        response = client.get(path, headers=headers)
        wall.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"GET {path} answered {response.status_code}: {response.get_data(as_text=True)[:200]}")
        nodes.append(len(response.get_json()[items]))
    return wall, cpu, nodes


def social_worker(session):
    """A social worker of the borough's children's social care, which receives the generated referrals."""
    social_care = session.scalars(select(Agency).where(Agency.kind == "social_care").order_by(Agency.name)).first()
    existing = session.scalars(select(User).where(User.username == "bench.inbox")).one_or_none()
    if existing is not None:
        return existing
    user, _ = accounts.create_user(
        session, None, username="bench.inbox", agency=social_care, role="social_worker",
        given_name="Bench", family_name="Inbox", password="a long enough password",
    )  # fmt: skip
    return user


WHOLE_INBOX_READS = 5
EDITS = 10


def touch_person(person_id: str) -> None:
    """A committed write to a person's row: it moves the graph stamp, not the links stamp the adjacency is keyed by."""
    db.session.execute(update(Person).where(Person.id == person_id).values(updated_at=utcnow()))
    db.session.commit()
    db.session.remove()


def touch_relationship(person_id: str) -> None:
    """A committed write to one of a person's relationships (a sighting dated today): it moves the links stamp, so
    the next map applies the logged write to the adjacency it holds."""
    first = select(Relationship.id).where(Relationship.source_person_id == person_id).limit(1).scalar_subquery()
    db.session.execute(update(Relationship).where(Relationship.id == first).values(last_seen=uk_today()))
    db.session.commit()
    db.session.remove()


def measure(people: int, maps: int, caseload: int, fresh: bool, engine: str, cold: bool) -> None:
    """Print one engine's table."""
    rng = random.Random(7)
    with borough_app(people, fresh=fresh, engine=engine) as (app, loaded):
        user = officer(db.session, caseload or None)
        token, _ = accounts.issue_token(db.session, user)
        inbox_token, _ = accounts.issue_token(db.session, social_worker(db.session))
        db.session.commit()
        subjects = sorted(policy.case_team_people(db.session, user))
        # A home is shown only to those who may see someone living there: the officer maps public places.
        places = list(db.session.scalars(select(Place.id).where(Place.kind != "address")))
        db.session.remove()
        headers = {"Authorization": f"Bearer {token}"}
        ego = [f"/api/v1/people/{rng.choice(subjects)}/context?depth=2" for _ in range(maps)]
        place = [f"/api/v1/places/{rng.choice(places)}/context?depth=1" for _ in range(maps)]
        cache = "file cache left as it is" if cold else warm_file_cache(str(db.engine.url))
        with app.test_client() as client:
            # A logged write first: a stamp from before the log (migration 0014) makes one more build after a write.
            touch_relationship(subjects[0])
            graph_cache.forget()
            first = timed_gets(client, headers, ego[:1])
            ego_times = timed_gets(client, headers, ego)
            after_edit, after_link = [], []
            for path in ego[:EDITS]:
                touch_person(path.split("/")[4])
                after_edit.append(timed_gets(client, headers, [path]))
            for path in ego[EDITS : 2 * EDITS]:
                touch_relationship(path.split("/")[4])
                after_link.append(timed_gets(client, headers, [path]))
            place_times = timed_gets(client, headers, place)
            inbox_headers = {"Authorization": f"Bearer {inbox_token}"}
            inbox = "/api/v1/referrals?box=inbox"
            page_times = timed_gets(client, inbox_headers, [f"{inbox}&limit=50"] * maps, "results")
            open_times = timed_gets(client, inbox_headers, [f"{inbox}&status=open&limit=50"] * maps, "results")
            whole_times = timed_gets(client, inbox_headers, [inbox] * WHOLE_INBOX_READS, "results")
    source = f"loaded through the import in {loaded:.1f} s" if loaded is not None else "reused from bench/.cache"
    print(f"\n{engine}: {people:,} people, {source}; the officer sees {len(subjects):,} people by their cases; {cache}")
    print(f"{'GET through the API':<36} {'p50 ms':>9} {'p95 ms':>9} {'cpu p50':>9} {'items':>7} {'runs':>6}")
    print(row("first map (builds the adjacency)", first))
    print(row("ego map, depth 2 (audited)", ego_times))
    print(row("the same, each after a person edit", tuple(sum(parts, []) for parts in zip(*after_edit, strict=True))))
    print(
        row(
            "the same, each after a relationship write",
            tuple(sum(parts, []) for parts in zip(*after_link, strict=True)),
        )
    )
    print(row("place map, depth 1 (audited)", place_times))
    print(row("inbox, newest 50 (audited)", page_times))
    print(row("inbox, open only, newest 50", open_times))
    print(row("inbox, every referral ever received", whole_times))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=5000)
    parser.add_argument("--maps", type=int, default=100)
    parser.add_argument("--caseload", type=int, default=250, help="open cases the officer is on (0: every case)")
    parser.add_argument("--fresh", action="store_true", help="load the borough again instead of reusing the cache")
    parser.add_argument("--no-postgres", action="store_true", help="SQLite only")
    parser.add_argument("--cold", action="store_true", help="time without first reading the SQLite file into the cache")
    args = parser.parse_args()
    engines = engines_to_measure(args.no_postgres)
    for engine in engines:
        measure(args.people, args.maps, args.caseload, args.fresh, engine, args.cold)


if __name__ == "__main__":
    main()
