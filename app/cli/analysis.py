"""`analysis run`: the whole-graph analyses (peer groups, connectors, hotspots) as a job, for a timer to run."""

from app.cli import JsonGroup, json_option
from app.extensions import db
from safeguarding import graph_analyses

analysis_cli = JsonGroup("analysis", help="Whole-graph analyses of the context graph.")


@analysis_cli.command("run")
@json_option
def run():
    """Compute every whole-graph analysis and store it with today's date; pages and the API show the stored result."""
    counts = graph_analyses.run(db.session)
    text = "Stored " + ", ".join(f"{name.replace('_', ' ')}: {count}" for name, count in counts.items())
    return {"stored": counts}, text
