"""The migrations build exactly the schema the models describe, and run down and up again."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from app.extensions import db


def test_the_migrated_schema_matches_the_models(app):
    with db.engine.connect() as conn:
        differences = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), db.metadata)
    assert differences == []


def test_migrations_downgrade_to_nothing_and_upgrade_again(app):
    import sqlalchemy as sa

    with app.app_context():
        downgrade(revision="base")
        assert set(sa.inspect(db.engine).get_table_names()) <= {"alembic_version"}
        upgrade()
        assert "audit_events" in sa.inspect(db.engine).get_table_names()
