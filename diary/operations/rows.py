"""What several write operations share about rows."""

from __future__ import annotations

import uuid

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError

from ..errors import Conflict
from ..extensions import db


def add_new(row, already_there: str):
    """Add `row` and commit; 409 with `already_there` when a unique column says it exists
    already (another request added the same just now), nothing changed."""
    db.session.add(row)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise Conflict(already_there) from None
    return row


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
