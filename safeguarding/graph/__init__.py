"""The context graph: relationships as a networkx multigraph, ego maps, redaction, analyses and layout.

Pure functions over plain data (``types``); no Flask, no database.
"""
