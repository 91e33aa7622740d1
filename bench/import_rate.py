"""Import rate: a synthetic borough loaded through the import path, then imported again (every record updated).

    .venv/bin/python bench/import_rate.py [--people 5000] [--no-postgres]

Runs on a temporary SQLite database and, when reachable, on a scratch PostgreSQL database dropped afterwards.
Records are the items of the document (people, relationships, cases, ...); the time covers the whole import as
`flask import` runs it: validation, look-ups, encryption, blind indexes, writes, the audit event and the commit.
"""

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from audited_reads import database, postgres_reachable  # noqa: E402
from flask_migrate import upgrade  # noqa: E402

from app import create_app  # noqa: E402
from app.extensions import db  # noqa: E402
from safeguarding.importer import import_document  # noqa: E402
from safeguarding.synthetic import borough  # noqa: E402


def measure(url: str, document: dict, people: int) -> list[float]:
    """Seconds for the first import and for importing the same document again."""
    with tempfile.TemporaryDirectory(prefix="sc-bench-instance-") as instance:
        settings = {"SQLALCHEMY_DATABASE_URI": url, "INSTANCE_PATH": instance, "PERSON_POPULATION": people}
        app = create_app("test", settings)
        with app.app_context():
            upgrade()
            timings = []
            for _ in range(2):
                started = time.perf_counter()
                import_document(db.session, document)
                timings.append(time.perf_counter() - started)
            db.session.remove()
            db.engine.dispose()
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=5_000)
    parser.add_argument("--no-postgres", action="store_true", help="SQLite only.")
    args = parser.parse_args()
    engines = ["sqlite"] + ([] if args.no_postgres or not postgres_reachable() else ["postgresql"])
    document = borough(args.people)
    records = sum(len(items) for items in document.values())
    print(
        f"{'engine':<11} {'people':>8} {'records':>9} {'import s':>9} {'records/s':>10}"
        f" {'again s':>8} {'records/s':>10}"
    )
    for engine_name in engines:
        with database(engine_name) as url:
            first, again = measure(url, document, args.people)
        print(
            f"{engine_name:<11} {args.people:>8,} {records:>9,} {first:>9.1f} {records / first:>10,.0f}"
            f" {again:>8.1f} {records / again:>10,.0f}"
        )


if __name__ == "__main__":
    main()
