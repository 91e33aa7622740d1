"""Every benchmark runs end to end at a tiny size and prints its table, on SQLite.

A benchmark is run by hand, on the day its figures are needed; this finds the one that no longer runs (a refusal
it now meets, data the import now rejects) before that day. The figures themselves are not checked: at this size
they mean nothing.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

BENCH = Path(__file__).resolve().parents[2] / "bench"

RUNS = {
    "audit_verify.py": (["--events", "300", "--no-postgres"], "quick: leaves and tree only"),
    "audited_reads.py": (["--reads", "40", "--clients", "2", "--events", "300", "--no-postgres"], "no-op rate"),
    "audited_http_reads.py": (["--reads", "40", "--clients", "2", "--no-postgres"], "no-op rate"),
    "context_maps.py": (["--people", "400", "--maps", "20", "--no-postgres"], "place map, depth 1"),
    "graph_engines.py": (["--people", "300"], "connectors: betweenness"),
    "import_rate.py": (["--people", "300", "--no-postgres"], "re-import"),
    "search.py": (["--people", "300", "--searches", "2"], "misspelt name + date of birth"),
}


def test_every_benchmark_is_listed_here():
    assert {path.name for path in BENCH.glob("*.py") if "__main__" in path.read_text()} == set(RUNS)


@pytest.mark.parametrize("script", sorted(RUNS))
def test_a_benchmark_runs_at_a_tiny_size_and_prints_its_table(script, tmp_path):
    arguments, table_row = RUNS[script]
    result = subprocess.run(
        [sys.executable, str(BENCH / script), *arguments],
        env={**os.environ, "SAFECONTEXT_BENCH_CACHE": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]
    assert table_row in result.stdout
