"""The SQLModel models and the Alembic migrations describe the same schema: on a database made by
the migrations (SQLite and PostgreSQL), Alembic's autogenerate comparison with the models finds
nothing to change (tables, columns, types, server defaults, indexes, unique and foreign keys)."""

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlmodel import SQLModel

from less_tui.storage import models  # noqa: F401  (registers the tables)


def _differences(engine, metadata) -> list:
    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True, "compare_server_default": True})
        return compare_metadata(ctx, metadata)


def test_the_migrated_database_is_what_the_models_say(engine):
    # `engine` is opened by open_engine, which runs every migration on a new database (conftest.py);
    # PostgreSQL is skipped with the reason when no server is reachable
    assert sa.inspect(engine).has_table("alembic_version")
    assert _differences(engine, SQLModel.metadata) == []


def test_the_comparison_sees_a_column_the_migrations_lack(engine):
    """The check above can fail: a model with one column more than the migrations made is found."""
    changed = sa.MetaData()
    for table in SQLModel.metadata.sorted_tables:
        table.to_metadata(changed)
    changed.tables["patients"].append_column(sa.Column("nickname", sa.String(), nullable=True))
    diff = _differences(engine, changed)
    assert [(d[0], d[2], d[3].name) for d in diff] == [("add_column", "patients", "nickname")], diff
