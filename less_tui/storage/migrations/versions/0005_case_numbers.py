"""case_numbers: a case number belongs to one patient within one unit, made sure by the database

Every certificate's (unit, case number, patient) must be a row of case_numbers, whose (unit, case
number) is unique: two imports at once can no longer give one number to two patients. A database
where that already happened (two PostgreSQL imports at once before this revision) is repaired first:
the patient whose certificate with the number was stored first keeps it, every other patient gets a
new number of the unit, and their case reviews follow.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30
"""
from typing import Sequence, Union

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: Union[str, None] = "0004"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

FK_COLUMNS = ["unit_id", "case_no", "patient_id"]


def _repair(bind) -> None:
    """Give every (unit, case number) held by more than one patient's certificates to one patient."""
    dup = bind.execute(sa.text(
        "SELECT unit_id, case_no FROM certificates GROUP BY unit_id, case_no "
        "HAVING COUNT(DISTINCT patient_id) > 1 ORDER BY unit_id, case_no")).all()
    if not dup:
        return
    next_no: dict[int, int] = {}
    for unit_id, nxt, top in bind.execute(sa.text(
            "SELECT units.id, units.next_case_no, MAX(certificates.case_no) FROM units "
            "LEFT JOIN certificates ON certificates.unit_id = units.id GROUP BY units.id, units.next_case_no")):
        next_no[unit_id] = max(nxt, (top or 0) + 1)
    for unit_id, case_no in dup:
        holders = bind.execute(sa.text(
            "SELECT patient_id FROM certificates WHERE unit_id = :u AND case_no = :n "
            "GROUP BY patient_id ORDER BY MIN(id)"), {"u": unit_id, "n": case_no}).scalars().all()
        for patient_id in holders[1:]:
            new = next_no[unit_id]
            next_no[unit_id] += 1
            args = {"u": unit_id, "n": case_no, "p": patient_id, "new": new}
            bind.execute(sa.text("UPDATE certificates SET case_no = :new "
                                 "WHERE unit_id = :u AND case_no = :n AND patient_id = :p"), args)
            bind.execute(sa.text("UPDATE case_reviews SET case_no = :new WHERE case_no = :n AND patient_id = :p "
                                 "AND meeting_id IN (SELECT id FROM meetings WHERE unit_id = :u)"), args)
    for unit_id, n in next_no.items():
        bind.execute(sa.text("UPDATE units SET next_case_no = :n WHERE id = :u"), {"n": n, "u": unit_id})


def _sqlite_remake(bind, change) -> None:
    """SQLite cannot add or drop a table's constraint: make certificates again from its own CREATE
    statement as ``change`` alters it, copy the rows, put the indexes back (SQLite's procedure; env.py
    runs it with foreign keys off and checks them before the commit)."""
    if bind.exec_driver_sql("PRAGMA foreign_keys").scalar():
        raise RuntimeError("certificates can only be made again with foreign keys off (see env.py)")
    create = bind.exec_driver_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'certificates'").scalar()
    indexes = bind.exec_driver_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'certificates' AND sql IS NOT NULL"
    ).scalars().all()
    body = change(create[create.index("(") + 1:create.rindex(")")].rstrip())
    bind.exec_driver_sql(f"CREATE TABLE certificates_0005 ({body}\n)")
    cols = ", ".join(f'"{c["name"]}"' for c in sa.inspect(bind).get_columns("certificates"))
    bind.exec_driver_sql(f"INSERT INTO certificates_0005 ({cols}) SELECT {cols} FROM certificates")
    bind.exec_driver_sql("DROP TABLE certificates")
    bind.exec_driver_sql("ALTER TABLE certificates_0005 RENAME TO certificates")
    for sql in indexes:
        bind.exec_driver_sql(sql)


SQLITE_FK = (", \n\tCONSTRAINT fk_certificates_case_number FOREIGN KEY(unit_id, case_no, patient_id) "
             "REFERENCES case_numbers (unit_id, case_no, patient_id)")


def upgrade() -> None:
    bind = op.get_bind()
    op.create_table(
        "case_numbers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("case_no", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["patient_id"], ["patients.id"]),
        sa.ForeignKeyConstraint(["unit_id"], ["units.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("unit_id", "case_no", name="uq_case_number"),
        sa.UniqueConstraint("unit_id", "case_no", "patient_id", name="uq_case_number_patient"),
    )
    _repair(bind)
    bind.execute(sa.text("INSERT INTO case_numbers (unit_id, case_no, patient_id) "
                         "SELECT DISTINCT unit_id, case_no, patient_id FROM certificates "
                         "ORDER BY unit_id, case_no"))
    if bind.dialect.name == "sqlite":
        _sqlite_remake(bind, lambda body: body + SQLITE_FK)
    else:
        op.create_foreign_key("fk_certificates_case_number", "certificates", "case_numbers",
                              FK_COLUMNS, FK_COLUMNS)


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        _sqlite_remake(bind, lambda body: body.replace(SQLITE_FK, ""))
    else:
        op.drop_constraint("fk_certificates_case_number", "certificates", type_="foreignkey")
    op.drop_table("case_numbers")
