"""seed_demo asks each installed app for its demo through its AppConfig: the core names
no app, and an app's demo waits for those it names in `demo_after`."""

import pytest
from django.apps import apps
from django.core.exceptions import ImproperlyConfigured

from covenant.demo.registry import demo_apps, demo_hooks


def labels() -> list[str]:
    return [config.label for config in demo_apps()]


def test_the_apps_with_a_demo_seed_in_installed_order_after_those_they_wait_for():
    # proposals waits for volunteers (priority work links their activities).
    assert labels() == ["volunteers", "proposals", "notices"]


def test_the_core_declares_no_demo_of_its_own():
    assert "covenant" not in labels()


def test_the_hooks_are_the_functions_each_app_names():
    from notices import demo as notices_demo
    from volunteers import demo as volunteers_demo

    seeds = demo_hooks("demo")
    assert seeds[0] is volunteers_demo.seed
    assert seeds[-1] is notices_demo.seed


def test_unseeding_runs_in_the_reverse_order_and_skips_apps_without_it():
    from volunteers import demo as volunteers_demo

    assert demo_hooks("demo_unseed", reverse=True)[-1] is volunteers_demo.unseed
    assert len(demo_hooks("demo_unseed")) == 2  # notices has nothing to unseed


def test_a_circle_of_demo_after_is_refused(monkeypatch):
    monkeypatch.setattr(
        apps.get_app_config("volunteers"), "demo_after", ("proposals",), raising=False
    )
    with pytest.raises(ImproperlyConfigured, match="circle"):
        demo_apps()
