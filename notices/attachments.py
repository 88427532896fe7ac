"""Attachments of announcements: photos through the project's safe upload handling
(covenant/uploads.py: validated, quarantined, re-encoded without metadata by a worker),
and PDFs checked here.

A PDF is parsed by pypdf and every object it holds is walked, including those packed in
compressed object streams, after the parser has decoded names (`/J#61vaScript` is
`/JavaScript`) and streams. It is refused if anything in it can run or carry something
other than the document: JavaScript, launch, form-submit or import actions, actions on
events (/AA), embedded files, rich media, XFA forms. Links to web pages and jumps inside
the document stay. It is stored under a random name; its name is sanitised.
"""

from __future__ import annotations

import io
import logging
import re
import unicodedata
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
from notices import dispatch
from notices.models import Announcement, Attachment

logger = logging.getLogger(__name__)

MAX_PDF_BYTES = 10 * 1024 * 1024
MAX_PDFS = 3
MAX_IMAGES = 6
MAX_PDF_OBJECTS = 200_000
# Keys whose presence alone carries active content or a file.
ACTIVE_KEYS = frozenset(
    {"/JS", "/JavaScript", "/AA", "/EmbeddedFile", "/EmbeddedFiles", "/EF", "/RichMedia", "/XFA"}
)
# Action types (/S) that run something, send something or open another file.
ACTIVE_ACTIONS = frozenset(
    {
        "/JavaScript",
        "/Launch",
        "/SubmitForm",
        "/ImportData",
        "/ResetForm",
        "/GoToE",
        "/GoToR",
        "/RichMediaExecute",
        "/Rendition",
        "/Movie",
        "/Sound",
    }
)
ACTIVE_TYPES = frozenset({"/EmbeddedFile", "/Filespec", "/RichMedia"})

__all__ = [
    "MAX_IMAGES",
    "MultipleImageField",
    "MultiplePdfField",
    "attach",
    "safe_filename",
    "validate_pdf",
]


class NotAPdf(Exception):
    pass


class EncryptedPdf(NotAPdf):
    """Locked with a password: its objects cannot be read, so they cannot be checked."""


def active_content(content: bytes) -> list[str]:
    """What in this PDF could run or carry another file (empty if nothing), found by
    walking every object the parser can reach. Raises NotAPdf when it cannot be read."""
    import pypdf
    from pypdf.errors import PdfReadError
    from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject

    try:
        reader = pypdf.PdfReader(io.BytesIO(content), strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            raise EncryptedPdf("encrypted")
        numbers = {num for table in reader.xref.values() for num in table}
        numbers |= set(reader.xref_objStm)
        if len(numbers) > MAX_PDF_OBJECTS:
            raise NotAPdf("too many objects")
        found: set[str] = set()
        seen: set[int] = set()
        pending = [reader.trailer, *(IndirectObject(n, 0, reader) for n in sorted(numbers))]
        # Indirect references reached from the trailer (a repaired file) are walked too.
        while pending:
            item = pending.pop()
            if isinstance(item, IndirectObject):
                if item.idnum in seen:
                    continue
                seen.add(item.idnum)
                item = reader.get_object(item)
            if isinstance(item, DictionaryObject):
                for key, value in item.items():
                    if key in ACTIVE_KEYS:
                        found.add(key)
                    pending.append(value)
                if item.get("/S") in ACTIVE_ACTIONS:
                    found.add(str(item["/S"]))
                if item.get("/Type") in ACTIVE_TYPES:
                    found.add(str(item["/Type"]))
            elif isinstance(item, ArrayObject):
                pending.extend(item)
        if not reader.pages:
            raise NotAPdf("no pages")
    except NotAPdf:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, RecursionError) as e:
        raise NotAPdf(str(e)) from e
    except Exception as e:  # pypdf raises many kinds on a malformed file
        logger.info("a PDF could not be parsed: %r", e)
        raise NotAPdf(str(e)) from e
    return sorted(found)


def validate_pdf(upload: UploadedFile) -> None:
    name = safe_filename(upload.name or "")
    if upload.size is not None and upload.size > MAX_PDF_BYTES:
        raise ValidationError(
            _("%(name)s is %(size)s; PDF files may be at most 10 MB."),
            code="pdf_too_large",
            params={"name": name, "size": filesizeformat(upload.size)},
        )
    upload.seek(0)
    content = upload.read(MAX_PDF_BYTES + 1)
    upload.seek(0)
    incomplete = ValidationError(
        _("%(name)s is not a complete PDF file."), code="not_a_pdf", params={"name": name}
    )
    if not re.match(rb"%PDF-[12]\.[0-9]", content[:16]) or b"%%EOF" not in content[-2048:]:
        raise incomplete
    try:
        found = active_content(content)
    except EncryptedPdf:
        raise ValidationError(
            _("%(name)s is locked with a password; attach it without one."),
            code="pdf_encrypted",
            params={"name": name},
        ) from None
    except NotAPdf:
        raise incomplete from None
    if found:
        logger.warning("PDF %r refused: %s", name, ", ".join(found))
        raise ValidationError(
            _("%(name)s contains scripts or embedded files, which we do not accept."),
            code="pdf_active_content",
            params={"name": name},
        )


def safe_filename(name: str, *, default: str = "file") -> str:
    """A file name fit to show and to send in Content-Disposition: no folders, no
    control or markup characters, at most 120 characters; Chinese is kept."""
    name = unicodedata.normalize("NFC", name.replace("\\", "/").rsplit("/", 1)[-1])
    kept = "".join(
        char
        if (
            (char.isalnum() or char in " -_.()（）·，、")
            and unicodedata.category(char)[0] not in "CZ"
        )
        or char == " "
        else "_"
        for char in name
    )
    kept = re.sub(r"_+", "_", re.sub(r"\s+", " ", kept)).strip(" ._")
    if "." in kept:
        stem, suffix = kept.rsplit(".", 1)
        stem = stem.strip(" ._")[: 120 - len(suffix) - 1] or default
        return f"{stem}.{suffix[:10]}"
    return kept[:120] or default


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
    return safe_filename(upload.name or "file")


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
        transaction.on_commit(
            lambda pk=attachment.pk: dispatch.enqueue_one(dispatch.PROCESS_ATTACHMENT, pk)
        )
        created.append(attachment)
    return created


def process(attachment_id: int) -> str:
    """Re-encode a quarantined photo into the shown image and its thumbnail."""
    state = develop_quarantined_photo(Attachment, attachment_id, image_field="file")
    if state == Attachment.State.READY:
        # The size shown beside the link is the re-encoded file's.
        attachment = Attachment.objects.get(pk=attachment_id)
        Attachment.objects.filter(pk=attachment_id).update(size=attachment.file.size)
    return state
