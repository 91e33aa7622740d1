"""Import rate: a synthetic borough loaded through the import path into a fresh SQLite database.

.venv/bin/python bench/import_rate.py [--people 10000]
"""

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flask_migrate import upgrade  # noqa: E402

from app import create_app  # noqa: E402
from app.extensions import db  # noqa: E402
from safeguarding.importer import import_document  # noqa: E402
from safeguarding.synthetic import borough  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=10_000)
    args = parser.parse_args()
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
            document = borough(args.people)
            records = sum(len(items) for items in document.values())
            started = time.perf_counter()
            import_document(db.session, document)
            seconds = time.perf_counter() - started
            db.engine.dispose()
    print(f"{'people':>10} {'records':>10} {'seconds':>8} {'records/s':>10}")
    print(f"{args.people:>10,} {records:>10,} {seconds:>8.1f} {records / seconds:>10,.0f}")


if __name__ == "__main__":
    main()
