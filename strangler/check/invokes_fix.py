"""The fix of STR101: a synchronous invoke whose response is not used becomes an SQS message.

For each callee: a queue ``<Callee>Queue`` with a redrive policy to ``<Callee>DeadLetterQueue``
(placed after the callee), an ``SQS`` event on the callee with ``ReportBatchItemFailures``,
and its handler adapted (``invokes_code.adapter``) so each record's body is the event it used
to receive while a direct invoke still reaches the original handler. For each caller: the
queue URL in an environment variable, ``SQSSendMessagePolicy`` for the queue, and its
``invoke`` rewritten into ``send_message`` (``invokes_code.rewrite_calls``).

Facts relied on (AWS Lambda developer guide, "Using Lambda with Amazon SQS"): the queue's
visibility timeout should be at least six times the function's timeout; a function's
timeout defaults to 3 seconds; with ``ReportBatchItemFailures`` the function returns
``{"batchItemFailures": [{"itemIdentifier": <messageId>}]}`` and only those are retried.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from strangler.check import invokes_code
from strangler.check.app import CheckedApp
from strangler.check.edits import Edits
from strangler.check.function_edits import add, add_policy, seq, set_variable, variables
from strangler.check.invokes_code import env_var, queue_ids
from strangler.check.invokes_find import Invoke
from strangler.template.document import TemplateDocument
from strangler.template.intrinsics import intrinsic_name
from strangler.template.sam import place_new_functions

SAM_FUNCTION = "AWS::Serverless::Function"
VISIBILITY_FACTOR = 6  # AWS: the queue's visibility timeout >= 6 x the function's timeout
DEFAULT_TIMEOUT = 3  # Lambda's default timeout, in seconds
MAX_VISIBILITY = 43200  # SQS's limit, in seconds
MAX_RECEIVES = 3  # a message that fails three times goes to the dead-letter queue
BATCH_SIZE = 10
RETENTION = 1209600  # 14 days, SQS's longest: time to look at what failed


def refusal(app: CheckedApp, invoke: Invoke) -> str | None:
    """Why this invoke's fix cannot be made (None: it can)."""
    if invoke.callee is None:
        return f"FunctionName ({invoke.target}) does not resolve to a function of the template"
    if not invoke.certain:
        return "InvocationType is not a literal, so whether the call waits is not known"
    if invoke.refusal is not None:
        return invoke.refusal
    for role, logical_id in (("caller", invoke.caller), ("callee", invoke.callee)):
        why = _function_refusal(app, role, logical_id)
        if why is not None:
            return why
    queue, dead = queue_ids(invoke.callee)
    taken = [name for name in (queue, dead) if name in (app.template.get("Resources") or {})]
    if taken:
        return f"the template already has a resource {taken[0]}"
    if env_var(invoke.callee) in variables(app.template, invoke.caller):
        return f"{invoke.caller} already has an environment variable {env_var(invoke.callee)}"
    return invokes_code.handler_refusal(app, invoke.callee)


def _function_refusal(app: CheckedApp, role: str, logical_id: str) -> str | None:
    resource = app.resource(logical_id)
    properties = resource.get("Properties")
    if resource.get("Type") != SAM_FUNCTION or not isinstance(properties, Mapping):
        return f"the {role} {logical_id} is not an {SAM_FUNCTION} with Properties"
    if role == "caller" and "Role" in properties:
        return f"{logical_id} has an explicit Role (SAM then ignores Policies): give it sqs:SendMessage by hand"
    checks = {"Environment": Mapping, "Policies": (list, str), "Events": Mapping, "Timeout": int}
    for name, kind in checks.items():
        value = properties.get(name)
        if value is not None and (not isinstance(value, kind) or intrinsic_name(value)):
            return f"{name} of {logical_id} is not a plain {'mapping' if kind is Mapping else 'value'}"
    return None


