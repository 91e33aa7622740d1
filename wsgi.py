from app import create_app
from app.cli import startup_failures_reported
from safeguarding.heap import settle

with startup_failures_reported():
    app = create_app()
# What start-up made lives as long as the process: frozen, it is no longer traversed by collections that stall requests.
settle()
