"""Role x route rows for the casework API (/api/v1); see route_matrix.py."""

API_MATRIX: dict = {}
