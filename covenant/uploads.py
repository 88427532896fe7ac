"""Safe handling of uploaded images, shared by every app that accepts them.

An upload is checked twice: in the form, where Pillow must recognise the real content (not the
file name) as JPEG, PNG or WebP within the size and pixel limits; and in a worker, which
decodes it fully, applies the EXIF orientation and re-encodes it without any metadata (no EXIF,
no GPS). Until then the file sits in the `quarantine` storage, which is never served.
"""

from __future__ import annotations

import io
import logging
import uuid
from dataclasses import dataclass

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from PIL import Image, ImageOps, UnidentifiedImageError

logger = logging.getLogger(__name__)

MAX_IMAGE_BYTES = 10 * 1024 * 1024
MAX_IMAGE_PIXELS = 40_000_000
# MPO is how Pillow names the multi-picture JPEGs many phones take: a JPEG all the same.
ACCEPTED_IMAGE_FORMATS = {"JPEG", "MPO", "PNG", "WEBP"}
ACCEPT_ATTRIBUTE = "image/jpeg,image/png,image/webp"

LARGE_SIDE = 1600
THUMBNAIL_SIDE = 480


def quarantine():
    return storages["quarantine"]


def validate_image(upload: UploadedFile) -> None:
    """Refuse anything that is not a JPEG, PNG or WebP image within the limits.

    The header is read without decoding the pixels, so a decompression bomb is refused
    before it can take any memory; the full decode happens in `reencode_image`.
    """
    name = upload.name or ""
    if upload.size is not None and upload.size > MAX_IMAGE_BYTES:
        raise ValidationError(
            _("%(name)s is %(size)s; photos may be at most 10 MB."),
            code="image_too_large",
            params={"name": name, "size": filesizeformat(upload.size)},
        )
    try:
        upload.seek(0)
        with Image.open(upload) as image:
            image_format = image.format
            width, height = image.size
    except Image.DecompressionBombError:
        raise _too_many_pixels(name) from None
    except (UnidentifiedImageError, OSError, SyntaxError):
        raise ValidationError(
            _("%(name)s is not a photo we can read. Please choose a JPEG, PNG or WebP image."),
            code="not_an_image",
            params={"name": name},
        ) from None
    finally:
        upload.seek(0)
    if image_format not in ACCEPTED_IMAGE_FORMATS:
        raise ValidationError(
            _("%(name)s is a %(format)s file. Please choose a JPEG, PNG or WebP image."),
            code="unsupported_image_format",
            params={"name": name, "format": image_format},
        )
    if width * height > MAX_IMAGE_PIXELS:
        raise _too_many_pixels(name)
    _check_it_decodes(upload, name)


def _too_many_pixels(name: str) -> ValidationError:
    return ValidationError(
        _("%(name)s has too many pixels; photos may have at most 40 million pixels."),
        code="image_too_many_pixels",
        params={"name": name},
    )


def _check_it_decodes(upload: UploadedFile, name: str) -> None:
    # A truncated or corrupt file passes the header check; decoding it is the only proof.
    try:
        with Image.open(upload) as image:
            image.load()
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise ValidationError(
            _("%(name)s is damaged or incomplete. Please choose the photo again."),
            code="damaged_image",
            params={"name": name},
        ) from None
    finally:
        upload.seek(0)


@dataclass(frozen=True)
class EncodedImage:
    content: ContentFile
    width: int
    height: int


def reencode_image(source, *, max_side: int) -> EncodedImage:
    """A clean copy: orientation applied, at most `max_side` pixels a side, no metadata.

    Images with transparency become PNG, all others JPEG.
    """
    with Image.open(source) as original:
        if original.width * original.height > MAX_IMAGE_PIXELS:
            raise ValueError("image has too many pixels")
        image = ImageOps.exif_transpose(original)
        image.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
        has_alpha = image.mode in {"RGBA", "LA", "PA"} or "transparency" in image.info
        buffer = io.BytesIO()
        if has_alpha:
            image.convert("RGBA").save(buffer, format="PNG", optimize=True)
            extension = "png"
        else:
            image.convert("RGB").save(buffer, format="JPEG", quality=85, optimize=True)
            extension = "jpg"
    return EncodedImage(
        content=ContentFile(buffer.getvalue(), name=f"{uuid.uuid4().hex}.{extension}"),
        width=image.width,
        height=image.height,
    )


def develop_quarantined_photo(model, pk: int, *, image_field: str = "image") -> str:
    """Re-encode one quarantined upload of `model` into its shown image and thumbnail.

    `model` has a `State` (PROCESSING, READY, FAILED), `state`, `quarantined_name`,
    the image field named `image_field` and `thumbnail`. Idempotent: a row no longer
    processing (a repeated task) is left alone. Returns the row's state.
    """
    with transaction.atomic():
        item = model.objects.select_for_update().filter(pk=pk, state=model.State.PROCESSING).first()
        if item is None:
            return "nothing to do"
        storage = quarantine()
        try:
            with storage.open(item.quarantined_name) as source:
                large = reencode_image(source, max_side=LARGE_SIDE)
                source.seek(0)
                thumbnail = reencode_image(source, max_side=THUMBNAIL_SIDE)
        except Exception:
            logger.exception("%s %s could not be processed", model.__name__, pk)
            item.state = model.State.FAILED
        else:
            getattr(item, image_field).save(large.content.name, large.content, save=False)
            item.thumbnail.save(thumbnail.content.name, thumbnail.content, save=False)
            item.state = model.State.READY
        name, item.quarantined_name = item.quarantined_name, ""
        item.save()
    storage.delete(name)
    return item.state


def store_in_quarantine(upload: UploadedFile, *, folder: str) -> str:
    """Keep a validated upload out of reach until a worker re-encodes it; returns its name."""
    upload.seek(0)
    return quarantine().save(f"{folder}/{uuid.uuid4().hex}", upload)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleImageField(forms.FileField):
    """Several photos in one input, each checked by `validate_image`."""

    def __init__(self, *args, max_files: int = 6, **kwargs):
        self.max_files = max_files
        kwargs.setdefault(
            "widget", MultipleFileInput(attrs={"accept": ACCEPT_ATTRIBUTE, "multiple": True})
        )
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = [f for f in (data if isinstance(data, list | tuple) else [data]) if f]
        if len(files) > self.max_files:
            raise ValidationError(
                ngettext(
                    "You can add at most %(count)d photo.",
                    "You can add at most %(count)d photos.",
                    self.max_files,
                ),
                code="too_many_images",
                params={"count": self.max_files},
            )
        errors = []
        cleaned = []
        for upload in files:
            try:
                cleaned.append(super().clean(upload, initial))
                validate_image(upload)
            except ValidationError as error:
                errors.extend(error.error_list)
        if errors:
            raise ValidationError(errors)
        if self.required and not cleaned:
            raise ValidationError(self.error_messages["required"], code="required")
        return cleaned
