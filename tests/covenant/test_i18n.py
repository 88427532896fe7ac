from django.urls import reverse

from tests.conftest import fresh

LANGUAGE = reverse("set_language")


def test_the_portal_speaks_simplified_chinese_by_default(client, db):
    response = client.get(reverse("home"), headers={"Accept-Language": "en-US,en;q=0.9"})
    assert response["Content-Language"] == "zh-hans"
    assert '<html lang="zh-Hans">' in response.content.decode()


def test_a_visitor_switches_to_english(client, db):
    response = client.post(LANGUAGE, {"language": "en", "next": "/privacy/"})
    assert response.status_code == 302
    assert response["Location"] == "/privacy/"
    page = client.get("/privacy/")
    assert page["Content-Language"] == "en"
    assert "Privacy notice" in page.content.decode()


def test_switching_back_to_chinese_shows_chinese(client, db):
    client.post(LANGUAGE, {"language": "en"})
    client.post(LANGUAGE, {"language": "zh-hans"})
    assert "隐私" in client.get("/privacy/").content.decode()


def test_a_signed_in_user_keeps_their_language_on_every_device(client, resident):
    client.force_login(resident)
    client.post(LANGUAGE, {"language": "en"})
    assert fresh(resident).preferred_language == "en"
    client.cookies.clear()
    client.force_login(resident)
    assert client.get(reverse("home"))["Content-Language"] == "en"


def test_an_unknown_language_changes_nothing(client, db):
    client.post(LANGUAGE, {"language": "xx"})
    assert client.get(reverse("home"))["Content-Language"] == "zh-hans"


def test_switching_never_redirects_to_another_site(client, db):
    response = client.post(LANGUAGE, {"language": "en", "next": "https://evil.example/"})
    assert response["Location"] == "/"


def test_switching_needs_a_post(client, db):
    assert client.get(LANGUAGE).status_code == 405
