"""Panels: what the feature apps add to a page drawn by the core or by another app.

The core knows no feature app, and the feature apps read each other in one direction
only (docs/architecture.md). Where a page shows something of an app it may not import
(the signed-in home shows ideas, announcements and activities; the captain's building
page of the volunteers shows the building's open ideas), the app that owns the data
registers a provider for a named slot in its ``AppConfig.ready()``, and the page asks
the slot::

    # proposals/apps.py
    panels.register("building", open_ideas_panel, order=20)

    # volunteers/views.py
    context["panels"] = panels.collect("building", request=request, building=building)

    {% for panel in panels %}{% include panel.template with panel=panel %}{% endfor %}

A provider takes the slot's keyword arguments and returns a ``Panel`` or ``None``
(nothing to show for this reader). Each provider answers in a constant number of
queries: the page's query count is the sum of its panels'.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Panel:
    """One app's part of a page: the template that draws it and what that template needs."""

    template: str
    context: dict[str, Any] = field(default_factory=dict)
    # The first panels of a page are the most pressing; providers may say so per reader.
    order: int = 100
    name: str = ""


Provider = Callable[..., Panel | None]

_providers: dict[str, list[tuple[int, Provider]]] = {}


def register(slot: str, provider: Provider, *, order: int = 100) -> None:
    """Add a provider to a slot; registering the same provider twice keeps one."""
    entries = _providers.setdefault(slot, [])
    if any(existing is provider for _, existing in entries):
        return
    entries.append((order, provider))
    entries.sort(key=lambda entry: entry[0])


def collect(slot: str, **kwargs: Any) -> list[Panel]:
    """The panels the slot's providers have for these arguments, most pressing first."""
    panels = [provider(**kwargs) for _, provider in _providers.get(slot, [])]
    return sorted((panel for panel in panels if panel is not None), key=lambda p: p.order)


def providers(slot: str) -> list[Provider]:
    return [provider for _, provider in _providers.get(slot, [])]
