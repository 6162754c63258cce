"""Facts one capability vouches for about a person, asked by another without importing it.

A capability that knows something about people (the volunteers' star level) contributes a
``standing`` submodule with a function per fact; a consumer (a voucher campaign only for
volunteers) asks ``fact("volunteer_stars", user)``. With the contributing module switched
off nobody vouches: the answer is ``None``, and the consumer refuses what needs the fact.
"""

from __future__ import annotations

from .modules import app_submodules


def fact(name: str, user):
    """What the installed capabilities say about ``user`` for ``name`` (first answer that
    is not None), or None."""
    if user is None or not user.is_authenticated:
        return None
    for module in app_submodules("standing"):
        provider = getattr(module, name, None)
        if provider is not None:
            value = provider(user)
            if value is not None:
                return value
    return None
