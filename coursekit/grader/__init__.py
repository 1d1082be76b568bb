# coursekit: instructor-only
"""The grading room (instructors): `cs231n-lite grade` and `merge`. Left out of the student kit.

The grader process (trusted):
    grade        the command: rubric, runtime, jobs, gradebook
    rubric       grading/rubric.toml against the hidden tests and notebooks
    limits       per-submission limits
    supervise    one judge process per submission, --jobs at a time
    scoring      a judge's result -> points and reasons
    gradebook    grades.csv, feedback, merge
    outfiles     atomic writes, feedback file names

A judge process per submission (trusted; never runs student code):
    judge        stage, read notebooks, hidden tests, notebooks
    submissions  discovering and staging submissions
    hidden_run   pytest on grading/, student code only through the worker
    rpc          the worker connection: requests, deadlines, restarts
    proxies      student objects as proxies; what the worker may do with ours
    failures     hangs, deaths, too much data, student exceptions
    notebook_merge / notebook_run   the reference + the student's cells, in a kernel
    boundary     the boundary: which mode, the run's runtime folder, uids
    sandbox      one sandboxed process: mounts, command, environment, kill
    jail         the namespaces floor without bubblewrap (root)

Inside the sandbox (untrusted side): inside/boot, worker, wire, guard.
"""
