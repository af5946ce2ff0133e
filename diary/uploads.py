"""Routes that take a file larger than the app's body limit (MAX_CONTENT_LENGTH, 64 KiB): a view
marked `@allows_body(limit)` gets its own limit, set before anything reads the body (the CSRF
check reads a form), and a body declared larger is refused at once with 413 in plain words."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask, current_app, request
from werkzeug.exceptions import RequestEntityTooLarge

MB = 1024 * 1024


def allows_body(limit: int) -> Callable:
    """Let the view's requests carry a body of up to `limit` bytes."""

    def mark(view):
        view.body_limit = limit
        return view

    return mark


def _raise_body_limit() -> None:
    view = current_app.view_functions.get(request.endpoint or "")
    limit = getattr(view, "body_limit", None)
    if limit is None:
        return
    request.max_content_length = limit
    request.max_form_memory_size = limit
    if (request.content_length or 0) > limit:
        raise RequestEntityTooLarge(
            f"The file is larger than {limit // MB} MB, more than a diary file can be."
        )


def init_uploads(app: Flask) -> None:
    """Set each marked route's body limit before the CSRF check reads the body."""
    hooks = app.before_request_funcs.setdefault(None, [])
    if _raise_body_limit in hooks:
        return
    (csrf,) = [i for i, hook in enumerate(hooks) if hook.__name__ == "csrf_protect"]  # flask-wtf's
    hooks.insert(csrf, _raise_body_limit)
