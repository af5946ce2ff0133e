"""Static files: a year in caches (their URLs carry a version), compressed ahead of time.

scripts/precompress.py writes `name.br` and `name.gz` beside each text file; this view sends
one of them to a browser that accepts it, while it is not older than the file itself (so an
edited file is never shadowed by a stale copy). Anything else is sent as it is.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path

from flask import Flask, request, send_from_directory
from flask.sessions import SecureCookieSessionInterface
from werkzeug.exceptions import NotFound
from werkzeug.security import safe_join

ENCODINGS = (("br", ".br"), ("gzip", ".gz"))


def _accepted(encoding: str) -> bool:
    return request.accept_encodings[encoding] > 0


def serve_static(app: Flask):
    folder = Path(app.static_folder)

    def static(filename: str):
        path = safe_join(str(folder), filename)
        if path is None or not Path(path).is_file():
            raise NotFound()
        original = Path(path)
        for encoding, suffix in ENCODINGS:
            copy = original.with_name(original.name + suffix)
            if _accepted(encoding) and copy.is_file() and copy.stat().st_mtime >= original.stat().st_mtime:
                mimetype = mimetypes.guess_type(original.name)[0] or "application/octet-stream"
                response = send_from_directory(folder, filename + suffix, mimetype=mimetype, conditional=True)
                response.headers["Content-Encoding"] = encoding
                response.headers["Vary"] = "Accept-Encoding"
                return response
        response = send_from_directory(folder, filename, conditional=True)
        response.headers["Vary"] = "Accept-Encoding"
        return response

    return static


class SessionInterface(SecureCookieSessionInterface):
    """Flask's cookie session, except that a static file never varies on the cookie: its
    answer is the same for everyone, and `Vary: Cookie` made the service worker's cookie-less
    copies revalidate on every visit. (Flask-Login looks at the session after every request,
    static or not, which would add it.)"""

    def save_session(self, app, session, response) -> None:
        super().save_session(app, session, response)
        if request.endpoint == "static" and not session.modified:
            kept = [header for header in response.vary if header.lower() != "cookie"]
            if kept:
                response.headers["Vary"] = ", ".join(kept)
            else:
                del response.headers["Vary"]
