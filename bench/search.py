"""Benchmark: "already known?" search over N people (default 1,000,000) through the service the API calls.

    .venv/bin/python bench/search.py [--people N] [--searches K] [--rebuild] [--postgres] [--cold]

Builds the people, their data keys and their blind-index tokens by direct bulk inserts of the rows the app
writes (the same key wrapping, field encryption and token functions), into a SQLite file cached under
instance/bench/ (gitignored), or with --postgres into the kept database sc_bench_search_<N> of the local server
(keys in instance/bench/ too); --rebuild makes it afresh. Then it times K searches of each kind through
safeguarding.search.search_people, audit event and commit included, and prints p50/p95 in milliseconds, how many
searches found anyone, and how many ranked the person meant (outside the timing). The SQLite file is read once
into the file cache first, as a server answering for a while would have it (--cold leaves the cache as it is).
"""

import argparse
import base64
import hashlib
import json
import os
import random
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from borough_db import cache_folder, kept_postgres_database, warm_file_cache  # noqa: E402
from flask_migrate import upgrade  # noqa: E402

from app import create_app  # noqa: E402
from app.extensions import db  # noqa: E402
from models.base import new_id  # noqa: E402
from models.crypto import current_keyring  # noqa: E402
from models.crypto.aead import associated_data, encrypt  # noqa: E402
from models.crypto.data_keys import DATA_KEY_SIZE, DataKey  # noqa: E402
from models.crypto.fields import serialise  # noqa: E402
from models.person import Person, PersonIndexToken  # noqa: E402
from models.user import User  # noqa: E402
from safeguarding import accounts, search  # noqa: E402
from safeguarding.blind_index import person_tokens, query_tokens  # noqa: E402
from safeguarding.heap import settle  # noqa: E402
from safeguarding.runtime import current as runtime  # noqa: E402
from safeguarding.synthetic import FAMILY, GIVEN  # noqa: E402

CACHE = cache_folder(ROOT / "instance" / "bench")
BATCH = 10_000
TODAY = date(2026, 11, 1)


def bench_keys() -> None:
    """Fixed keys, so a cached database stays readable by the next run."""
    for name in ("MASTER_KEY", "INDEX_KEY", "SIGNING_KEY"):
        seed = hashlib.sha256(f"safecontext search bench {name}".encode()).digest()
        os.environ.setdefault(f"SAFECONTEXT_{name}", base64.b64encode(seed).decode())


def person_name(rng: random.Random) -> tuple[str, str, date]:
    """Half the families share one of the common names, half a rarer double-barrelled one; any date of birth."""
    family = rng.choice(FAMILY) if rng.random() < 0.5 else f"{rng.choice(FAMILY)}-{rng.choice(FAMILY)}"
    return rng.choice(GIVEN), family, TODAY - timedelta(days=rng.randint(0, 90 * 365))


def build(people: int) -> None:
    """Insert `people` people as record_person() would store them (imported: no recorder)."""
    keyring, indexer = current_keyring(), runtime().indexer
    rng = random.Random(1)
    keys, persons, tokens = DataKey.__table__, Person.__table__, PersonIndexToken.__table__
    started = time.perf_counter()
    for base in range(0, people, BATCH):
        key_rows, person_rows, token_rows = [], [], []
        for _ in range(base, min(base + BATCH, people)):
            given, family, born = person_name(rng)
            person_id, key_id, data_key = new_id(), new_id(), os.urandom(DATA_KEY_SIZE)
            master_key_id, wrapped = keyring.master_keys.wrap(data_key)
            key_rows.append(
                {"id": key_id, "purpose": "person", "master_key_id": master_key_id, "wrapped_key": wrapped}
            )  # fmt: skip
            fields = {"given_name": ("str", given), "family_name": ("str", family), "date_of_birth": ("date", born)}
            person_rows.append(
                {
                    "id": person_id,
                    "data_key_id": key_id,
                    "dob_estimated": False,
                    **{
                        column: encrypt(
                            data_key, key_id, serialise(kind, value), associated_data("people", column, person_id)
                        )
                        for column, (kind, value) in fields.items()
                    },
                }
            )
            token_rows += [
                {"person_id": person_id, "index_name": name, "token": token}
                for name, token in set(person_tokens(indexer, given, family, born))
            ]
        with db.engine.begin() as conn:
            conn.execute(sa.insert(keys), key_rows)
            conn.execute(sa.insert(persons), person_rows)
            conn.execute(sa.insert(tokens), token_rows)
        done = min(base + BATCH, people)
        print(f"\r{done:,} people, {done / (time.perf_counter() - started):,.0f}/s", end="", file=sys.stderr)
    print(file=sys.stderr)


def searcher() -> User:
    agency = accounts.create_agency(db.session, None, name="Search bench agency", kind="social_care")
    user, _ = accounts.create_user(
        db.session,
        None,
        username="search.bench",
        agency=agency,
        role="safeguarding_lead",
        given_name="Search",
        family_name="Bench",
        password="correct horse battery staple",
    )
    db.session.commit()
    return user


