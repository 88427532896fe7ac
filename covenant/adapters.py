from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.utils.translation import gettext as _


class AccountAdapter(DefaultAccountAdapter):
    def populate_username(self, request, user):
        # There is no username: people sign in with their email.
        return None

    def send_mail(self, template_prefix, email, context):
        context.setdefault("site_name", settings.SITE_NAME or _("Covenant"))
        return super().send_mail(template_prefix, email, context)
