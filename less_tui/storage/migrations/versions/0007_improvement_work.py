"""improvement work: problems, ideas (status, indicators) and their PDSA cycles; the team's own measures per meeting;
trainings and supervision sessions

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30
"""
from typing import Sequence, Union

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0007"
down_revision: Union[str, None] = "0006"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    # Plain CREATE TABLE and CREATE INDEX: the same on SQLite and PostgreSQL, no batch mode needed.
    op.create_table(
        "improvement_problems",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["unit_id"], ["units.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("unit_id", "number", name="uq_improvement_problem_number"),
    )
    op.create_index("ix_improvement_problems_unit_id", "improvement_problems", ["unit_id"], unique=False)
    op.create_table(
        "improvement_ideas",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("problem_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("indicators", sa.Text(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["problem_id"], ["improvement_problems.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("problem_id", "number", name="uq_improvement_idea_number"),
    )
    op.create_index("ix_improvement_ideas_problem_id", "improvement_ideas", ["problem_id"], unique=False)
    op.create_table(
        "pdsa_cycles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("idea_id", sa.Integer(), nullable=False),
        sa.Column("plan", sa.Text(), nullable=False),
        sa.Column("do", sa.Text(), nullable=False),
        sa.Column("study", sa.Text(), nullable=False),
        sa.Column("act", sa.Text(), nullable=False),
        sa.Column("owner", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("start", sa.Date(), nullable=True),
        sa.Column("end", sa.Date(), nullable=True),
        sa.Column("result", sa.Text(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["idea_id"], ["improvement_ideas.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_pdsa_cycles_idea_id", "pdsa_cycles", ["idea_id"], unique=False)
    op.create_table(
        "meeting_measures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("key", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("denominator", sa.Integer(), nullable=True),
        sa.Column("updated_by", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["meeting_id"], ["meetings.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("meeting_id", "key", name="uq_meeting_measure"),
    )
    op.create_index("ix_meeting_measures_meeting_id", "meeting_measures", ["meeting_id"], unique=False)
    op.create_table(
        "trainings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("person", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("course", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["unit_id"], ["units.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_trainings_unit_id", "trainings", ["unit_id"], unique=False)
    op.create_table(
        "supervision_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.Column("leader", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("attendees", sa.Text(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["unit_id"], ["units.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_supervision_sessions_unit_id", "supervision_sessions", ["unit_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_supervision_sessions_unit_id", table_name="supervision_sessions")
    op.drop_table("supervision_sessions")
    op.drop_index("ix_trainings_unit_id", table_name="trainings")
    op.drop_table("trainings")
    op.drop_index("ix_meeting_measures_meeting_id", table_name="meeting_measures")
    op.drop_table("meeting_measures")
    op.drop_index("ix_pdsa_cycles_idea_id", table_name="pdsa_cycles")
    op.drop_table("pdsa_cycles")
    op.drop_index("ix_improvement_ideas_problem_id", table_name="improvement_ideas")
    op.drop_table("improvement_ideas")
    op.drop_index("ix_improvement_problems_unit_id", table_name="improvement_problems")
    op.drop_table("improvement_problems")
