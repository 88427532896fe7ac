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
