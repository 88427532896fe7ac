"""Background work of the volunteers area."""

import logging

from celery import shared_task
from django.db import transaction
from django.utils import timezone

from volunteers import notifications, selectors, services
from volunteers.models import SignUp

logger = logging.getLogger(__name__)


@shared_task
def send_due_reminders() -> int:
    """Every few minutes (celery beat): claim and send the 24-hour reminders that are due.

    Idempotent: each sign-up is claimed with a conditional update, so a reminder goes
    out at most once even when two workers run this at the same time.
    """
    now = timezone.now()
    sent = 0
    for signup_id in selectors.signups_due_reminder(now=now).values_list("pk", flat=True):
        # The claim and the notification commit together: a failure un-claims it.
        with transaction.atomic():
            if services.mark_reminded(signup_id=signup_id, now=now):
                signup = SignUp.objects.select_related("activity").get(pk=signup_id)
                notifications.tell_reminder(signup=signup)
                sent += 1
                logger.info("24-hour reminder for sign-up %s", signup_id)
    return sent
