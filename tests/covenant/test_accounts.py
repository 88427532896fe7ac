"""Sign-up with consent, email confirmation, and no account enumeration."""

import re

from allauth.account.models import EmailAddress
from django.urls import reverse

from covenant.models import User
from tests.factories import PASSWORD

SIGNUP = reverse("account_signup")
LOGIN = reverse("account_login")
RESET = reverse("account_reset_password")
VERIFY = reverse("account_email_verification_sent")


def code_in(message) -> str:
    """The sign-up code: the line of the mail that holds only it."""
    match = re.search(r"^([A-Z0-9]{4}-?[A-Z0-9]{4})$", message.body, re.MULTILINE)
    assert match, message.body
    return match.group(1)


def signup_data(**overrides):
    data = {
        "email": "xiaochen@example.org",
        "name": "小陈",
        "password1": "a-long-pass-phrase-42",
        "password2": "a-long-pass-phrase-42",
        "accept_privacy": "on",
    }
    data.update(overrides)
    return data


def test_sign_up_records_the_name_and_the_consent_and_sends_a_confirmation(client, db, mailoutbox):
    response = client.post(SIGNUP, signup_data())
    assert response.status_code == 302
    user = User.objects.get(email="xiaochen@example.org")
    assert user.name == "小陈"
    assert user.privacy_consent_at is not None
    assert user.preferred_language == "zh-hans"
    assert not EmailAddress.objects.get(user=user).verified
    assert len(mailoutbox) == 1
    assert code_in(mailoutbox[0])


def test_sign_up_without_consent_is_refused_and_keeps_what_was_typed(client, db, mailoutbox):
    response = client.post(SIGNUP, signup_data(accept_privacy=""))
    assert response.status_code == 200
    assert "accept_privacy" in response.context["form"].errors
    html = response.content.decode()
    assert "xiaochen@example.org" in html
    assert "小陈" in html
    assert not User.objects.exists()
    assert mailoutbox == []


def test_sign_up_needs_a_display_name(client, db):
    response = client.post(SIGNUP, signup_data(name=""))
    assert "name" in response.context["form"].errors
    assert not User.objects.exists()


def test_the_sign_up_page_links_to_the_privacy_notice(client, db):
    assert reverse("privacy") in client.get(SIGNUP).content.decode()


def test_an_unconfirmed_user_cannot_sign_in_yet(client, db, mailoutbox, settings):
    # Signing in sends a fresh code, which the per-address mail limit would refuse this soon.
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "confirm_email": ""}
    client.post(SIGNUP, signup_data())
    client.logout()
    response = client.post(
        LOGIN, {"login": "xiaochen@example.org", "password": "a-long-pass-phrase-42"}
    )
    assert response.status_code == 302
    assert "confirm-email" in response["Location"]
    assert "_auth_user_id" not in client.session


def test_confirming_the_email_signs_the_user_in(client, db, mailoutbox):
    client.post(SIGNUP, signup_data())
    response = client.post(VERIFY, {"code": code_in(mailoutbox[0])})
    assert response.status_code == 302
    assert EmailAddress.objects.get(email="xiaochen@example.org").verified
    assert client.session.get("_auth_user_id")


def test_signing_up_with_a_taken_email_looks_the_same_as_a_new_one(client, resident, mailoutbox):
    taken = client.post(SIGNUP, signup_data(email=resident.email))
    client.logout()
    fresh = client.post(SIGNUP, signup_data(email="somebody-new@example.org"))
    assert taken.status_code == fresh.status_code == 302
    assert taken["Location"] == fresh["Location"]
    # The owner of the taken address is told by mail, not the person at the keyboard.
    assert {message.to[0] for message in mailoutbox} == {resident.email, "somebody-new@example.org"}
    assert User.objects.filter(email=resident.email).count() == 1


def test_password_reset_answers_the_same_for_known_and_unknown_addresses(
    client, resident, mailoutbox
):
    known = client.post(RESET, {"email": resident.email})
    unknown = client.post(RESET, {"email": "nobody@example.org"})
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]


def test_a_wrong_password_does_not_reveal_whether_the_account_exists(client, resident):
    wrong_password = client.post(LOGIN, {"login": resident.email, "password": "nope-nope-nope"})
    no_account = client.post(LOGIN, {"login": "nobody@example.org", "password": "nope-nope-nope"})
    assert (
        wrong_password.context["form"].non_field_errors()
        == no_account.context["form"].non_field_errors()
    )


def test_a_resident_signs_in_with_email_and_password(client, resident):
    response = client.post(LOGIN, {"login": resident.email, "password": PASSWORD})
    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == resident.pk


