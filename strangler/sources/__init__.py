"""Event sources: one module per kind of event that reaches a function, behind one interface
(``base.py``), listed in ``registry.py``."""
