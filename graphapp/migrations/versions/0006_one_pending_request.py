"""One pending access request per user and case: a partial unique index, so that two requests
made at the same moment cannot both wait (the check before the insert does not see the other).

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

PENDING = sa.text("status = 'pending'")


def upgrade() -> None:
    # Duplicates made before the index: keep the oldest pending request of each user and case.
    op.execute("UPDATE case_access_requests SET status = 'withdrawn' WHERE status = 'pending' AND id > "
               "(SELECT min(o.id) FROM case_access_requests o WHERE o.status = 'pending' "
               "AND o.user_id = case_access_requests.user_id AND o.case_id = case_access_requests.case_id)")
    op.create_index("uq_case_access_requests_pending", "case_access_requests", ["user_id", "case_id"],
                    unique=True, sqlite_where=PENDING, postgresql_where=PENDING)


def downgrade() -> None:
    op.drop_index("uq_case_access_requests_pending", table_name="case_access_requests")
