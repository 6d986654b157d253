"""Test hook for a real process: ``STRANGLER_TEST_SIGNAL_AT=<phase>@<SIGNAL>`` makes a
``python3 -m strangler`` run send itself that signal when it reaches that phase.

Put this folder on PYTHONPATH (after the project) to arm it; strangler itself never
reads the variable.
"""

import os
import signal

_spec = os.environ.get("STRANGLER_TEST_SIGNAL_AT")
if _spec:
    _phase, _, _name = _spec.rpartition("@")

    from strangler.apply import interrupts

    def _hook(name: str) -> None:
        if name == _phase:
            os.kill(os.getpid(), getattr(signal, _name))

    interrupts.hook = _hook
