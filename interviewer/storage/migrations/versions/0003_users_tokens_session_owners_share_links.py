"""Users, API tokens, session owners and report share links (issue 7). Sessions started before
it belong to the implicit local user, which this revision creates.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-21 21:35:37.590397
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
import sqlmodel  # noqa: F401  (autogenerate renders sqlmodel.sql.sqltypes.AutoString)
from alembic import op


revision: str = '0003'
down_revision: str | Sequence[str] | None = '0002'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('app_user',
    sa.Column('id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('name')
    )
    op.create_table('api_token',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('token_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['app_user.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('token_hash')
    )
    with op.batch_alter_table('api_token', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_api_token_user_id'), ['user_id'], unique=False)

    op.create_table('report_share',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('token_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['session_id'], ['interview_session.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('token_hash')
    )
    with op.batch_alter_table('report_share', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_report_share_session_id'), ['session_id'], unique=False)

    # The local user owns every existing session (local single-user mode needs no setup).
    app_user = sa.table('app_user', sa.column('id', sa.String), sa.column('name', sa.String), sa.column('created_at', sa.DateTime(timezone=True)))
    op.bulk_insert(app_user, [{'id': 'local', 'name': 'local', 'created_at': datetime.now(UTC)}])
    with op.batch_alter_table('interview_session', schema=None) as batch_op:
        batch_op.add_column(sa.Column('user_id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False, server_default=sa.text("'local'")))
        batch_op.create_index(batch_op.f('ix_interview_session_user_id'), ['user_id'], unique=False)
        batch_op.create_foreign_key('interview_session_user_id_fkey', 'app_user', ['user_id'], ['id'], ondelete='CASCADE')



def downgrade() -> None:
    with op.batch_alter_table('interview_session', schema=None) as batch_op:
        batch_op.drop_constraint('interview_session_user_id_fkey', type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_interview_session_user_id'))
        batch_op.drop_column('user_id')

    with op.batch_alter_table('report_share', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_report_share_session_id'))

    op.drop_table('report_share')
    with op.batch_alter_table('api_token', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_api_token_user_id'))

    op.drop_table('api_token')
    op.drop_table('app_user')
