"""Role x route rows for the casework pages; see route_matrix.py."""

PAGES_MATRIX: dict = {}