def fix(app: CheckedApp, invokes: Sequence[Invoke], edits: Edits) -> None:
    """Make the fix of every invoke that can have it; say why for each one that cannot."""
    doable = []
    for invoke in invokes:
        why = refusal(app, invoke)
        if why is None and not invokes_code.unchanged(app, edits, invoke):
            why = f"an earlier fix of this run changed {invoke.path}: run strangler check --fix again"
        if why is None:
            doable.append(invoke)
        else:
            edits.say("manual", f"{invoke.path}:{invoke.line}: {invoke.caller} still waits for "
                                f"{invoke.callee or invoke.target}: {why}")
    if not doable:
        return
    doc = edits.template
    for callee in dict.fromkeys(invoke.callee for invoke in doable):
        assert callee is not None
        _subscribe(doc, callee)  # first: the blank line after the callee then moves after the queues
        _add_queues(app, doc, callee)
        invokes_code.adapter(app, callee, edits)
        edits.say("created", f"{queue_ids(callee)[0]} (dead-letter queue {queue_ids(callee)[1]}) delivering to {callee}")
        # Not left to do by hand: STR2xx, in this run's next round of fixes, guards the writes.
        edits.say("changed", f"{callee} now gets these events from SQS, at least once (STR2xx finds the writes "
                             "a repeat would repeat)")
    for caller in dict.fromkeys((invoke.caller, invoke.callee) for invoke in doable):
        _grant(doc, *caller)  # type: ignore[arg-type]
    invokes_code.rewrite_calls(app, doable, edits)
    edits.touch_template()


def _add_queues(app: CheckedApp, doc: TemplateDocument, callee: str) -> None:
    queue, dead = queue_ids(callee)
    timeout = _timeout(app, callee)
    main = doc.new_map({"Type": "AWS::SQS::Queue", "Properties": doc.new_map({
        "VisibilityTimeout": min(MAX_VISIBILITY, VISIBILITY_FACTOR * timeout),
        "RedrivePolicy": doc.new_map({"deadLetterTargetArn": doc.get_att(dead, "Arn"), "maxReceiveCount": MAX_RECEIVES}),
    })})
    letters = doc.new_map({"Type": "AWS::SQS::Queue", "Properties": doc.new_map({"MessageRetentionPeriod": RETENTION})})
    place_new_functions(doc.data["Resources"], callee, [(queue, main), (dead, letters)])


def _timeout(app: CheckedApp, logical_id: str) -> int:
    own = (app.resource(logical_id).get("Properties") or {}).get("Timeout")
    globals_: Mapping[str, Any] = (app.template.get("Globals") or {}).get("Function") or {}
    value = own if own is not None else globals_.get("Timeout", DEFAULT_TIMEOUT)
    return value if isinstance(value, int) and value > 0 else DEFAULT_TIMEOUT


def _subscribe(doc: TemplateDocument, callee: str) -> None:
    queue, _ = queue_ids(callee)
    properties = doc.data["Resources"][callee]["Properties"]
    event = doc.new_map({"Type": "SQS", "Properties": doc.new_map({
        "Queue": doc.get_att(queue, "Arn"),
        "BatchSize": BATCH_SIZE,
        "FunctionResponseTypes": seq(doc, ["ReportBatchItemFailures"]),
    })})
    events = properties.get("Events")
    if events is None:
        add(properties, "Events", doc.new_map({queue: event}))
        return
    name = next(n for n in (queue, *(f"{queue}{i}" for i in range(2, 100))) if n not in events)
    add(events, name, event)


def _grant(doc: TemplateDocument, caller: str, callee: str) -> None:
    queue, _ = queue_ids(callee)
    properties = doc.data["Resources"][caller]["Properties"]
    set_variable(doc, properties, env_var(callee), doc.ref(queue))
    add_policy(doc, properties, doc.new_map({"SQSSendMessagePolicy": doc.new_map({"QueueName": doc.get_att(queue, "QueueName")})}))


