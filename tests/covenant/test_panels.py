from covenant import panels


def test_collect_returns_the_panels_of_a_slot_most_pressing_first_and_skips_none(monkeypatch):
    monkeypatch.setattr(panels, "_providers", {})
    panels.register("page", lambda **kw: panels.Panel("b.html", {"n": kw["n"]}, order=50))
    panels.register("page", lambda **kw: None)
    panels.register("page", lambda **kw: panels.Panel("a.html", order=10))

    collected = panels.collect("page", n=3)

    assert [panel.template for panel in collected] == ["a.html", "b.html"]
    assert collected[1].context == {"n": 3}


def test_registering_the_same_provider_twice_keeps_one(monkeypatch):
    monkeypatch.setattr(panels, "_providers", {})

    def provider(**kw):
        return panels.Panel("a.html")

    panels.register("page", provider)
    panels.register("page", provider)

    assert len(panels.collect("page")) == 1
    assert panels.collect("elsewhere") == []
