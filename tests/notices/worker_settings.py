"""Settings of the Celery worker that the integration tests start: the project's, with
mail written to files slowly enough that a test can kill the worker mid-run."""

import os
import time

from django.core.mail.backends.filebased import EmailBackend

from covenant.settings import *  # noqa: F403


class SlowFileBackend(EmailBackend):
    """Django's file backend after a pause, like a slow mail server."""

    def send_messages(self, email_messages):
        time.sleep(float(os.environ.get("NOTICES_TEST_MAIL_DELAY", "0")))
        return super().send_messages(email_messages)


MAILERS = {
    "default": {
        "BACKEND": "tests.notices.worker_settings.SlowFileBackend",
        "OPTIONS": {"file_path": os.environ["NOTICES_TEST_MAIL_DIR"]},
    }
}
