"""Load: the template, its functions, their sources read as bytes, symlinks, settings.
Only this stage reads the project."""
