from types import SimpleNamespace
from urllib.parse import urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.encoding import force_str
from django.utils.translation import gettext as _


def site_name() -> str:
    return settings.SITE_NAME or _("Covenant")


class AccountAdapter(DefaultAccountAdapter):
    def populate_username(self, request, user):
        # There is no username: people sign in with their email.
        return None

    def authentication_failed(self, request, **credentials):
        from covenant.signin import refusal_of

        refused = refusal_of(request)
        if refused is not None:
            # Say why, and how the owner gets in now, instead of "wrong password".
            raise ValidationError(refused.message(), code="too_many_login_attempts")

    def format_email_subject(self, subject: str) -> str:
        # 【Site name】 Subject: the estate's name, never the host the request came to.
        return _("【%(site_name)s】") % {"site_name": site_name()} + force_str(subject).strip()

    def send_mail(self, template_prefix, email, context):
        # allauth's mails say current_site.name / .domain, which without django.contrib.sites
        # is the request's host ("Hello from 127.0.0.1:8104!"). The site's name and its
        # public address (SITE_URL) instead.
        context.setdefault("site_name", site_name())
        context.setdefault("site_contact", settings.COVENANT_CONTACT)
        context["current_site"] = SimpleNamespace(
            name=site_name(), domain=urlsplit(settings.SITE_URL).netloc
        )
        return super().send_mail(template_prefix, email, context)
