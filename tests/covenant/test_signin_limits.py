"""Sign-in: one password hash per attempt, limits counted before hashing, in the
database (so they hold without Redis), that hit the attacker and not the neighbours."""

from datetime import timedelta

import pytest
from django.contrib.auth.hashers import MD5PasswordHasher, PBKDF2PasswordHasher
from django.urls import reverse
from django.utils import timezone, translation

from covenant import signin
from covenant.models import SignInThrottle
from tests.factories import PASSWORD, UserFactory

LOGIN = reverse("account_login")
WRONG = "not-the-password-1"


class CountingHasher(MD5PasswordHasher):
    """MD5 (fast) that counts every hash it computes: checks and dummy encodings."""

    calls = 0

    def encode(self, password, salt):
        type(self).calls += 1
        return super().encode(password, salt)


@pytest.fixture
def hashes(settings):
    settings.PASSWORD_HASHERS = ["tests.covenant.test_signin_limits.CountingHasher"]
    CountingHasher.calls = 0

    def count():
        counted, CountingHasher.calls = CountingHasher.calls, 0
        return counted

    return count


@pytest.fixture(autouse=True)
def _in_english(client, settings):
    """The messages are asserted in English (the catalogs translate them to Chinese)."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


def sign_in(client, email, password=WRONG, address="203.0.113.7", **extra):
    return client.post(LOGIN, {"login": email, "password": password}, REMOTE_ADDR=address, **extra)


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


# --- One hash per attempt -------------------------------------------------------------------


def test_a_wrong_password_is_hashed_once(client, resident, hashes):
    hashes()
    sign_in(client, resident.email)
    assert hashes() == 1
    assert not signed_in(client)


def test_the_right_password_is_hashed_once(client, resident, hashes):
    resident.set_password(PASSWORD)
    resident.save()
    hashes()
    sign_in(client, resident.email, PASSWORD)
    assert signed_in(client)
    assert hashes() == 1


def test_an_unknown_email_costs_one_dummy_hash_like_a_known_one(client, db, hashes):
    sign_in(client, "nobody@example.org")
    assert hashes() == 1


def test_an_old_pbkdf2_password_still_signs_in_and_is_upgraded_to_argon2(client, db, settings):
    settings.PASSWORD_HASHERS = [
        "covenant.signin.EstateArgon2PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    ]
    old = PBKDF2PasswordHasher()
    user = UserFactory(email="old@example.org")
    user.password = old.encode(PASSWORD, old.salt(), iterations=1000)
    user.save()
    sign_in(client, user.email, PASSWORD)
    assert signed_in(client)
    user.refresh_from_db()
    assert user.password.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")


# --- Per account: growing delays, and the owner's way in -------------------------------------


def test_after_five_wrong_passwords_the_account_is_refused_before_hashing(client, resident, hashes):
    for _ in range(5):
        sign_in(client, resident.email)
    assert hashes() == 5
    response = sign_in(client, resident.email, PASSWORD)
    assert hashes() == 0, "an attempt over the limit was hashed"
    assert not signed_in(client)
    assert response.status_code == 429
    assert "Too many failed sign-ins to this account" in response.content.decode()
    assert "code sent to your email" in response.content.decode()
    assert reverse("account_request_login_code") in response.content.decode()


def test_the_delay_doubles_with_each_further_failure(client, resident, settings):
    def locked_for():
        row = SignInThrottle.objects.get(key=signin.account_key(resident.email))
        return round((row.locked_until - row.last_failure_at).total_seconds())

    for _ in range(5):
        sign_in(client, resident.email)
    assert locked_for() == 60
    for expected in (120, 240):
        # The delay has passed: the next wrong password is checked, and costs more.
        SignInThrottle.objects.update(locked_until=timezone.now() - timedelta(seconds=1))
        sign_in(client, resident.email)
        assert locked_for() == expected


def test_the_owner_signs_in_with_a_code_by_email_while_the_account_is_locked(
    client, resident, mailoutbox
):
    for _ in range(6):
        sign_in(client, resident.email)
    response = client.post(reverse("account_request_login_code"), {"email": resident.email})
    assert response.status_code == 302
    code = next(
        line.strip()
        for line in mailoutbox[-1].body.splitlines()
        if line.strip() and line.strip().replace("-", "").isalnum() and len(line.strip()) <= 9
    )
    client.post(reverse("account_confirm_login_code"), {"code": code})
    assert signed_in(client)


def test_a_browser_the_owner_signed_in_on_is_not_locked_out_by_a_strangers_attack(
    client, resident, settings
):
    sign_in(client, resident.email, PASSWORD)  # the owner's phone, last week
    assert signed_in(client)
    device = client.cookies[signin.DEVICE_COOKIE].value
    client.logout()  # the test client forgets every cookie here; a phone keeps this one
    client.cookies[signin.DEVICE_COOKIE] = device
    attacker = type(client)()
    attacker.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    for _ in range(8):
        sign_in(attacker, resident.email, address="198.51.100.66")
    assert "Too many" in sign_in(attacker, resident.email, PASSWORD).content.decode()
    sign_in(client, resident.email, PASSWORD)
    assert signed_in(client)


def test_a_refusal_that_reaches_the_form_says_why(client, resident, rf):
    """Paths that skip the door (the admin's form, reauthentication) still refuse
    before hashing, and allauth's form says why."""
    for _ in range(5):
        sign_in(client, resident.email)
    from allauth.account.forms import LoginForm

    request = rf.post(LOGIN, REMOTE_ADDR="203.0.113.7")
    request.session = client.session
    form = LoginForm(data={"login": resident.email, "password": PASSWORD}, request=request)
    with translation.override("en"):
        assert not form.is_valid()
        assert "Too many failed sign-ins to this account" in str(form.errors)


def test_a_forged_device_cookie_is_not_trusted(client, resident):
    for _ in range(5):
        sign_in(client, resident.email)
    client.cookies[signin.DEVICE_COOKIE] = '["' + signin.account_key(resident.email) + '"]'
    sign_in(client, resident.email, PASSWORD)
    assert not signed_in(client)


def test_a_successful_sign_in_starts_the_accounts_count_again(client, resident):
    for _ in range(4):
        sign_in(client, resident.email)
    sign_in(client, resident.email, PASSWORD)
    assert signed_in(client)
    assert not SignInThrottle.objects.filter(key=signin.account_key(resident.email)).exists()


def test_a_password_reset_unlocks_the_account(client, resident):
    for _ in range(6):
        sign_in(client, resident.email)
    from allauth.account.signals import password_reset

    password_reset.send(sender=type(resident), request=None, user=resident)
    sign_in(client, resident.email, PASSWORD)
    assert signed_in(client)


def test_when_too_many_are_hashing_an_attempt_is_asked_to_retry_and_not_counted(
    client, resident, settings, hashes
):
    settings.SIGNIN_HASH_QUEUE = 0  # as if this process's hashing queue were full
    response = sign_in(client, resident.email, PASSWORD)
    assert response.status_code == 429
    assert response["Retry-After"] == "5"
    assert "Many people are signing in right now" in response.content.decode()
    assert hashes() == 0
    assert not SignInThrottle.objects.exists()
    settings.SIGNIN_HASH_QUEUE = 3
    sign_in(client, resident.email, PASSWORD)
    assert signed_in(client)


# --- Per address: failures only, high enough for a shared address -------------------------


def test_a_neighbour_behind_the_same_address_signs_in_after_a_few_strangers_failures(
    client, resident, db
):
    for number in range(15):
        sign_in(client, f"guess{number}@example.org")
    sign_in(client, resident.email, PASSWORD)
    assert signed_in(client)


def test_a_burst_from_one_address_pauses_it_for_a_minute_only(client, resident, hashes):
    for number in range(25):
        sign_in(client, f"guess{number}@example.org")
    assert hashes() == 20, "the 21st failure in a minute was hashed"
    assert sign_in(client, resident.email, PASSWORD).status_code == 429
    SignInThrottle.objects.filter(key__startswith="burst:").update(
        window_started_at=timezone.now() - timedelta(seconds=61),
        locked_until=timezone.now() - timedelta(seconds=1),
    )
    sign_in(client, resident.email, PASSWORD)
    assert signed_in(client)


def test_successful_sign_ins_do_not_count_against_the_address(client, resident, settings):
    settings.SIGNIN_ADDRESS_FAILURES = 3
    for _ in range(5):
        sign_in(client, resident.email, PASSWORD)
        assert signed_in(client)
        client.logout()
    assert SignInThrottle.objects.get(key__startswith="address:").failures == 0


def test_an_address_over_its_failure_limit_is_refused_before_hashing(
    client, resident, settings, hashes
):
    settings.SIGNIN_ADDRESS_FAILURES = 10
    settings.SIGNIN_ADDRESS_BURST_FAILURES = 50
    for number in range(10):
        sign_in(client, f"guess{number}@example.org")
    assert hashes() == 10
    response = sign_in(client, resident.email, PASSWORD)
    assert hashes() == 0
    assert not signed_in(client)
    assert "from your network" in response.content.decode()
    sign_in(client, resident.email, PASSWORD, address="198.51.100.23")
    assert signed_in(client)


def test_behind_a_trusted_proxy_each_client_has_its_own_address_count(client, resident, settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    settings.SIGNIN_ADDRESS_FAILURES = 10
    for number in range(10):
        sign_in(client, f"guess{number}@example.org", HTTP_X_FORWARDED_FOR="203.0.113.7")
    sign_in(client, resident.email, PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.7")
    assert not signed_in(client)
    sign_in(client, resident.email, PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.23")
    assert signed_in(client)


def test_without_a_trusted_proxy_a_forged_forwarded_header_changes_nothing(
    client, resident, settings
):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 0
    settings.SIGNIN_ADDRESS_FAILURES = 10
    for number in range(10):
        sign_in(client, f"guess{number}@example.org", HTTP_X_FORWARDED_FOR=f"192.0.2.{number}")
    sign_in(client, resident.email, PASSWORD, HTTP_X_FORWARDED_FOR="192.0.2.99")
    assert not signed_in(client)


def test_ipv6_clients_of_one_household_share_their_64(rf, settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 0
    one = rf.get("/", REMOTE_ADDR="2001:db8:1:2::10")
    other = rf.get("/", REMOTE_ADDR="2001:db8:1:2:aaaa::1")
    assert signin.client_address(one) == signin.client_address(other) == "2001:db8:1:2::"


# --- Limits hold without the cache ----------------------------------------------------------


def test_limits_hold_when_the_cache_is_unreachable(client, resident, settings, hashes):
    # Nothing listens on port 1: every cache call fails and is answered as a miss.
    settings.CACHES = {
        "default": {
            "BACKEND": "covenant.cache.ResilientRedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    for _ in range(15):
        sign_in(client, resident.email)
    assert hashes() == 5, "wrong passwords were tried without a limit while Redis was down"
    sign_in(client, resident.email, PASSWORD)
    assert not signed_in(client)


def test_old_counters_are_forgotten(db):
    old = timezone.now() - timedelta(days=2)
    SignInThrottle.objects.create(key="address:x", window_started_at=old, last_failure_at=old)
    SignInThrottle.objects.create(
        key="account:y", window_started_at=old, last_failure_at=timezone.now()
    )
    assert signin.forget_old_failures() == 1
    assert list(SignInThrottle.objects.values_list("key", flat=True)) == ["account:y"]
