# coursekit: instructor-only
"""The release room (instructors): solution markers and `cs231n-lite release`.

Left out of the student kit.
"""
