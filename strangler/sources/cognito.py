"""Cognito user pool triggers (``Cognito`` events): each trigger moves to the function of the
trigger source it sends.

A user pool calls one function per trigger (its ``LambdaConfig``), and tells the function
which operation it is in ``event["triggerSource"]`` (``PreSignUp_SignUp``,
``PostAuthentication_Authentication``...). A dispatch on the trigger source routes at the pool:
the new function of ``DefineAuthChallenge_Authentication`` takes the ``DefineAuthChallenge``
trigger out of the monolith's event (``Trigger: [DefineAuthChallenge, ...]``), and SAM writes
the pool's LambdaConfig and the permission for it.

Cognito cannot send some sources of a trigger to one function and the rest to another: the
``PreSignUp`` trigger sends ``PreSignUp_SignUp``, ``PreSignUp_AdminCreateUser`` and
``PreSignUp_ExternalProvider`` alike. When the action's trigger sends sources other than
the action's own, the new function would run the action's code for them where the monolith
ran its own: refused. A trigger left on the monolith when it retires is refused too: the
pool would lose it.

The standalone ``AWS::Cognito::UserPool`` ``LambdaConfig`` entries use the same reading
(``sources/resources/user_pool.py``).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from strangler.model import ANY_CASE, DELETE, EventPath
from strangler.sources.base import EventSource, EventSplit, Refusal, seq_like
from strangler.template.intrinsics import intrinsic_name, shape

# The trigger sources Cognito sends to each LambdaConfig trigger (Amazon Cognito Developer
# Guide, "Connecting Lambda triggers to user pool functional operations").
TRIGGER_SOURCES: dict[str, tuple[str, ...]] = {
    "PreSignUp": ("PreSignUp_SignUp", "PreSignUp_AdminCreateUser", "PreSignUp_ExternalProvider"),
    "PostConfirmation": ("PostConfirmation_ConfirmSignUp", "PostConfirmation_ConfirmForgotPassword"),
    "PreAuthentication": ("PreAuthentication_Authentication",),
    "PostAuthentication": ("PostAuthentication_Authentication",),
    "DefineAuthChallenge": ("DefineAuthChallenge_Authentication",),
    "CreateAuthChallenge": ("CreateAuthChallenge_Authentication",),
    "VerifyAuthChallengeResponse": ("VerifyAuthChallengeResponse_Authentication",),
    "PreTokenGeneration": (
        "TokenGeneration_HostedAuth", "TokenGeneration_Authentication", "TokenGeneration_NewPasswordChallenge",
        "TokenGeneration_AuthenticateDevice", "TokenGeneration_RefreshTokens",
    ),
    "UserMigration": ("UserMigration_Authentication", "UserMigration_ForgotPassword"),
    "CustomMessage": (
        "CustomMessage_SignUp", "CustomMessage_AdminCreateUser", "CustomMessage_ResendCode",
        "CustomMessage_ForgotPassword", "CustomMessage_UpdateUserAttribute", "CustomMessage_VerifyUserAttribute",
        "CustomMessage_Authentication",
    ),
    "CustomEmailSender": (
        "CustomEmailSender_SignUp", "CustomEmailSender_ResendCode", "CustomEmailSender_ForgotPassword",
        "CustomEmailSender_UpdateUserAttribute", "CustomEmailSender_VerifyUserAttribute",
        "CustomEmailSender_AdminCreateUser", "CustomEmailSender_AccountTakeOverNotification",
    ),
    "CustomSMSSender": (
        "CustomSMSSender_SignUp", "CustomSMSSender_ResendCode", "CustomSMSSender_ForgotPassword",
        "CustomSMSSender_UpdateUserAttribute", "CustomSMSSender_VerifyUserAttribute",
        "CustomSMSSender_Authentication", "CustomSMSSender_AdminCreateUser",
    ),
}
# A source is named after its trigger, but for the token generation ones.
_PREFIXES = {**{trigger: trigger for trigger in TRIGGER_SOURCES}, "TokenGeneration": "PreTokenGeneration"}
TRIGGER_SOURCE = EventPath(("triggerSource",))


def trigger_of(key: str, path: EventPath, where: str) -> str | None:
    """The LambdaConfig trigger that sends the trigger source ``key`` (read from ``path``);
    None when ``key`` is no trigger source."""
    if not reads_trigger_source(path):
        raise Refusal(
            f"the dispatch key comes from {path}, but a user pool chooses the function by trigger "
            "(the event's triggerSource)",
            where=where,
            hint="dispatch on event[\"triggerSource\"], or keep the triggers' handler whole",
        )
    prefix = key.partition("_")[0]
    return next((trigger for name, trigger in _PREFIXES.items() if _same(name, prefix, path)), None)


def reads_trigger_source(path: EventPath) -> bool:
    return path.parts in (TRIGGER_SOURCE.parts, (*TRIGGER_SOURCE.parts, ANY_CASE))


def refuse_shared(trigger: str, key: str, path: EventPath, where: str) -> None:
    """Refused when ``trigger`` sends sources other than ``key``: they would follow it."""
    others = [source for source in TRIGGER_SOURCES[trigger] if not _same(source, key, path)]
    if others:
        raise Refusal(
            f"Cognito sends {', '.join(others)} to the {trigger} trigger too, and a trigger calls one function: "
            f"the new function would run the code of {key} for them, where the monolith ran its own",
            where=where,
            hint=f"leave {key} in the monolith, or give the {trigger} trigger its own function by hand",
        )


def _same(known: str, key: str, path: EventPath) -> bool:
    """``key`` is ``known`` (in any case when the code compares it so)."""
    return known.casefold() == key.casefold() if ANY_CASE in path.parts else known == key


class CognitoTriggers(EventSource):
    types = ("Cognito",)

    def split(self, name: str, event: Any, key: str, path: EventPath, where: str) -> EventSplit:
        properties = (event or {}).get("Properties") or {}
        triggers = _triggers(name, properties.get("Trigger"), where)
        if not any(trigger in TRIGGER_SOURCES for trigger in triggers):
            return EventSplit()
        trigger = trigger_of(key, path, where)
        if trigger is None or trigger not in triggers:
            return EventSplit()
        refuse_shared(trigger, key, path, where)
        current = properties["Trigger"]
        new_event = copy.deepcopy(event, {id(current): trigger if isinstance(current, str) else seq_like(current, [trigger])})
        rest = [t for t in triggers if t != trigger]
        note = f"{name}: the {trigger} trigger moves to the new function"
        if not rest:
            return EventSplit(new_event, DELETE, note)
        monolith = copy.deepcopy(event, {id(current): rest[0] if len(rest) == 1 and isinstance(current, str)
                                         else seq_like(current, rest)})
        return EventSplit(new_event, monolith, note)

    def retire(self, name: str, event: Any, where: str) -> None:
        triggers = (event.get("Properties") or {}).get("Trigger")
        shown = ", ".join(triggers) if isinstance(triggers, list) else str(triggers)
        raise Refusal(
            f"event {name} (Cognito) still sends the {shown} trigger of its user pool to the monolith: no action "
            "handles its trigger sources, and the pool would lose the trigger with the monolith",
            where=f"{where} event {name}",
            hint="handle the trigger's sources in an action of the dispatch, drop the trigger, or run "
                 "migrate --keep-monolith",
        )


COGNITO = CognitoTriggers()


def _triggers(name: str, value: Any, where: str) -> list[str]:
    items = value if isinstance(value, list) and not intrinsic_name(value) else [value]
    if intrinsic_name(value) or not all(isinstance(item, str) and not intrinsic_name(item) for item in items):
        raise Refusal(
            f"event {name}'s Trigger is {shape(value)}: strangler cannot tell which triggers it sends",
            where=where,
            hint="list the triggers by name (Trigger: [PreSignUp, ...])",
        )
    return [str(item) for item in items]


def lambda_arn(entry: Any) -> Any:
    """Where a LambdaConfig entry names its function (``CustomEmailSender`` and
    ``CustomSMSSender`` are mappings with a ``LambdaArn``)."""
    return entry.get("LambdaArn") if isinstance(entry, Mapping) and "LambdaArn" in entry else entry