def misspell(name: str, rng: random.Random) -> str:
    """One letter dropped or doubled: what a hurried practitioner types."""
    i = rng.randrange(1, len(name))
    return name[:i] + name[i + 1 :] if rng.random() < 0.5 else name[:i] + name[i] + name[i:]


def queries(count: int) -> dict[str, list[tuple[tuple[str, str, str | None], tuple[str, str, date] | None]]]:
    """Searches of each kind, each with the person meant (replaying the build's random names), or for nobody."""
    rng, replay = random.Random(2), random.Random(1)
    known = [person_name(replay) for _ in range(count * 20)]
    picks = [rng.choice(known) for _ in range(count)]
    return {
        "exact name + date of birth": [((g, f, b.isoformat()), (g, f, b)) for g, f, b in picks],
        "exact name": [((g, f, None), (g, f, b)) for g, f, b in picks],
        "misspelt name + date of birth": [
            ((misspell(g, rng), misspell(f, rng), b.isoformat()), (g, f, b)) for g, f, b in picks
        ],
        "misspelt name": [((misspell(g, rng), f, None), (g, f, b)) for g, f, b in picks],
        "nobody, with date of birth": [
            (("Quillon", "Vantrexe", (TODAY - timedelta(days=4000 + i)).isoformat()), None) for i in range(count)
        ],  # fmt: skip
        "nobody": [(("Quillon", f"Vantrexe{chr(97 + i % 26)}", None), None) for i in range(count)],
    }


def ranks_the_person_meant(asked: tuple[str, str, str | None], meant: tuple[str, str, date]) -> bool:
    """Whether someone with the meant name (and date of birth, when one was searched for) is a ranked match,
    seen or not: the bench's user sees nobody, so the search's own result only counts them."""
    query = search.validate_query(*asked)
    tokens = query_tokens(runtime().indexer, query.given_name, query.family_name, query.date_of_birth)
    given, family, born = meant
    return any(
        (m.candidate.given_name, m.candidate.family_name) == (given, family)
        and (query.date_of_birth is None or m.candidate.date_of_birth == born)
        for m in search.ranked_candidates(db.session, query, tokens)
    )


def measure(user_id: str, count: int) -> None:
    print(f"{'search':<32} {'n':>5} {'p50 ms':>8} {'p95 ms':>8} {'found':>7} {'meant':>7}")
    for kind, asked in queries(count).items():
        timings, found, meant_found = [], 0, 0
        for (given, family, born), meant in asked:
            db.session.close()  # each search starts like a request: nothing loaded yet
            user = db.session.get(User, user_id)
            started = time.perf_counter()
            result = search.search_people(db.session, user, given, family, born)
            db.session.commit()  # the audit event is durable before the API answers
            timings.append((time.perf_counter() - started) * 1000)
            found += bool(result.matches or result.other_matches)
            meant_found += meant is not None and ranks_the_person_meant((given, family, born), meant)
            db.session.rollback()
        p50, p95 = statistics.median(timings), statistics.quantiles(timings, n=20)[18]
        print(f"{kind:<32} {len(asked):>5} {p50:>8.1f} {p95:>8.1f} {found:>7} {meant_found:>7}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=1_000_000)
    parser.add_argument("--searches", type=int, default=100, help="searches of each kind, at least 2 (default 100)")
    parser.add_argument("--rebuild", action="store_true", help="build the cached database afresh")
    parser.add_argument("--postgres", action="store_true", help="on the local PostgreSQL server instead of SQLite")
    parser.add_argument("--cold", action="store_true", help="time without first reading the SQLite file into the cache")
    args = parser.parse_args()
    if args.searches < 2:
        parser.error("--searches must be at least 2 (p95 needs a spread)")
    bench_keys()
    CACHE.mkdir(parents=True, exist_ok=True)
    if args.postgres:
        url, _ = kept_postgres_database(f"sc_bench_search_{args.people}", fresh=args.rebuild)
    else:
        path = CACHE / f"search-{args.people}.sqlite3"
        if args.rebuild:
            for leftover in CACHE.glob(f"{path.name}*"):
                leftover.unlink()
        url = f"sqlite:///{path}"
    app = create_app(
        "test", {"SQLALCHEMY_DATABASE_URI": url, "INSTANCE_PATH": str(CACHE), "PERSON_POPULATION": args.people}
    )
    with app.app_context():
        upgrade()
        user = db.session.scalar(sa.select(User).where(User.username == "search.bench"))
        if user is None:
            started = time.perf_counter()
            build(args.people)
            user = searcher()
            if args.postgres:
                # Planner statistics, and the visibility map that lets index-only scans skip the table, as autovacuum
                # leaves them once it has caught up with the bulk load.
                with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                    conn.exec_driver_sql("VACUUM ANALYZE")
            print(f"built {args.people:,} people in {time.perf_counter() - started:.0f} s")
        cache = "file cache left as it is" if args.cold else warm_file_cache(str(db.engine.url))
        print(f"{args.people:,} people, {json.dumps(str(db.engine.url))}; {cache}")
        settle()  # as wsgi.py does once the app is made
        measure(user.id, args.searches)
        db.engine.dispose()


if __name__ == "__main__":
    main()
