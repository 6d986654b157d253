"""Routes that live outside a function's ``Events``: one module per resource kind."""
