"""Loops of rounds sharing one dossier, the handoff notes a round leaves for the next ones, and
the note that led to a question (issue 18). Sessions started before it belong to no loop.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29 10:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel  # noqa: F401  (autogenerate renders sqlmodel.sql.sqltypes.AutoString)
from alembic import op


revision: str = '0006'
down_revision: str | Sequence[str] | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('loop',
    sa.Column('id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('user_id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('language', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
    sa.Column('rounds', sa.JSON(), nullable=False),
    sa.Column('job_description', sa.Text(), nullable=True),
    sa.Column('cv', sa.Text(), nullable=True),
    sa.Column('takehome', sa.Text(), nullable=True),
    sa.Column('takehome_name', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['app_user.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('loop', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_loop_user_id'), ['user_id'], unique=False)

    op.create_table('handoffnote',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('loop_id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('session_id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('persona_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('criterion_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('question_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('topic', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('quote', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['loop_id'], ['loop.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['session_id'], ['interview_session.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('handoffnote', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_handoffnote_loop_id'), ['loop_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_handoffnote_session_id'), ['session_id'], unique=False)

    with op.batch_alter_table('interview_session', schema=None) as batch_op:
        batch_op.add_column(sa.Column('loop_id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True))
        batch_op.add_column(sa.Column('loop_round', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_interview_session_loop_id'), ['loop_id'], unique=False)
        batch_op.create_unique_constraint('interview_session_loop_id_loop_round_key', ['loop_id', 'loop_round'])
        batch_op.create_foreign_key('interview_session_loop_id_fkey', 'loop', ['loop_id'], ['id'], ondelete='SET NULL')

    with op.batch_alter_table('turn', schema=None) as batch_op:
        batch_op.add_column(sa.Column('handoff_note_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('turn_handoff_note_id_fkey', 'handoffnote', ['handoff_note_id'], ['id'], ondelete='SET NULL')



def downgrade() -> None:
    with op.batch_alter_table('turn', schema=None) as batch_op:
        batch_op.drop_constraint('turn_handoff_note_id_fkey', type_='foreignkey')
        batch_op.drop_column('handoff_note_id')

    with op.batch_alter_table('interview_session', schema=None) as batch_op:
        batch_op.drop_constraint('interview_session_loop_id_fkey', type_='foreignkey')
        batch_op.drop_constraint('interview_session_loop_id_loop_round_key', type_='unique')
        batch_op.drop_index(batch_op.f('ix_interview_session_loop_id'))
        batch_op.drop_column('loop_round')
        batch_op.drop_column('loop_id')

    with op.batch_alter_table('handoffnote', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_handoffnote_session_id'))
        batch_op.drop_index(batch_op.f('ix_handoffnote_loop_id'))

    op.drop_table('handoffnote')
    with op.batch_alter_table('loop', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_loop_user_id'))

    op.drop_table('loop')
