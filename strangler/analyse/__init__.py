"""Analyse: per handler module, the dispatch (one detector per shape in ``dispatch/``), the
actions, the event path of the key, the module-level symbol graph, its effects, imports and
local modules."""
