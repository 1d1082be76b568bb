"""The student block: what a solution region becomes in the student kit.

Shared by the release (which writes it) and the student's commands (which
read it back to tell what is still to be written)::

    # *****START OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****
    raise NotImplementedError("svm_loss_naive: implement this region (see the TODO above)")
    # *****END OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****
"""

from __future__ import annotations

import json
import re

START_LINE = "# *****START OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****"
END_LINE = "# *****END OF YOUR CODE (DO NOT DELETE/MODIFY THIS LINE)*****"
ANSWER_STUB = "YOUR ANSWER HERE"
STUB_SUFFIX = ": implement this region (see the TODO above)"
# the raise line of an untouched block; group 1 is the owner ("KNearestNeighbor.predict_labels")
STUB_RE = re.compile(r'^\s*raise NotImplementedError\("(.+?)' + re.escape(STUB_SUFFIX) + r'"\)\s*$')


def student_block(indent: str, owner: str) -> list[str]:
    """The three lines that replace a solution region."""
    message = json.dumps(f"{owner}{STUB_SUFFIX}")
    return [indent + START_LINE, f"{indent}raise NotImplementedError({message})", indent + END_LINE]


def untouched_blocks(source: str) -> list[str]:
    """Owners of the student blocks of ``source`` that still hold only the stub."""
    lines = source.splitlines()
    owners = []
    for i, line in enumerate(lines[:-2]):
        if line.strip() == START_LINE and lines[i + 2].strip() == END_LINE:
            m = STUB_RE.match(lines[i + 1])
            if m:
                owners.append(m.group(1))
    return owners
