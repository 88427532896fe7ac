"""Each installed app's demo content, asked of its AppConfig, so the core names no app.

An app with demo content says so on its AppConfig, by dotted path:

    class VolunteersConfig(AppConfig):
        demo = "volunteers.demo.seed"  # seed(*, users, say)
        demo_second_estate = "volunteers.demo.seed_second_estate"  # (*, estate, users, say)
        demo_unseed = "volunteers.demo.unseed"  # () removes what seed added (tests use it)
        demo_after = ("notices",)  # labels of apps whose demo must be there first

Apps are seeded in INSTALLED_APPS order, except that an app waits for those it names in
`demo_after` (a name not installed, or without a demo, is passed over); they are unseeded
in the reverse order.
"""

from __future__ import annotations

from collections.abc import Callable

from django.apps import AppConfig, apps
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

HOOKS = ("demo", "demo_second_estate", "demo_unseed")


def demo_apps() -> list[AppConfig]:
    """The installed apps that declare a demo, each after those named in its demo_after."""
    waiting = [
        config
        for config in apps.get_app_configs()
        if any(getattr(config, hook, None) for hook in HOOKS)
    ]
    labels = {config.label for config in waiting}
    ordered: list[AppConfig] = []
    done: set[str] = set()
    while waiting:
        ready = next(
            (
                config
                for config in waiting
                if (set(getattr(config, "demo_after", ())) & labels) <= done
            ),
            None,
        )
        if ready is None:
            raise ImproperlyConfigured(
                "The demo_after of these apps goes round in a circle: "
                + ", ".join(config.label for config in waiting)
            )
        ordered.append(ready)
        done.add(ready.label)
        waiting.remove(ready)
    return ordered


def demo_hooks(hook: str, *, reverse: bool = False) -> list[Callable[..., None]]:
    """The functions the apps name for `hook` (one of HOOKS), in seeding order."""
    configs = demo_apps()
    if reverse:
        configs.reverse()
    return [
        import_string(getattr(config, hook)) for config in configs if getattr(config, hook, None)
    ]
