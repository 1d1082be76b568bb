"""Code that runs INSIDE the grading sandbox (standard library and numpy only).

The grader copies these files into a read-only runtime folder that every
sandbox sees at ``/opt/coursekit``; nothing else of the instructor's tree is
visible there. ``boot`` drops privileges and starts ``worker`` (the hidden
tests' RPC server) or an ipykernel; ``wire`` is the frame format and the safe
codec, shared with the judge (which imports it as
``coursekit.grader.inside.wire``).
"""
