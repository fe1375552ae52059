"""Alembic environment: runs on the engine that less-tui hands over."""

from alembic import context
from sqlmodel import SQLModel

from less_tui.storage import models  # noqa: F401  (registers the tables)

config = context.config
target_metadata = SQLModel.metadata


def run() -> None:
    engine = config.attributes.get("engine")
    if engine is None:
        from sqlalchemy import create_engine

        engine = create_engine(config.get_main_option("sqlalchemy.url"))
    with engine.begin() as connection:
        # Two processes opening an older (or new) database at once: the second waits for the first's
        # upgrade and then finds the schema at head. SQLite: the write lock now, and the whole upgrade
        # one transaction (the driver would otherwise run each DDL statement on its own).
        if connection.dialect.name == "sqlite":
            connection.exec_driver_sql("PRAGMA busy_timeout = 60000")
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        elif connection.dialect.name == "postgresql":
            connection.exec_driver_sql("SELECT pg_advisory_xact_lock(2026112300)")
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
        )
        context.run_migrations()
        if connection.dialect.name == "sqlite":
            connection.exec_driver_sql("PRAGMA busy_timeout = 5000")  # the engine's own (db.py)


run()
