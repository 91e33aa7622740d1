"""Shared fixtures live in tests/fixtures/, one module per concern."""

pytest_plugins = [
    "tests.fixtures.database",
    "tests.fixtures.application",
    "tests.fixtures.accounts",
]


def pytest_collection_modifyitems(items):
    """Tests under integration/ face the database engine: they run on SQLite and again on PostgreSQL."""
    import pytest

    for item in items:
        if "/tests/integration/" in str(item.fspath):
            item.add_marker(pytest.mark.db)
