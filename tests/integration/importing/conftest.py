"""Running the import command on a document, as an operator would."""

import json

import pytest


@pytest.fixture
def run(app, tmp_path, make_user):
    make_user("social_worker", username="importer.sw")

    def invoke(doc, *flags):
        path = tmp_path / "import.json"
        path.write_text(json.dumps(doc), encoding="utf-8")
        result = app.test_cli_runner().invoke(args=["import", str(path), *flags, "--json"])
        return result.exit_code, json.loads(result.output.strip().splitlines()[-1])

    return invoke
