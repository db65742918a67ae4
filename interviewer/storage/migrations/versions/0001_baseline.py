"""Baseline: sessions, turns, answer scores, judge calls and reports (the schema before migrations).

Revision ID: 0001
Revises: 
Create Date: 2026-11-21 21:31:23.821561
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel  # noqa: F401  (autogenerate renders sqlmodel.sql.sqltypes.AutoString)
from alembic import op


revision: str = '0001'
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('interview_session',
    sa.Column('id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('persona_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('rubric_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('language', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('model', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('persona_snapshot', sa.Text(), nullable=False),
    sa.Column('persona_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('rubric_snapshot', sa.Text(), nullable=False),
    sa.Column('rubric_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('plan', sa.JSON(), nullable=False),
    sa.Column('job_description', sa.Text(), nullable=True),
    sa.Column('cv', sa.Text(), nullable=True),
    sa.Column('takehome', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('interview_session', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_interview_session_persona_id'), ['persona_id'], unique=False)

    op.create_table('report',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('content', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['session_id'], ['interview_session.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('session_id')
    )
    op.create_table('turn',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('role', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('question_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('criterion_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('probe_id', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=True),
    sa.Column('language', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
    sa.Column('content', sa.Text(), nullable=False),
    sa.Column('idempotency_key', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('model', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('prompt_tokens', sa.Integer(), nullable=True),
    sa.Column('completion_tokens', sa.Integer(), nullable=True),
    sa.Column('cost_usd', sa.Float(), nullable=True),
    sa.Column('latency_ms', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['session_id'], ['interview_session.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('session_id', 'idempotency_key'),
    sa.UniqueConstraint('session_id', 'seq')
    )
    with op.batch_alter_table('turn', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_turn_session_id'), ['session_id'], unique=False)

    op.create_table('answer_score',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('turn_id', sa.Integer(), nullable=False),
    sa.Column('question_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('criterion_id', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('score', sa.Integer(), nullable=False),
    sa.Column('rationale', sa.Text(), nullable=False),
    sa.Column('evidence', sa.JSON(), nullable=False),
    sa.Column('flagged', sa.Boolean(), nullable=False),
    sa.Column('model', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['session_id'], ['interview_session.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['turn_id'], ['turn.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('turn_id', 'criterion_id')
    )
    with op.batch_alter_table('answer_score', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_answer_score_session_id'), ['session_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_answer_score_turn_id'), ['turn_id'], unique=False)

    op.create_table('judge_call',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('turn_id', sa.Integer(), nullable=False),
    sa.Column('model', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('prompt_tokens', sa.Integer(), nullable=True),
    sa.Column('completion_tokens', sa.Integer(), nullable=True),
    sa.Column('cost_usd', sa.Float(), nullable=True),
    sa.Column('latency_ms', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['session_id'], ['interview_session.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['turn_id'], ['turn.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('judge_call', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_judge_call_session_id'), ['session_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('judge_call', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_judge_call_session_id'))

    op.drop_table('judge_call')
    with op.batch_alter_table('answer_score', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_answer_score_turn_id'))
        batch_op.drop_index(batch_op.f('ix_answer_score_session_id'))

    op.drop_table('answer_score')
    with op.batch_alter_table('turn', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_turn_session_id'))

    op.drop_table('turn')
    op.drop_table('report')
    with op.batch_alter_table('interview_session', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_interview_session_persona_id'))

    op.drop_table('interview_session')
