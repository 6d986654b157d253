"""Code generation with LibCST: specialised entrypoints, new modules, the trimmed monolith."""

from strangler.render.codegen.modules import (
    ENTRYPOINT,
    extracted_module,
    monolith_module,
    monolith_statements,
    router_module,
    router_module_without,
    specialise,
    trimmed_imports,
)
from strangler.render.codegen.text import statement_code

__all__ = ["ENTRYPOINT", "extracted_module", "monolith_module", "monolith_statements", "router_module", "router_module_without", "specialise", "statement_code", "trimmed_imports"]
