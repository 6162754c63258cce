"""Outlet adapters: one per ``OutletKind``, each a formatter plus a transmitter.

Add a platform by subclassing :class:`Adapter` and decorating it with :func:`register`; the
delivery engine and the services only ever call :func:`adapter_for`.
"""

from __future__ import annotations

from typing import ClassVar

from .base import DeliveryError, Figures, FormatError, PermanentError, Sent, TransientError

_REGISTRY: dict[str, Adapter] = {}


class Adapter:
    kind: str = ""
    # Chinese notes for actions the platform cannot carry out (e.g. editing a published
    # Weibo post): such deliveries are recorded as done without a remote call.
    unsupported: ClassVar[dict[str, str]] = {}
    # True when a repeated send cannot publish twice (the receiver dedupes); otherwise an
    # interrupted send is never repeated automatically (delivery.SENDING).
    idempotent: ClassVar[bool] = False

    def format(self, *, snapshot: dict, version: dict, action: str, outlet,
               received: list[dict]) -> dict:
        """Build the payload. ``received`` lists what the outlet holds of this story:
        ``[{"remote_id", "remote_url", "state"}]`` of earlier successful deliveries."""
        raise NotImplementedError

    def transmit(self, *, outlet, payload: dict, action: str, state: dict,
                 delivery_id: int) -> Sent:
        raise NotImplementedError


    def figures(self, *, outlet, day) -> Figures | None:
        """The account's followers and reads on ``day`` from the platform's statistics API,
        or None when the platform offers none (the timer then skips the outlet)."""
        return None


def register(cls):
    _REGISTRY[cls.kind] = cls()
    return cls


def adapter_for(kind: str) -> Adapter:
    _load()
    try:
        return _REGISTRY[kind]
    except KeyError:
        raise FormatError(f"不支持的渠道类型：{kind}") from None


def _load():
    from . import douyin, webhook, wechat_mp, weibo  # noqa: F401 (importing registers them)


__all__ = ["Adapter", "DeliveryError", "Figures", "FormatError", "PermanentError", "Sent",
           "TransientError", "adapter_for", "register"]
