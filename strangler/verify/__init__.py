"""``strangler verify``: replay events against the application before and after a split.

The stages: ``trees`` finds the two versions (a git ref and the work tree), ``events``
gathers the events (files, or one sample per action), ``translate`` turns each template
into the CloudFormation AWS would deploy, ``routing`` says which functions each event
reaches, ``world`` stands up the template's tables, buckets, queues and topics in moto,
``sandbox`` runs each handler in its own interpreter, ``replay`` compares, ``report``
shows it.
"""
