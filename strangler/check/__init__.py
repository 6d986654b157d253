"""``strangler check``: the other two Lambda pitfalls, found and (where it is safe) fixed.

One rule module per pitfall behind :class:`strangler.check.base.Rule`; ``registry.RULES``
lists them. A rule reads the application through :class:`strangler.check.app.CheckedApp`
(each file parsed once per run) and answers with :class:`strangler.check.model.Finding`s;
its ``fix`` edits an :class:`strangler.check.edits.Edits`, which becomes one ChangeSet
written all-or-nothing like an ``extract``.
"""
