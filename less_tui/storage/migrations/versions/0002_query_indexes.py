"""indexes for the queue and follow-up queries

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""
from typing import Sequence, Union

from alembic import op

revision: str = "0002"
down_revision: Union[str, None] = "0001"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_index("ix_certificates_unit_patient", "certificates", ["unit_id", "patient_id"])
    op.create_index("ix_actions_status_due", "actions", ["status", "due"])
    op.create_index("ix_status_records_unit_cert", "status_records", ["unit_id", "certificate_id"])


def downgrade() -> None:
    op.drop_index("ix_status_records_unit_cert", table_name="status_records")
    op.drop_index("ix_actions_status_due", table_name="actions")
    op.drop_index("ix_certificates_unit_patient", table_name="certificates")
