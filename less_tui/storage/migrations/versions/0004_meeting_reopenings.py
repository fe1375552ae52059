"""meeting_reopenings: a closed meeting can be reopened (with a reason); each closing is kept

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23
"""
from typing import Sequence, Union

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0004"
down_revision: Union[str, None] = "0003"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    # Plain CREATE TABLE and CREATE INDEX: the same on SQLite and PostgreSQL, no batch mode needed.
    op.create_table(
        "meeting_reopenings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("closed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("reopened_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("reopened_by", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("frozen", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["meeting_id"], ["meetings.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_meeting_reopenings_meeting_id", "meeting_reopenings", ["meeting_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_meeting_reopenings_meeting_id", table_name="meeting_reopenings")
    op.drop_table("meeting_reopenings")
