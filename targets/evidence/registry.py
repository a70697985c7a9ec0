"""Who may see and attach evidence, per owner model. ``targets`` knows nothing of the
models that own evidence (``projects`` may not be imported here): each owner app
registers its models from its ``AppConfig.ready``::

    registry.register(Problem, can_view=lambda user, problem: …, can_attach=…)

An owner model that is not registered has no evidence: nobody may see or attach any."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db import models


@dataclass(frozen=True)
class Rule:
    can_view: Callable[[object, models.Model], bool]
    can_attach: Callable[[object, models.Model], bool]


_RULES: dict[type[models.Model], Rule] = {}


def register(model: type[models.Model], *, can_view, can_attach) -> None:
    """Let ``model``'s rows own evidence: ``can_view(user, obj)`` says who may open their
    files, ``can_attach(user, obj)`` who may add one."""
    _RULES[model._meta.concrete_model] = Rule(can_view=can_view, can_attach=can_attach)


def rule_for(obj_or_model) -> Rule | None:
    model = obj_or_model if isinstance(obj_or_model, type) else type(obj_or_model)
    return _RULES.get(model._meta.concrete_model)


def can_view(user, owner) -> bool:
    """Whether ``user`` may open the evidence of ``owner`` (False for an unregistered or
    missing owner, and for anonymous users)."""
    rule = rule_for(owner) if owner is not None else None
    return bool(rule and user.is_authenticated and rule.can_view(user, owner))


def can_attach(user, owner) -> bool:
    rule = rule_for(owner) if owner is not None else None
    return bool(rule and user.is_authenticated and rule.can_attach(user, owner))
