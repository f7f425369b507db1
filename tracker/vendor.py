"""Front-end libraries served from their installed Python packages: no CDN, works offline."""

from __future__ import annotations

from pathlib import Path

import flask_bootstrap
import plotly
from flask import Blueprint, abort, send_from_directory

bp = Blueprint("vendor", __name__, url_prefix="/vendor")

BOOTSTRAP_DIR = Path(flask_bootstrap.__file__).parent / "static" / "bootstrap5"
PLOTLY_DIR = Path(plotly.__file__).parent / "package_data"
APP_STATIC_DIR = Path(__file__).parent / "static"

# Only these files are served; send_from_directory also refuses paths leaving the folder.
_ALLOWED = {
    "bootstrap": (
        BOOTSTRAP_DIR,
        ("css/bootstrap.min.css", "js/bootstrap.min.js", "css/font/bootstrap-icons.min.css"),
    ),
    "plotly": (PLOTLY_DIR, ("plotly.min.js",)),
}


@bp.get("/<library>/<path:filename>")
def asset(library: str, filename: str):
    """One whitelisted asset of an installed front-end package, cached for a day."""
    folder, allowed = _ALLOWED.get(library, (None, ()))
    if folder is None:
        abort(404)
    if filename not in allowed and not (
        library == "bootstrap" and filename.startswith("css/font/fonts/")
    ):
        abort(404)
    return send_from_directory(folder, filename, max_age=86400)


@bp.get("/app/<path:filename>")
def app_asset(filename: str):
    """The app's own small CSS and JS."""
    return send_from_directory(APP_STATIC_DIR, filename, max_age=3600)
