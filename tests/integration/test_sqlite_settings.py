"""The settings every SQLite connection of the app gets (models.base.configure_sqlite)."""

import sqlalchemy as sa

from models.base import SQLITE_MMAP_BYTES, configure_sqlite


def test_each_connection_is_durable_wal_with_foreign_keys_secure_delete_and_mapped_reads(tmp_path):
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'settings.sqlite3'}")
    configure_sqlite(engine)
    try:
        with engine.connect() as conn:
            setting = lambda name: conn.exec_driver_sql(f"PRAGMA {name}").scalar()  # noqa: E731
            assert setting("journal_mode") == "wal"
            assert setting("foreign_keys") == 1
            assert setting("busy_timeout") == 10000
            assert setting("secure_delete") == 1
            assert setting("synchronous") == 2  # FULL: a commit is on disk before it returns
            # SQLite caps the map at its build's maximum; any map at all means reads come through it.
            assert 0 < setting("mmap_size") <= SQLITE_MMAP_BYTES
    finally:
        engine.dispose()
