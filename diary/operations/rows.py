"""What several write operations share about rows."""

from __future__ import annotations

import uuid

from sqlalchemy import delete

from ..extensions import db


def delete_owned(model, row_id: str, owner_column, owner_id: uuid.UUID) -> bool:
    """Delete the row of `model` whose UUID is `row_id` (text, from a URL) when `owner_column`
    names `owner_id`, and commit; False when there is no such row of that owner."""
    try:
        wanted = uuid.UUID(row_id)
    except ValueError:
        return False
    result = db.session.execute(delete(model).where(model.id == wanted, owner_column == owner_id))
    db.session.commit()
    return result.rowcount == 1
