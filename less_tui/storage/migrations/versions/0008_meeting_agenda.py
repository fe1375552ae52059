"""meeting_agenda: a meeting's running order (each case its list has shown, in the order first shown)

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: Union[str, None] = "0007"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    # Plain CREATE TABLE and CREATE INDEX: the same on SQLite and PostgreSQL, no batch mode needed.
    op.create_table(
        "meeting_agenda",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("case_no", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["meeting_id"], ["meetings.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("meeting_id", "case_no", name="uq_meeting_agenda_case"),
    )
    op.create_index("ix_meeting_agenda_meeting_id", "meeting_agenda", ["meeting_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_meeting_agenda_meeting_id", table_name="meeting_agenda")
    op.drop_table("meeting_agenda")
