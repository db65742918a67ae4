"""Personas and rubrics stored once by their hash, in a table of their own, not in every session's
row (issue 13): a rubric is close to a megabyte, stored again by every session, and on SQLite
reading the session's columns stored after it walked every one of its overflow pages, each turn.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30 19:24:57.498034
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel  # noqa: F401  (autogenerate renders sqlmodel.sql.sqltypes.AutoString)
from alembic import op


revision: str = '0008'
down_revision: str | Sequence[str] | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('snapshot',
    sa.Column('hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('content', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('hash')
    )
    # Each distinct snapshot once (a hash is the SHA-256 of its content, so one content per hash).
    op.execute(
        "INSERT INTO snapshot (hash, content) SELECT hash, MIN(content) FROM ("
        "SELECT persona_hash AS hash, persona_snapshot AS content FROM interview_session "
        "UNION ALL SELECT rubric_hash, rubric_snapshot FROM interview_session) AS stored GROUP BY hash"
    )
    with op.batch_alter_table('interview_session', schema=None) as batch_op:
        batch_op.create_foreign_key('interview_session_persona_hash_fkey', 'snapshot', ['persona_hash'], ['hash'])
        batch_op.create_foreign_key('interview_session_rubric_hash_fkey', 'snapshot', ['rubric_hash'], ['hash'])
        batch_op.drop_column('rubric_snapshot')
        batch_op.drop_column('persona_snapshot')


def downgrade() -> None:
    with op.batch_alter_table('interview_session', schema=None) as batch_op:
        batch_op.add_column(sa.Column('persona_snapshot', sa.TEXT(), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('rubric_snapshot', sa.TEXT(), nullable=False, server_default=''))
        batch_op.drop_constraint('interview_session_rubric_hash_fkey', type_='foreignkey')
        batch_op.drop_constraint('interview_session_persona_hash_fkey', type_='foreignkey')
    op.execute(
        "UPDATE interview_session SET "
        "persona_snapshot = (SELECT content FROM snapshot WHERE snapshot.hash = interview_session.persona_hash), "
        "rubric_snapshot = (SELECT content FROM snapshot WHERE snapshot.hash = interview_session.rubric_hash)"
    )
    with op.batch_alter_table('interview_session', schema=None) as batch_op:
        batch_op.alter_column('persona_snapshot', server_default=None)
        batch_op.alter_column('rubric_snapshot', server_default=None)
    op.drop_table('snapshot')
