"""The one exception a command turns into its single error line."""


class CourseKitError(Exception):
    """A command cannot do its job; ``str(error)`` is the line shown to the user."""
