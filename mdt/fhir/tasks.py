"""Closing a Task: an action point (done with what was done, cancelled with why) or a
preparation request (completed with what was done), at the version the client last saw."""

from __future__ import annotations

from typing import Any

from mdt.accounts.operations import Conflict
from mdt.actions import operations as actions
from mdt.actions.models import ActionPoint
from mdt.fhir.errors import FhirError, invalid
from mdt.prep import operations as prep
from mdt.prep.models import Known, PrepRequest

_PATCHABLE = {"/status", "/output", "/statusReason"}


def apply_patch(current: dict[str, Any], patch: Any) -> dict[str, Any]:
    """A JSON Patch (RFC 6902) limited to what a client may change: status, output and
    statusReason, by `add`, `replace` or `remove`."""
    if not isinstance(patch, list) or not patch:
        raise invalid("A PATCH body is a JSON Patch: a list of operations.")
    changed = dict(current)
    for op in patch:
        if not isinstance(op, dict) or op.get("path") not in _PATCHABLE:
            raise invalid("Only /status, /output and /statusReason can be changed.")
        key = op["path"][1:]
        if op.get("op") in ("add", "replace") and "value" in op:
            changed[key] = op["value"]
        elif op.get("op") == "remove":
            changed.pop(key, None)
        else:
            raise invalid("Each operation is add, replace (with a value) or remove.")
    return changed


def _output_text(task: dict[str, Any]) -> str:
    outputs = task.get("output")
    if not isinstance(outputs, list):
        return ""
    texts = [o.get("valueString") for o in outputs if isinstance(o, dict)]
    return " ".join(t.strip() for t in texts if isinstance(t, str)).strip()[:1000]


def _reason_text(task: dict[str, Any]) -> str:
    reason = task.get("statusReason")
    text = reason.get("text") if isinstance(reason, dict) else None
    return text.strip()[:1000] if isinstance(text, str) else ""


def update_action(action: ActionPoint, revision: int, task: dict[str, Any]) -> None:
    status = task.get("status")
    try:
        if status == "completed":
            note = _output_text(task) or _must("output[].valueString: say what was done.")
            actions.complete(action, revision, note, action.owner)
        elif status == "cancelled":
            why = _reason_text(task) or _must("statusReason.text: say why it is cancelled.")
            actions.cancel(action, revision, why, action.owner)
        elif status == "requested" and not action.is_open:
            why = _reason_text(task) or _must("statusReason.text: say why it is reopened.")
            actions.reopen(action, revision, why, action.owner)
        else:
            raise invalid("Task.status can be set to completed, cancelled or requested.")
    except Conflict:
        raise stale() from None
    except actions.ActionRefusal as refusal:
        raise FhirError(409, "conflict", str(refusal)) from None


def update_prep(request: PrepRequest, revision: int, task: dict[str, Any]) -> None:
    if task.get("status") != "completed":
        raise invalid("A preparation Task can only be set to completed.")
    if request.done:
        raise FhirError(409, "conflict", "This preparation is already completed.")
    what = _output_text(task) or _must("output[].valueString: say what your service knows.")
    try:
        prep.complete(request, revision, Known.YES, what, "", False, "")
    except Conflict:
        raise stale() from None


def _must(text: str) -> str:
    raise invalid(text)


def stale() -> FhirError:
    return FhirError(
        412, "conflict", "The Task changed since this version: read it again, then retry."
    )
