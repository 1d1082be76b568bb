"""Per-submission limits (``[limits]`` of the rubric; `grade`'s options override them).

Time is enforced by the judge (per hidden test, per notebook cell, per
submission); memory, processes, file size, open files and the scratch space
by the kernel inside the sandbox (rlimits of every sandboxed process, a
size-limited tmpfs); ``reply`` bounds one message from the sandbox and
``output`` the text a sandbox may print (kept for the grader's log only).
"""

from __future__ import annotations

from dataclasses import dataclass, fields


@dataclass(frozen=True)
class Limits:
    timeout: float = 60.0  # seconds per hidden test
    budget: float = 900.0  # seconds per submission, everything included
    memory: int = 4096  # MB of address space per sandboxed process
    cell_timeout: float = 300.0  # seconds per notebook cell (training cells are slow)
    processes: int = 64  # processes + threads of the sandbox user (RLIMIT_NPROC)
    file_size: int = 64  # MB any one file may grow to (RLIMIT_FSIZE)
    open_files: int = 256  # file descriptors per process (RLIMIT_NOFILE)
    scratch: int = 256  # MB of writable space (the sandbox's /tmp, a tmpfs)
    reply: int = 64  # MB of one reply from the sandbox (else "returned too much data")
    output: int = 1  # MB of printed text kept per sandbox (the rest is dropped)
    notebook_size: int = 20  # MB per student notebook (larger ones are not read)
    notebook_cells: int = 5000  # cells per student notebook

    @classmethod
    def names(cls) -> list[str]:
        return [f.name for f in fields(cls)]

    def check(self) -> None:
        """Raise ValueError naming the first limit out of range."""
        for name in ("timeout", "budget", "cell_timeout"):
            if getattr(self, name) <= 0:
                raise ValueError(f"limit {name} must be > 0 seconds, got {getattr(self, name)}")
        if self.memory < 256:
            raise ValueError(f"limit memory must be >= 256 MB, got {self.memory}")
        for name in ("processes", "file_size", "open_files", "scratch", "reply", "output",
                     "notebook_size", "notebook_cells"):
            if getattr(self, name) < 1:
                raise ValueError(f"limit {name} must be >= 1, got {getattr(self, name)}")
