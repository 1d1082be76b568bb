"""Course tooling for cs231n-lite: release, check, collect, grade and the CLI.

coursekit imports cs231n_lite, never the other way round.
"""
