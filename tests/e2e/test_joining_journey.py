"""The joining journey, end to end in headless Chromium.

A visitor signs up, confirms their email, asks to join unit 1201 of building 3, and the
captain of building 3 verifies them; the captain of building 5 never sees the request.

Elements are found by what stays stable while templates are restyled: input names, form
actions and link targets, never CSS classes or wording (the site speaks Chinese first).
"""

import re
from pathlib import Path

import pytest
from django.utils import translation
from playwright.sync_api import Page, expect

from covenant.models import Membership, User
from tests.factories import PASSWORD, HouseholdFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

EMAIL = "xiaochen@example.org"
NAME = "新住户小陈"
NEW_PASSWORD = "Lantern-harbour-7-quiet"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "e2e"  # git-ignored
HTMX_BUSY = ".htmx-request, .htmx-swapping, .htmx-settling, .htmx-added"
SIGNUP_CODE = re.compile(r"^([A-Z0-9]{4}-?[A-Z0-9]{4})$", re.MULTILINE)


def form_with(page: Page, selector: str):
    """The form that holds the given field: pages also carry the language switcher."""
    return page.locator("form").filter(has=page.locator(selector))


def shoot(page: Page, name: str):
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def sign_in(page: Page, email: str, password: str):
    page.goto("/accounts/login/")
    form = form_with(page, "input[name=login]")
    form.locator("input[name=login]").fill(email)
    form.locator("input[name=password]").fill(password)
    form.locator("button[type=submit]").click()
    page.wait_for_url(lambda url: "/accounts/login/" not in url)


def choose(page: Page, select_name: str, value: str, next_select: str):
    """Choose in one select, then wait for the next: htmx swaps it in, or press Next."""
    page.locator(f"select[name={select_name}]").select_option(value)
    if not page.evaluate("() => typeof window.htmx !== 'undefined'"):
        form_with(page, "select[name=building]").locator("button[type=submit][name=step]").click()
    expect(page.locator(f"select[name={next_select}]")).to_be_visible()
    expect(page.locator(f"select[name={select_name}]")).to_have_value(value)
    # htmx wires up swapped-in content only when it settles (20 ms later); a change made
    # before then is lost. Its state classes (not styling) are gone once it is idle.
    page.wait_for_function(f"() => !document.querySelector({HTMX_BUSY!r})")


