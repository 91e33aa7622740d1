"""Import rate: a synthetic borough loaded through the import path, then imported again (every record updated).

    .venv/bin/python bench/import_rate.py [--people 5000] [--no-postgres]

Runs on a temporary SQLite database and, when reachable, on a scratch PostgreSQL database dropped afterwards;
the re-import updates every record (refs remembered, natural keys matched) and creates none.
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

from audited_reads import database  # noqa: E402
from borough_db import postgres_reachable  # noqa: E402
from flask_migrate import upgrade  # noqa: E402

from app import create_app  # noqa: E402
from app.extensions import db  # noqa: E402
from safeguarding.importer import import_document  # noqa: E402
from safeguarding.synthetic import borough  # noqa: E402


def measure(url: str, document: dict, people: int) -> list[tuple[float, float]]:
    """(Seconds, this process's CPU seconds) for the first import and for importing the same document again."""
    with tempfile.TemporaryDirectory(prefix="sc-bench-instance-") as instance:
        settings = {"SQLALCHEMY_DATABASE_URI": url, "INSTANCE_PATH": instance, "PERSON_POPULATION": people}
        app = create_app("test", settings)
        with app.app_context():
            upgrade()
            timings = []
            for _ in range(2):
                started, cpu = time.perf_counter(), time.process_time()
                import_document(db.session, document)
                timings.append((time.perf_counter() - started, time.process_time() - cpu))
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
    # CPU seconds are this process's only (a PostgreSQL server's share is not in them); on a busy machine they
    # show what the import itself costs when the wall-clock figure is inflated by waiting for a core.
    print(f"{'engine':<11} {'pass':<9} {'people':>8} {'records':>9} {'seconds':>8} {'records/s':>10} {'cpu s':>7}")
    for engine_name in engines:
        with database(engine_name) as url:
            timings = measure(url, document, args.people)
        for label, (seconds, cpu) in zip(("import", "re-import"), timings, strict=True):
            print(
                f"{engine_name:<11} {label:<9} {args.people:>8,} {records:>9,} {seconds:>8.1f}"
                f" {records / seconds:>10,.0f} {cpu:>7.1f}"
            )


if __name__ == "__main__":
    main()
