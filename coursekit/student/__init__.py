"""The student's room: `cs231n-lite check`, `hint`, `collect` and `run`.

Shipped in the student kit; imports nothing from the release or grader rooms.
"""
