from app import create_app
from safeguarding.heap import settle

app = create_app()
# What start-up made lives as long as the process: frozen, it is no longer traversed by collections that stall requests.
settle()
