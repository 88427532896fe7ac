"""Photos and PDFs on announcements: photos re-encoded without location data by the
project's upload handling, PDFs checked and refused when they carry active content."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from notices import tasks
from notices.models import Announcement, Attachment
from tests.pdfs import PLAIN

NEW = reverse("notices:announcement_create")
PDF = PLAIN  # a one-page PDF (tests/pdfs.py); more of them in test_pdf_checks.py


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "quarantine": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "quarantine", "base_url": None},
        },
    }


def photo_with_gps(name="notice.jpg") -> SimpleUploadedFile:
    image = Image.new("RGB", (1200, 800), "red")
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (22.0, 15.0, 0.0)}  # GPSInfo: where the photo was taken
    exif[0x0112] = 6  # orientation: rotate 90°
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def _post(client, **files):
    data = {"title": "停水通知", "body": "周三停水", "audience": "estate", "publish_at": ""}
    return client.post(NEW, {**data, **files})


def test_a_photo_is_shown_re_encoded_without_location_and_upright(
    client, steward, resident, django_capture_on_commit_callbacks
):
    client.force_login(steward)
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(client, images=[photo_with_gps()])
    assert response.status_code == 302
    attachment = Attachment.objects.get()
    assert attachment.state == "ready"
    assert attachment.quarantined_name == ""
    with Image.open(attachment.file.path) as shown:
        assert shown.getexif() == {}
        assert shown.size == (800, 1200)  # the orientation was applied
    assert attachment.thumbnail
    client.force_login(resident)
    announcement = Announcement.objects.get()
    html = client.get(announcement.get_absolute_url()).content.decode()
    thumbnail_url = reverse("notices:attachment_thumbnail", args=[announcement.pk, attachment.pk])
    assert f'src="{thumbnail_url}"' in html
    assert "/media/" not in html


def test_a_photo_waiting_to_be_processed_is_not_shown(client, steward, resident):
    client.force_login(steward)
    _post(client, images=[photo_with_gps()])  # on-commit hooks never run here
    attachment = Attachment.objects.get()
    assert attachment.state == "processing"
    client.force_login(resident)
    response = client.get(Announcement.objects.get().get_absolute_url())
    assert response.context["attachments"] == []


def test_the_sweeper_processes_a_photo_the_broker_never_got(client, steward, settings):
    settings.NOTICES_SWEEP_AFTER_SECONDS = 0
    client.force_login(steward)
    _post(client, images=[photo_with_gps()])
    tasks.sweep_outbox(older_than_seconds=0)
    assert Attachment.objects.get().state == "ready"


def test_a_pdf_is_attached(client, steward):
    client.force_login(steward)
    response = _post(client, pdfs=[SimpleUploadedFile("通知.pdf", PDF, "application/pdf")])
    assert response.status_code == 302
    attachment = Attachment.objects.get()
    assert (attachment.kind, attachment.state, attachment.original_name) == (
        "pdf",
        "ready",
        "通知.pdf",
    )
    assert attachment.file.name.endswith(".pdf")
    assert "通知" not in attachment.file.name  # stored under a random name


@pytest.mark.parametrize(
    "content",
    [
        b"<html><script>alert(1)</script></html>",
        b"%PDF-1.4\nnever ends",
        PDF.replace(
            b"/Type /Catalog", b"/Type /Catalog /OpenAction << /S /JavaScript /JS (app.alert(1)) >>"
        ),
        PDF.replace(
            b"/Type /Catalog", b"/Type /Catalog /Names << /EmbeddedFiles 2 0 R >> /EmbeddedFile"
        ),
    ],
    ids=["html", "truncated", "javascript", "embedded-file"],
)
def test_a_pdf_that_is_not_one_or_carries_active_content_is_refused(client, steward, content):
    client.force_login(steward)
    response = _post(client, pdfs=[SimpleUploadedFile("x.pdf", content, "application/pdf")])
    assert response.status_code == 200
    assert "pdfs" in response.context["form"].errors
    assert not Announcement.objects.exists()


def test_a_file_that_is_not_an_image_is_refused_as_a_photo(client, steward):
    client.force_login(steward)
    response = _post(client, images=[SimpleUploadedFile("x.jpg", PDF, "image/jpeg")])
    assert "images" in response.context["form"].errors
    assert not Attachment.objects.exists()


def test_too_many_pdfs_are_refused(client, steward):
    client.force_login(steward)
    files = [SimpleUploadedFile(f"{n}.pdf", PDF, "application/pdf") for n in range(4)]
    response = _post(client, pdfs=files)
    assert "pdfs" in response.context["form"].errors
