from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


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

    def send_mail(self, template_prefix, email, context):
        context.setdefault("site_name", settings.SITE_NAME or _("Covenant"))
        return super().send_mail(template_prefix, email, context)
