import re
import subprocess
import sys

from django.conf import settings
from django.urls import reverse


def test_every_html_page_carries_a_csp_with_a_fresh_nonce(client, db):
    first = client.get(reverse("home"))["Content-Security-Policy"]
    second = client.get(reverse("home"))["Content-Security-Policy"]
    assert "script-src 'self' 'nonce-" in first
    assert "object-src 'none'" in first
    assert "frame-ancestors 'none'" in first
    assert first != second


def test_pages_have_no_inline_scripts_or_styles(client, resident):
    client.force_login(resident)
    html = client.get(reverse("home")).content.decode()
    for tag in re.findall(r"<script[^>]*>", html):
        assert "src=" in tag, tag
    assert "style=" not in html


def test_personal_pages_are_not_stored_by_caches(client, resident):
    client.force_login(resident)
    for name in ["home", "my_memberships", "profile"]:
        assert client.get(reverse(name))["Cache-Control"] == "private, no-store", name


def test_public_pages_for_visitors_are_not_marked_private(client, db):
    assert "private" not in client.get(reverse("privacy")).get("Cache-Control", "")


def test_production_cookies_are_host_bound_secure_and_http_only():
    code = (
        "import os; os.environ.update(DEBUG='false', SECRET_KEY='x'*60);"
        "from covenant import settings as s;"
        "print(s.SESSION_COOKIE_NAME, s.CSRF_COOKIE_NAME, s.SESSION_COOKIE_SECURE,"
        " s.CSRF_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY, s.SECURE_SSL_REDIRECT)"
    )
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(settings.BASE_DIR)}
    output = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    ).stdout.split()
    assert output == ["__Host-sessionid", "__Host-csrftoken", "True", "True", "True", "True"]


def test_production_refuses_to_start_without_a_secret_key():
    code = "import os; os.environ['DEBUG']='false'; from covenant import settings"
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(settings.BASE_DIR)}
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_the_admin_signs_in_through_allauth_with_its_rate_limits(client, admin_user):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    # Django admin's own password form is gone: posting to it signs nobody in.
    from tests.factories import PASSWORD

    client.post("/admin/login/", {"username": admin_user.email, "password": PASSWORD})
    assert "_auth_user_id" not in client.session


def test_a_community_admin_manages_the_estate_in_the_admin(client, admin_user):
    client.force_login(admin_user)
    assert client.get("/admin/covenant/building/").status_code == 200
    assert client.get("/admin/covenant/rolegrant/add/").status_code == 200


def test_staff_without_the_admin_role_cannot_grant_roles(client, db):
    from django.contrib.auth.models import Permission

    from tests.factories import UserFactory

    staff = UserFactory(is_staff=True)
    staff.user_permissions.add(
        *Permission.objects.filter(codename__in=["add_rolegrant", "view_membership"])
    )
    client.force_login(staff)
    assert client.get("/admin/covenant/rolegrant/add/").status_code == 403
    assert client.get("/admin/covenant/membership/").status_code == 403


def test_who_and_which_unit_of_a_membership_cannot_be_edited_in_the_admin(
    client, admin_user, join_request
):
    client.force_login(admin_user)
    html = client.get(f"/admin/covenant/membership/{join_request.pk}/change/").content.decode()
    assert 'name="household"' not in html
    assert 'name="user"' not in html


def test_account_pages_are_not_cached_even_before_sign_in(client, db):
    for path in [
        reverse("account_login"),
        reverse("account_signup"),
        reverse("account_reset_password"),
    ]:
        cache_control = client.get(path)["Cache-Control"]
        assert "private" in cache_control and "no-store" in cache_control, path


def test_the_health_probe_is_not_redirected_to_https(client, db, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    assert client.get(reverse("healthz")).status_code == 200
    assert client.get(reverse("home")).status_code == 301


def test_a_form_without_its_csrf_token_gets_the_sites_own_page(db):
    from django.test import Client

    response = Client(enforce_csrf_checks=True).post(reverse("set_language"), {"language": "en"})
    assert response.status_code == 403
    html = response.content.decode()
    assert "<style" not in html
    assert 'href="/"' in html or reverse("home") in html


def test_no_page_has_inline_scripts_or_styles(client, join_request, captain_3):
    client.force_login(captain_3)
    pages = [
        reverse("home"),
        reverse("membership_queue"),
        reverse("membership_detail", args=[join_request.pk]),
        reverse("join_household"),
        reverse("profile"),
        reverse("account_change_password"),
    ]
    client_anonymous = type(client)()
    anonymous_pages = [reverse("account_login"), reverse("account_signup"), reverse("privacy")]
    for page_client, paths in [(client, pages), (client_anonymous, anonymous_pages)]:
        for path in paths:
            html = page_client.get(path).content.decode()
            for tag in re.findall(r"<script[^>]*>", html):
                assert "src=" in tag, (path, tag)
            assert "<style" not in html and " style=" not in html, path
            assert not re.search(r"\son[a-z]+=", html), path
