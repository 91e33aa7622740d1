"""Context maps on a synthetic borough: graph build time, ego map (depth 2) and place map, audited and redacted.

    .venv/bin/python bench/context_maps.py [--people 5000] [--maps 50]

Loads the borough through the import path into a temporary SQLite database, puts one police officer on every
case (so maps have visible and redacted people), then times the services the API calls.
"""

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import select  # noqa: E402

from app import create_app  # noqa: E402
from app.extensions import db  # noqa: E402
from models.case import Case, CaseMember  # noqa: E402
from models.context import Place  # noqa: E402
from safeguarding import accounts, context_analysis, context_maps  # noqa: E402
from safeguarding.importer import import_document  # noqa: E402
from safeguarding.synthetic import borough  # noqa: E402


def timed(fn, runs: int) -> list[float]:
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def row(name: str, samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
    return f"{name:<34} {statistics.median(samples):>9.1f} {p95:>9.1f} {len(samples):>6}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=5000)
    parser.add_argument("--maps", type=int, default=50)
    args = parser.parse_args()
    rng = random.Random(7)
    with tempfile.TemporaryDirectory() as folder:
        app = create_app(
            "test",
            {
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/bench.sqlite3",
                "INSTANCE_PATH": folder,
                "PERSON_POPULATION": args.people,
            },
        )
        with app.app_context():
            upgrade()
            started = time.perf_counter()
            result = import_document(db.session, borough(args.people))
            load = time.perf_counter() - started
            agency = accounts.find_agency(db.session, result.ids["ag:police"])
            officer, _ = accounts.create_user(
                db.session,
                None,
                username="bench.officer",
                agency=agency,
                role="police_officer",
                given_name="Bench",
                family_name="Officer",
                password="a long enough password",
            )
            for case in db.session.scalars(select(Case)):
                db.session.add(CaseMember(case_id=case.id, user_id=officer.id))
            db.session.commit()
            open_cases = select(Case).where(Case.status == "open")
            subjects = [c.subject_person_id for c in db.session.scalars(open_cases) if c.subject_person_id]
            places = list(db.session.scalars(select(Place.id)))
            depth2 = context_maps.parse_filter(2)
            build = timed(lambda: context_analysis._build(db.session, context_analysis.date.today()), 3)
            ego = timed(lambda: context_maps.person_map(db.session, officer, rng.choice(subjects), depth2), args.maps)
            place = timed(
                lambda: context_maps.place_map(db.session, officer, rng.choice(places), context_maps.parse_filter(1)),
                args.maps,
            )
            db.engine.dispose()
    print(f"borough: {args.people:,} people loaded through the import in {load:.1f} s")
    print(f"{'operation':<34} {'p50 ms':>9} {'p95 ms':>9} {'runs':>6}")
    print(row("build the borough graph", build))
    print(row("ego map, depth 2 (audited)", ego))
    print(row("place map, depth 1 (audited)", place))


if __name__ == "__main__":
    main()
