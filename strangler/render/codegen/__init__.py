"""Code generation with LibCST: specialised entrypoints, new modules, the trimmed monolith."""

from strangler.render.codegen.modules import (
    ENTRYPOINT,
    extracted_module,
    monolith_module,
    router_module,
    router_module_without,
    specialise,
    trimmed_imports,
)

__all__ = ["ENTRYPOINT", "extracted_module", "monolith_module", "router_module", "router_module_without", "specialise", "trimmed_imports"]
