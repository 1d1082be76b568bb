"""Course tooling for cs231n-lite, in three rooms: ``student/`` (check, hint, collect,
run), ``release/`` (markers, the student kit) and ``grader/`` (sandbox, rubric, grade).

coursekit imports cs231n_lite, never the other way round.
"""
