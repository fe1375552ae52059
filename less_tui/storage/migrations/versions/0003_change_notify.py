"""PostgreSQL: notify listening sessions when anything changes (every change writes an audit row)

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""
from typing import Sequence, Union

from alembic import op

revision: str = "0003"
down_revision: Union[str, None] = "0002"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return  # SQLite sessions watch PRAGMA data_version instead
    op.execute("CREATE OR REPLACE FUNCTION less_tui_notify() RETURNS trigger AS $$ "
               "BEGIN PERFORM pg_notify('less_tui_changes', COALESCE(NEW.unit_id::text, '')); RETURN NULL; END; "
               "$$ LANGUAGE plpgsql")
    op.execute("CREATE TRIGGER audit_log_notify AFTER INSERT ON audit_log "
               "FOR EACH ROW EXECUTE FUNCTION less_tui_notify()")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP TRIGGER IF EXISTS audit_log_notify ON audit_log")
    op.execute("DROP FUNCTION IF EXISTS less_tui_notify()")
