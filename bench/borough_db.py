"""A synthetic borough, loaded once through the import and kept for later benchmark runs.

On SQLite the database file and the keys that encrypt it live together in bench/.cache/borough-<people>/ (ignored
by git); on PostgreSQL the keys live in bench/.cache/borough-<people>-postgresql/ and the data in the database
sc_bench_borough_<people> of the local server. Delete the folder, or pass fresh=True, to load it again. One
police officer sits on every case, so maps hold both visible and redacted people.
"""

import os
import shutil
import time
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa
from flask_migrate import upgrade
from sqlalchemy import select


def cache_folder(default: Path) -> Path:
    """Where a benchmark keeps its databases and keys: `default`, or SAFECONTEXT_BENCH_CACHE when set (the
    benchmarks' own test runs them in a temporary folder)."""
    return Path(os.environ.get("SAFECONTEXT_BENCH_CACHE") or default)


CACHE = cache_folder(Path(__file__).resolve().parent / ".cache")
OFFICER = "bench.officer"
READY = "ready"
POSTGRES_ADMIN_URL = os.environ.get(
    "SAFECONTEXT_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


def folder_for(people: int, engine: str = "sqlite") -> Path:
    return CACHE / (f"borough-{people}" if engine == "sqlite" else f"borough-{people}-{engine}")


def warm_file_cache(url: str) -> str:
    """Read a SQLite database file (and its WAL) once, so that timed requests find it in the file cache as on a
    server that has been answering for a while; a description of what was read, for the table's heading.

    The kernel drops cold pages of a large file even with memory free, so a benchmark that follows another one's
    gigabytes would otherwise time first reads from the disk. PostgreSQL keeps its own buffers: left as it is.
    """
    database = sa.engine.make_url(url).database
    if not url.startswith("sqlite") or not database:
        return "file cache left as it is"
    started, read = time.perf_counter(), 0
    for path in (Path(database), Path(database + "-wal")):
        if path.exists():
            with path.open("rb", buffering=0) as file:
                while chunk := file.read(1 << 20):
                    read += len(chunk)
    return f"file cache warmed: {read / 1e6:,.0f} MB read in {time.perf_counter() - started:.1f} s"


def postgres_reachable() -> bool:
    admin = sa.create_engine(POSTGRES_ADMIN_URL)
    try:
        with admin.connect():
            return True
    except sa.exc.OperationalError:
        return False
    finally:
        admin.dispose()


def engines_to_measure(no_postgres: bool) -> list[str]:
    """SQLite, and PostgreSQL unless left out or unreachable (which is said)."""
    if no_postgres:
        return ["sqlite"]
    if postgres_reachable():
        return ["sqlite", "postgresql"]
    print(f"PostgreSQL is not reachable at {POSTGRES_ADMIN_URL}: SQLite only\n")
    return ["sqlite"]


def kept_postgres_database(name: str, fresh: bool = False) -> tuple[str, bool]:
    """The URL of a kept PostgreSQL database, created empty if missing (or fresh); and whether it was just created."""
    admin = sa.create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            if fresh:
                conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            exists = conn.execute(sa.text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).scalar()
            if not exists:
                conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    finally:
        admin.dispose()
    return POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + "/" + name, not exists


def _load(folder: Path, people: int) -> float:
    """Import the borough into a fresh database in `folder`; seconds taken by the import."""
    from app.extensions import db
    from models.case import Case, CaseMember
    from safeguarding import accounts
    from safeguarding.importer import import_document
    from safeguarding.synthetic import borough

    started = time.perf_counter()
    result = import_document(db.session, borough(people))
    seconds = time.perf_counter() - started
    officer, _ = accounts.create_user(
        db.session,
        None,
        username=OFFICER,
        agency=accounts.find_agency(db.session, result.ids["ag:police"]),
        role="police_officer",
        given_name="Bench",
        family_name="Officer",
        password="a long enough password",
    )
    for case in db.session.scalars(select(Case)):
        db.session.add(CaseMember(case_id=case.id, user_id=officer.id))
    db.session.commit()
    (folder / READY).write_text(f"{seconds:.1f}\n")
    return seconds


@contextmanager
def borough_app(people: int, *, fresh: bool = False, engine: str = "sqlite"):
    """An app context on the kept borough of `people` people on that engine; yields (app, seconds the import took
    or None when the borough was reused)."""
    from app import create_app
    from app.extensions import db
    from safeguarding.heap import settle

    folder = folder_for(people, engine)
    url = f"sqlite:///{folder}/borough.sqlite3"
    if engine == "postgresql":
        url, created = kept_postgres_database(f"sc_bench_borough_{people}", fresh)
        fresh = fresh or created  # keys without their database are of no use
    if fresh or not (folder / READY).exists():
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
    app = create_app(
        "test",
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "INSTANCE_PATH": str(folder),
            "PERSON_POPULATION": people,
            # Sealing as in production, so its share of the writes and of the CPU counts in the figures.
            "AUDIT_BACKGROUND_SEALER": True,
        },
    )
    with app.app_context():
        upgrade()  # a kept borough gets migrations added since it was loaded
        loaded = None if (folder / READY).exists() else _load(folder, people)
        settle()  # as wsgi.py does once the app is made
        try:
            yield app, loaded
        finally:
            db.session.remove()
            db.engine.dispose()


def officer(session, caseload: int | None = None):
    """The officer on every case, or (with a caseload) an officer on that many open cases, created on first use."""
    from models.case import Case, CaseMember
    from models.user import User
    from safeguarding import accounts

    username = OFFICER if caseload is None else f"{OFFICER}.{caseload}"
    found = session.scalars(select(User).where(User.username == username)).one_or_none()
    if found is not None:
        return found
    everywhere = session.scalars(select(User).where(User.username == OFFICER)).one()
    user, _ = accounts.create_user(
        session,
        None,
        username=username,
        agency=everywhere.agency,
        role="police_officer",
        given_name="Bench",
        family_name="Officer",
        password="a long enough password",
    )
    for case_id in session.scalars(select(Case.id).where(Case.status == "open").order_by(Case.id).limit(caseload)):
        session.add(CaseMember(case_id=case_id, user_id=user.id))
    session.commit()
    return user
