"""Render: the ChangeSet, whole new files and edits of existing ones as text splices;
``codegen/`` writes the Python with LibCST."""
