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
    if engine.dialect.name == "sqlite":
        _run_sqlite(engine)
        return
    with engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            # two processes opening an older (or new) database at once: the second waits for the
            # first's upgrade and then finds the schema at head
            connection.exec_driver_sql("SELECT pg_advisory_xact_lock(2026112300)")
        context.configure(connection=connection, target_metadata=target_metadata)
        context.run_migrations()


def _run_sqlite(engine) -> None:
    """The whole upgrade one transaction that holds the write lock from its start (a second process
    opening the database at once waits, then finds it at head), with foreign keys off while tables
    are made again (SQLite's own procedure for changing a table), checked before the commit."""
    with engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA foreign_keys = OFF")  # only outside a transaction
        connection.exec_driver_sql("PRAGMA busy_timeout = 60000")
        try:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
            context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
            context.run_migrations()
            bad = connection.exec_driver_sql("PRAGMA foreign_key_check").first()
            if bad is not None:
                raise RuntimeError(f"a foreign key does not hold after the upgrade: {tuple(bad)}")
            connection.commit()
        except BaseException:
            connection.rollback()
            raise
        finally:
            connection.exec_driver_sql("PRAGMA foreign_keys = ON")
            connection.exec_driver_sql("PRAGMA busy_timeout = 5000")  # the engine's own (db.py)
            connection.commit()


run()