def test_a_newcomer_signs_up_joins_and_is_verified_by_their_captain(
    new_context,
    live_server,
    mailoutbox,
    console_errors,
    building_3,
    unit_3_1201,
    unit_5_0802,
    captain_3,
    captain_5,
):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    # A neighbouring door on the same floor, so the unit is a real choice.
    HouseholdFactory(building=building_3, floor=12, unit="1202")

    # 1. A visitor signs up.
    newcomer_page = new_context().new_page()
    newcomer_page.goto("/accounts/signup/")
    signup = form_with(newcomer_page, "input[name=password2]")
    signup.locator("input[name=email]").fill(EMAIL)
    signup.locator("input[name=name]").fill(NAME)
    signup.locator("input[name=password1]").fill(NEW_PASSWORD)
    signup.locator("input[name=password2]").fill(NEW_PASSWORD)
    signup.locator("input[name=accept_privacy]").check()
    shoot(newcomer_page, "01-signup")
    signup.locator("button[type=submit]").click()
    newcomer_page.wait_for_url(lambda url: "/accounts/signup/" not in url)
    shoot(newcomer_page, "02-verification-sent")

    # 2. The mail, caught by the locmem backend, holds the code the open page asks for.
    assert len(mailoutbox) == 1, [message.subject for message in mailoutbox]
    assert mailoutbox[0].to == [EMAIL]
    code = SIGNUP_CODE.search(mailoutbox[0].body)
    assert code, mailoutbox[0].body
    verify = form_with(newcomer_page, "input[name=code]")
    verify.locator("input[name=code]").fill(code.group(1))
    verify.locator("button[type=submit]").click()
    newcomer_page.wait_for_url(lambda url: "/accounts/confirm-email/" not in url)
    if "/accounts/login/" in newcomer_page.url:
        sign_in(newcomer_page, EMAIL, NEW_PASSWORD)
    newcomer = User.objects.get(email=EMAIL)
    assert newcomer.name == NAME
    assert newcomer.emailaddress_set.get(email=EMAIL).verified
    assert newcomer.privacy_consent_at is not None
    shoot(newcomer_page, "03-confirmed")

    # 3. They ask to join building 3, floor 12, unit 1201 as its owner.
    newcomer_page.goto("/households/join/")
    choose(newcomer_page, "building", str(building_3.pk), next_select="floor")
    choose(newcomer_page, "floor", "12", next_select="household")
    newcomer_page.locator("select[name=household]").select_option(str(unit_3_1201.pk))
    newcomer_page.locator("input[name=relation][value=owner]").check()
    shoot(newcomer_page, "04-join")
    form_with(newcomer_page, "select[name=household]").locator("button[type=submit]").click()
    newcomer_page.wait_for_url("**/memberships/")

    membership = Membership.objects.get(user=newcomer, household=unit_3_1201)
    assert membership.status == Membership.Status.REQUESTED
    assert membership.relation == Membership.Relation.OWNER
    with translation.override(newcomer.preferred_language):
        awaiting = str(Membership.Status.REQUESTED.label)
    main = newcomer_page.locator("main")
    expect(main).to_contain_text("1201")
    expect(main).to_contain_text(awaiting)
    expect(
        newcomer_page.locator(f"form[action='/memberships/{membership.pk}/withdraw/']")
    ).to_be_visible()
    shoot(newcomer_page, "05-awaiting-verification")

    verify_form = f"form[action='/memberships/{membership.pk}/verify/']"

    # 4. While it waits, the captain of building 5 does not see a request for building 3.
    captain_5_page = new_context().new_page()
    sign_in(captain_5_page, captain_5.email, PASSWORD)
    captain_5_page.goto("/memberships/queue/")
    expect(captain_5_page.locator("main")).to_be_visible()
    expect(captain_5_page.locator(verify_form)).to_have_count(0)
    expect(captain_5_page.locator("body")).not_to_contain_text(NAME)
    shoot(captain_5_page, "06-captain-5-queue")

    # 5. The captain of building 3 signs in elsewhere and verifies the newcomer.
    captain_3_page = new_context().new_page()
    sign_in(captain_3_page, captain_3.email, PASSWORD)
    captain_3_page.goto("/memberships/queue/")
    expect(captain_3_page.locator(f"a[href='/memberships/{membership.pk}/']")).to_have_text(NAME)
    shoot(captain_3_page, "07-captain-3-queue")
    captain_3_page.locator(f"{verify_form} button[type=submit]").click()
    captain_3_page.wait_for_url("**/memberships/queue/")
    expect(captain_3_page.locator(verify_form)).to_have_count(0)
    shoot(captain_3_page, "08-captain-3-verified")

    # 6. The database and the newcomer's home page agree: they are verified.
    membership.refresh_from_db()
    assert membership.status == Membership.Status.VERIFIED
    assert membership.decided_by == captain_3
    assert membership.decided_at is not None

    with translation.override(newcomer.preferred_language):
        household, owner = str(unit_3_1201), str(Membership.Relation.OWNER.label)
    newcomer_page.goto("/")
    main = newcomer_page.locator("main")
    expect(main).to_contain_text(NAME)
    expect(main).to_contain_text("1201")
    expect(main).to_contain_text(household)
    expect(main).to_contain_text(owner)  # only the verified household list names the relation
    expect(main).not_to_contain_text(awaiting)
    shoot(newcomer_page, "09-home-verified")

    csp_errors = [error for error in console_errors if "Content Security Policy" in error]
    assert not csp_errors, "\n".join(csp_errors)
