# coursekit: instructor-only
"""The grading room (instructors): `cs231n-lite grade` and `merge`, the sandbox,
the rubric, the gradebook. Left out of the student kit.
"""
