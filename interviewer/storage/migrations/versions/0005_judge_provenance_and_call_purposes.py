"""Where each score came from (judge, or the offline scorer and why), the calibrated judge's exact
score, spread and "not assessed", what the judge found (key points, misconceptions), and model calls
other than replies by purpose, claims included (issue 12).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29 08:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel  # noqa: F401  (autogenerate renders sqlmodel.sql.sqltypes.AutoString)
from alembic import op


revision: str = '0005'
down_revision: str | Sequence[str] | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('answer_score', schema=None) as batch_op:
        batch_op.add_column(sa.Column('scored_by', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False, server_default=sa.text("'judge'")))
        batch_op.add_column(sa.Column('reason', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('exact_score', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('spread', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('assessed', sa.Boolean(), nullable=False, server_default=sa.true()))
    # Scores stored before this revision by the embedded scorer were the offline scorer's.
    op.execute("UPDATE answer_score SET scored_by = 'offline' WHERE model = 'offline'")
    with op.batch_alter_table('judge_call', schema=None) as batch_op:
        batch_op.add_column(sa.Column('purpose', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False, server_default=sa.text("'judge'")))
        batch_op.add_column(sa.Column('findings', sa.JSON(), nullable=True))
        batch_op.alter_column('turn_id', existing_type=sa.Integer(), nullable=True)


def downgrade() -> None:
    op.execute("DELETE FROM judge_call WHERE turn_id IS NULL")
    with op.batch_alter_table('judge_call', schema=None) as batch_op:
        batch_op.alter_column('turn_id', existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column('findings')
        batch_op.drop_column('purpose')
    with op.batch_alter_table('answer_score', schema=None) as batch_op:
        batch_op.drop_column('assessed')
        batch_op.drop_column('spread')
        batch_op.drop_column('exact_score')
        batch_op.drop_column('reason')
        batch_op.drop_column('scored_by')
