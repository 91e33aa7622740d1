"""GOV.UK Frontend assets and our own static files, served by the app itself (no CDN)."""

from pathlib import Path

from flask import Blueprint, abort, send_from_directory

from app.permissions import public

PROJECT_ROOT = Path(__file__).resolve().parent.parent
GOVUK_DIST = PROJECT_ROOT / "node_modules" / "govuk-frontend" / "dist" / "govuk"
CYTOSCAPE_DIST = PROJECT_ROOT / "node_modules" / "cytoscape" / "dist"
STATIC = Path(__file__).resolve().parent / "static"

bp = Blueprint("assets", __name__)

MAX_AGE = 3600


@bp.get("/govuk/<path:filename>")
@public
def govuk(filename: str):
    if not filename.startswith("govuk-frontend.min."):
        abort(404)
    return send_from_directory(GOVUK_DIST, filename, max_age=MAX_AGE)


@bp.get("/assets/<path:filename>")
@public
def govuk_assets(filename: str):
    return send_from_directory(GOVUK_DIST / "assets", filename, max_age=MAX_AGE)


@bp.get("/static/<path:filename>")
@public
def static_file(filename: str):
    return send_from_directory(STATIC, filename, max_age=MAX_AGE)


@bp.get("/vendor/cytoscape.min.js")
@public
def cytoscape():
    """cytoscape.js for the context maps, from the pinned npm package (package.json)."""
    return send_from_directory(CYTOSCAPE_DIST, "cytoscape.min.js", max_age=MAX_AGE)
