"""The web face of SafeContext: the application factory."""

import logging
from pathlib import Path

from flask import Flask
from govuk_frontend_wtf.main import WTFormsHelpers
from jinja2 import ChoiceLoader, FileSystemLoader, PackageLoader, PrefixLoader

from app.config import load_config
from app.extensions import csrf, db, limiter, login_manager, migrate
from app.runtime import init_runtime
from app.security import init_security
from app.templating import init_templating
from models.base import configure_sqlite

PROJECT_ROOT = Path(__file__).resolve().parent.parent
log = logging.getLogger("safecontext.startup")


def create_app(config_name: str | None = None, overrides: dict | None = None) -> Flask:
    """Build a configured app; production refuses to start without its secrets."""
    settings = load_config(config_name, overrides)
    Path(settings["INSTANCE_PATH"]).mkdir(parents=True, exist_ok=True)
    app = Flask(__name__, instance_path=settings["INSTANCE_PATH"], static_folder=None)
    app.config.update(settings)
    init_runtime(app)

    db.init_app(app)
    with app.app_context():
        configure_sqlite(db.engine)
        _check_index_sizing()
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"))
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    WTFormsHelpers(app)
    app.jinja_loader = ChoiceLoader(
        [
            FileSystemLoader(str(PROJECT_ROOT / "templates")),
            PrefixLoader(
                {
                    "govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja"),
                    "govuk_frontend_wtf": PackageLoader("govuk_frontend_wtf"),
                }
            ),
        ]
    )
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True

    init_security(app)
    init_templating(app)
    _register_blueprints(app)
    _register_cli(app)
    _init_audit_sealer(app)
    return app


def _check_index_sizing() -> None:
    """Warn at start-up when the blind-index plan no longer fits the number of people held."""
    from sqlalchemy import inspect

    from safeguarding.search import index_sizing_warnings

    if inspect(db.engine).has_table("people"):  # not yet, before the first `db upgrade`
        for warning in index_sizing_warnings(db.session):
            log.warning(warning)
        db.session.remove()


def _register_blueprints(app: Flask) -> None:
    from app.account import bp as account_bp
    from app.admin.views import bp as admin_bp
    from app.alerts import bp as alerts_bp
    from app.api import bp as api_bp
    from app.assets import bp as assets_bp
    from app.audit_pages import bp as audit_pages_bp
    from app.auth.views import bp as auth_bp
    from app.cases import bp as cases_bp
    from app.contexts import bp as contexts_bp
    from app.errors import register_error_handlers
    from app.main.views import bp as main_bp
    from app.people import bp as people_bp
    from app.referrals import bp as referrals_bp

    for blueprint in (assets_bp, auth_bp, main_bp, admin_bp, people_bp, cases_bp, referrals_bp, audit_pages_bp, api_bp):
        app.register_blueprint(blueprint)
    app.register_blueprint(contexts_bp)  # context maps and work on places and groups
    app.register_blueprint(alerts_bp)  # the alerts the viewer may see, on one page
    app.register_blueprint(account_bp)  # the signed-in user's own password
    from app.reports import bp as reports_bp

    app.register_blueprint(reports_bp)  # partnership report and subject access, for safeguarding leads
    register_error_handlers(app)


def _init_audit_sealer(app: Flask) -> None:
    """One background sealer per process, started lazily by the first request (not at import, not for the CLI)."""
    from app.audit_pages.sealing import init_background_sealer

    init_background_sealer(app)


def _register_cli(app: Flask) -> None:
    from app.cli import register_commands

    register_commands(app)
