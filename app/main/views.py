"""Home page and health check."""

from flask import Blueprint, jsonify, render_template
from sqlalchemy import text

from app.extensions import db
from app.permissions import current_actor, public, signed_in

bp = Blueprint("main", __name__)


@bp.get("/")
@signed_in
def home():
    return render_template("main/home.html", actor=current_actor())


@bp.get("/healthz")
@public
def healthz():
    db.session.execute(text("SELECT 1"))
    return jsonify({"status": "ok"})
