"""audit log: case number and a hash chain (prev_hash, row_hash); audit_chain, the append lock and head

Existing rows get their hashes here, in id order, chained as ``auditlog.append`` chains new ones.

Revision ID: 0006
Revises: 0004  (to become 0005 when the branches meet)
Create Date: 2026-11-30
"""
from typing import Sequence, Union

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0006"
down_revision: Union[str, None] = "0005"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

# the append-only triggers of 0001, dropped while existing rows get their hashes
SQLITE_TRIGGERS = {
    "audit_log_no_update": "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log "
                           "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END",
    "audit_log_no_delete": "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log "
                           "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END",
}


def upgrade() -> None:
    from less_tui.storage.auditlog import GENESIS, row_hash

    bind = op.get_bind()
    # Plain ADD COLUMN (nullable) and CREATE TABLE: no batch mode, which would rebuild audit_log on
    # SQLite and lose its triggers.
    op.add_column("audit_log", sa.Column("case_no", sa.Integer(), nullable=True))
    op.add_column("audit_log", sa.Column("prev_hash", sqlmodel.sql.sqltypes.AutoString(), nullable=True))
    op.add_column("audit_log", sa.Column("row_hash", sqlmodel.sql.sqltypes.AutoString(), nullable=True))
    op.create_table(
        "audit_chain",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("last_id", sa.Integer(), nullable=False),
        sa.Column("last_hash", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )

    log = sa.table("audit_log", sa.column("id", sa.Integer()), sa.column("ts", sqlmodel.sql.sqltypes.UTCDateTime()),
                   sa.column("os_user", sa.String()), sa.column("ssh_client", sa.String()),
                   sa.column("action", sa.String()), sa.column("unit_id", sa.Integer()),
                   sa.column("patient_id", sa.Integer()), sa.column("detail", sa.Text()),
                   sa.column("prev_hash", sa.String()), sa.column("row_hash", sa.String()))
    prev, last_id, updates = GENESIS, 0, []
    for r in bind.execute(sa.select(log.c.id, log.c.ts, log.c.os_user, log.c.ssh_client, log.c.action,
                                    log.c.unit_id, log.c.patient_id, log.c.detail).order_by(log.c.id)):
        h = row_hash(r.ts, r.os_user, r.ssh_client, r.action, r.unit_id, r.patient_id, None, r.detail, prev)
        updates.append({"rid": r.id, "p": prev, "h": h})
        prev, last_id = h, r.id
    if updates:
        if bind.dialect.name == "sqlite":
            for name in SQLITE_TRIGGERS:
                op.execute(f"DROP TRIGGER IF EXISTS {name}")
        elif bind.dialect.name == "postgresql":
            op.execute("ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_change")
        bind.execute(sa.update(log).where(log.c.id == sa.bindparam("rid"))
                     .values(prev_hash=sa.bindparam("p"), row_hash=sa.bindparam("h")), updates)
        if bind.dialect.name == "sqlite":
            for sql in SQLITE_TRIGGERS.values():
                op.execute(sql)
        elif bind.dialect.name == "postgresql":
            op.execute("ALTER TABLE audit_log ENABLE TRIGGER audit_log_no_change")
    bind.execute(sa.text("INSERT INTO audit_chain (id, last_id, last_hash) VALUES (1, :i, :h)"),
                 {"i": last_id, "h": prev})


def downgrade() -> None:
    op.drop_table("audit_chain")
    # ALTER TABLE … DROP COLUMN, not batch mode (which would rebuild audit_log and lose its triggers)
    for col in ("row_hash", "prev_hash", "case_no"):
        op.execute(f"ALTER TABLE audit_log DROP COLUMN {col}")