def _fail_login(client, email, ip):
    return client.post(
        LOGIN, {"login": email, "password": "wrong-password"}, headers={"X-Forwarded-For": ip}
    )


def test_repeated_failed_logins_for_one_account_are_rate_limited(client, resident):
    for _ in range(5):
        _fail_login(client, resident.email, "203.0.113.7")
    response = client.post(LOGIN, {"login": resident.email, "password": PASSWORD})
    assert "_auth_user_id" not in client.session
    assert response.status_code in (200, 429)


def test_people_behind_one_proxy_do_not_share_a_rate_limit_bucket(client, resident, settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    settings.SIGNIN_ADDRESS_FAILURES = 10
    for number in range(10):
        _fail_login(client, f"guess{number}@example.org", "203.0.113.7")
    correct = {"login": resident.email, "password": PASSWORD}
    from_the_guesser = client.post(LOGIN, correct, headers={"X-Forwarded-For": "203.0.113.7"})
    assert from_the_guesser.status_code == 429
    assert "_auth_user_id" not in client.session
    from_a_neighbour = client.post(LOGIN, correct, headers={"X-Forwarded-For": "198.51.100.23"})
    assert from_a_neighbour.status_code == 302
    assert int(client.session["_auth_user_id"]) == resident.pk


def test_without_a_trusted_proxy_the_forwarded_header_is_ignored(client, resident, settings):
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 0
    settings.SIGNIN_ADDRESS_FAILURES = 10
    for number in range(10):
        _fail_login(client, f"guess{number}@example.org", f"198.51.100.{number}")
    correct = {"login": resident.email, "password": PASSWORD}
    client.post(LOGIN, correct, headers={"X-Forwarded-For": "192.0.2.99"})
    assert "_auth_user_id" not in client.session


def test_the_mail_speaks_in_the_sites_name_and_never_names_the_host(client, db, mailoutbox):
    client.post(SIGNUP, signup_data(), HTTP_HOST="127.0.0.1")
    message = mailoutbox[0]
    assert message.subject.startswith("【")
    assert "127.0.0.1" not in message.subject + message.body
    assert "Covenant" in message.subject or "共建共治共享" in message.subject


def test_the_mail_and_the_page_name_the_contact_from_settings(client, db, mailoutbox, settings):
    settings.COVENANT_CONTACT = "物业服务中心 0750-5500000"
    client.post(SIGNUP, signup_data())
    assert "0750-5500000" in mailoutbox[0].body
    assert "0750-5500000" in client.get(VERIFY).content.decode()


def test_without_a_contact_the_page_points_to_the_captains(client, db, mailoutbox, settings):
    settings.COVENANT_CONTACT = ""
    client.post(SIGNUP, signup_data())
    page = client.get(VERIFY).content.decode()
    assert "楼长" in page  # "ask your building captain or the property service centre"


def test_the_check_your_mail_page_sends_the_code_again(client, db, mailoutbox, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "confirm_email": ""}
    client.post(SIGNUP, signup_data())
    page = client.get(VERIFY).content.decode()
    assert 'name="action" value="resend"' in page
    response = client.post(VERIFY, {"action": "resend"})
    assert response.status_code == 302
    assert len(mailoutbox) == 2
    assert code_in(mailoutbox[1]) != code_in(mailoutbox[0])
    # The new code works.
    client.post(VERIFY, {"code": code_in(mailoutbox[1])})
    assert EmailAddress.objects.get(email="xiaochen@example.org").verified


def test_the_check_your_mail_page_corrects_a_mistyped_address(client, db, mailoutbox, settings):
    settings.ACCOUNT_RATE_LIMITS = {**settings.ACCOUNT_RATE_LIMITS, "confirm_email": ""}
    client.post(SIGNUP, signup_data(email="xiaochen@exmaple.org"))
    assert 'value="change"' in client.get(VERIFY).content.decode()
    response = client.post(VERIFY, {"action": "change", "email": "xiaochen@example.org"})
    assert response.status_code == 302
    assert mailoutbox[-1].to == ["xiaochen@example.org"]
    client.post(VERIFY, {"code": code_in(mailoutbox[-1])})
    user = User.objects.get()
    assert user.email == "xiaochen@example.org"
    assert EmailAddress.objects.get(user=user, email="xiaochen@example.org").verified


def test_the_check_your_mail_page_is_only_for_someone_signing_up(client, db):
    response = client.get(VERIFY)
    # Nobody is signing up in this browser: allauth sends them to sign in.
    assert response.status_code in (200, 302)
    assert 'value="resend"' not in response.content.decode()
