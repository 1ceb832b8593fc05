"""The access stamp: one random value that triggers replace on every change to users, tokens,
memberships and extra actions, so that an app server may keep a user's rights between requests
and still see a revocation at the next one (graphapp.accounts). The triggers and the stamp's
row are made at every start (graphapp.db.get_engine), as the audit log's triggers are.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "access_stamp",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("stamp", sa.String(length=36), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )


def downgrade() -> None:
    from graphapp.db import ACCESS_STAMP_TRIGGERS_DROPPED

    for statement in ACCESS_STAMP_TRIGGERS_DROPPED.get(op.get_bind().dialect.name, []):
        op.execute(statement)
    op.drop_table("access_stamp")
