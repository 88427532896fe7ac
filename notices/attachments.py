"""Attachments of announcements: photos through the project's safe upload handling
(covenant/uploads.py: validated, quarantined, re-encoded without metadata by a worker),
and PDFs checked here.

No PDF library is installed, and a PDF cannot be re-encoded without one, so a PDF is
checked for what a notice from the property office is (a PDF header, an end-of-file
marker, at most 10 MB) and refused if it carries active content: JavaScript, launch
actions, embedded files, rich media or XFA forms. It is stored under a random name.
"""

from __future__ import annotations

import logging
import re
import uuid

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from covenant.uploads import (
    MultipleFileInput,
    MultipleImageField,
    develop_quarantined_photo,
    store_in_quarantine,
)
from notices.models import Announcement, Attachment

logger = logging.getLogger(__name__)

MAX_PDF_BYTES = 10 * 1024 * 1024
MAX_PDFS = 3
MAX_IMAGES = 6
# Names of PDF features that run or carry something other than a document.
ACTIVE_CONTENT = re.compile(rb"/(JavaScript|JS|Launch|EmbeddedFile|RichMedia|XFA)\b")

__all__ = ["MAX_IMAGES", "MultipleImageField", "MultiplePdfField", "attach", "validate_pdf"]


def validate_pdf(upload: UploadedFile) -> None:
    name = upload.name or ""
    if upload.size is not None and upload.size > MAX_PDF_BYTES:
        raise ValidationError(
            _("%(name)s is %(size)s; PDF files may be at most 10 MB."),
            code="pdf_too_large",
            params={"name": name, "size": filesizeformat(upload.size)},
        )
    upload.seek(0)
    content = upload.read(MAX_PDF_BYTES + 1)
    upload.seek(0)
    if not re.match(rb"%PDF-[12]\.[0-9]", content[:16]) or b"%%EOF" not in content[-2048:]:
        raise ValidationError(
            _("%(name)s is not a complete PDF file."), code="not_a_pdf", params={"name": name}
        )
    if ACTIVE_CONTENT.search(content):
        raise ValidationError(
            _("%(name)s contains scripts or embedded files, which we do not accept."),
            code="pdf_active_content",
            params={"name": name},
        )


class MultiplePdfField(forms.FileField):
    def __init__(self, *args, max_files: int = MAX_PDFS, **kwargs):
        self.max_files = max_files
        kwargs.setdefault(
            "widget",
            MultipleFileInput(attrs={"accept": "application/pdf,.pdf", "multiple": True}),
        )
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = [f for f in (data if isinstance(data, list | tuple) else [data]) if f]
        if len(files) > self.max_files:
            raise ValidationError(
                ngettext(
                    "You can add at most %(count)d PDF file.",
                    "You can add at most %(count)d PDF files.",
                    self.max_files,
                ),
                code="too_many_pdfs",
                params={"count": self.max_files},
            )
        errors, cleaned = [], []
        for upload in files:
            try:
                cleaned.append(super().clean(upload, initial))
                validate_pdf(upload)
            except ValidationError as error:
                errors.extend(error.error_list)
        if errors:
            raise ValidationError(errors)
        return cleaned


def _original_name(upload: UploadedFile) -> str:
    return (upload.name or "file").rsplit("/", 1)[-1][:200]


def attach(*, announcement: Announcement, images=(), pdfs=()) -> list[Attachment]:
    """Store validated uploads: PDFs at once under a random name, photos in quarantine
    until a worker re-encodes them (after commit)."""
    created = []
    for upload in pdfs:
        attachment = Attachment(
            announcement=announcement,
            kind=Attachment.Kind.PDF,
            original_name=_original_name(upload),
            size=upload.size or 0,
            state=Attachment.State.READY,
        )
        upload.seek(0)
        attachment.file.save(f"{uuid.uuid4().hex}.pdf", upload, save=False)
        attachment.save()
        created.append(attachment)
    for upload in images:
        attachment = Attachment.objects.create(
            announcement=announcement,
            kind=Attachment.Kind.IMAGE,
            original_name=_original_name(upload),
            size=upload.size or 0,
            quarantined_name=store_in_quarantine(upload, folder="announcements"),
        )
        transaction.on_commit(lambda pk=attachment.pk: _enqueue_processing(pk))
        created.append(attachment)
    return created


def _enqueue_processing(attachment_id: int) -> None:
    from notices import tasks

    try:
        tasks.process_attachment.delay(attachment_id)
    except tasks.BROKER_ERRORS:
        logger.warning("broker unreachable: the sweeper processes attachment %s", attachment_id)
        tasks.broker_missed()


def process(attachment_id: int) -> str:
    """Re-encode a quarantined photo into the shown image and its thumbnail."""
    state = develop_quarantined_photo(Attachment, attachment_id, image_field="file")
    if state == Attachment.State.READY:
        # The size shown beside the link is the re-encoded file's.
        attachment = Attachment.objects.get(pk=attachment_id)
        Attachment.objects.filter(pk=attachment_id).update(size=attachment.file.size)
    return state
