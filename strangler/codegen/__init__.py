"""Code generation with LibCST: specialised entrypoints, new modules, the trimmed monolith."""

from strangler.codegen.modules import (
    ENTRYPOINT,
    extracted_module,
    monolith_module,
    specialise,
)

__all__ = ["ENTRYPOINT", "extracted_module", "monolith_module", "specialise"]
