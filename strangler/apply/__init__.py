"""Apply: the diff of a dry run, or the change written all or nothing (validated first,
under a lock, signals held off, rolled back on failure), with one git commit per step.
Only this stage writes the project."""
