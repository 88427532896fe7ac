"""Attachments are private files: only those who may read the announcement get them,
through a view that checks, never from MEDIA_URL."""

import io
from pathlib import Path

import pytest
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from PIL import Image

from notices import services
from notices.models import Audience
from notices.storage import private_storage
from tests.conftest import PERSONAS, fresh

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


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


def photo() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (900, 600), "blue").save(buffer, format="PNG")
    return SimpleUploadedFile("楼道照片.png", buffer.getvalue(), content_type="image/png")


def pdf() -> SimpleUploadedFile:
    return SimpleUploadedFile("电梯检修通知.pdf", PDF, "application/pdf")


@pytest.fixture
def with_files(
    community, captain_3, building_3, resident, neighbour, django_capture_on_commit_callbacks
):
    """Captain 3's building-3 announcement with a processed photo and a PDF."""
    with django_capture_on_commit_callbacks(execute=True):
        announcement = services.publish(
            community=community,
            author=captain_3,
            title="3栋电梯停运通知",
            body="见附件。",
            audience=Audience.BUILDINGS,
            buildings=[building_3],
            images=[photo()],
            pdfs=[pdf()],
        )
    return announcement


def url(attachment, variant=""):
    name = "notices:attachment_thumbnail" if variant == "thumbnail" else "notices:attachment"
    return reverse(name, args=[attachment.announcement_id, attachment.pk])


def the_pdf(announcement):
    return announcement.attachments.get(kind="pdf")


def the_photo(announcement):
    return announcement.attachments.get(kind="image")


def body_of(response) -> bytes:
    return b"".join(response.streaming_content)


# Building 3's announcement is read by building 3 and those who read every announcement.
READERS_OF_BUILDING_3 = {"resident", "captain_3", "steward", "party_member", "admin_user"}


@pytest.mark.parametrize("name", PERSONAS)
def test_a_pdf_of_a_building_announcement_is_for_its_audience_only(
    client, persona, name, with_files
):
    user = persona(name)
    if user.is_authenticated:
        client.force_login(user)
    response = client.get(url(the_pdf(with_files)))
    if name == "visitor":
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))
    elif name in READERS_OF_BUILDING_3:
        assert response.status_code == 200
        assert body_of(response) == PDF
    else:
        assert response.status_code == 403


@pytest.mark.parametrize("name", PERSONAS)
def test_the_file_permission_agrees_with_the_page_for_every_persona(
    client, persona, name, with_files
):
    user = persona(name)
    if user.is_authenticated:
        client.force_login(user)
    page = client.get(with_files.get_absolute_url()).status_code
    for variant in ("", "thumbnail"):
        assert client.get(url(the_photo(with_files), variant)).status_code == page


def test_a_pdf_is_downloaded_with_its_name_and_safe_headers(client, with_files, resident):
    client.force_login(resident)
    response = client.get(url(the_pdf(with_files)))
    assert response["Content-Type"] == "application/pdf"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "filename*=utf-8''%E7%94%B5%E6%A2%AF" in disposition  # 电梯…
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "private" in response["Cache-Control"]
    assert "public" not in response["Cache-Control"]


def test_a_photo_and_its_thumbnail_are_shown_inline(client, with_files, resident):
    client.force_login(resident)
    attachment = the_photo(with_files)
    for variant in ("", "thumbnail"):
        response = client.get(url(attachment, variant))
        assert response.status_code == 200
        content_type = response["Content-Type"]
        assert content_type in {"image/jpeg", "image/png", "image/webp"}
        assert response["Content-Disposition"].startswith("inline;")
        assert response["X-Content-Type-Options"] == "nosniff"
        with Image.open(io.BytesIO(body_of(response))) as image:
            assert Image.MIME[image.format] == content_type
    assert body_of(client.get(url(attachment, "thumbnail"))) != body_of(client.get(url(attachment)))


def test_the_files_are_outside_media_root(with_files, settings):
    for attachment in with_files.attachments.all():
        path = Path(attachment.file.path)
        assert Path(settings.NOTICES_PRIVATE_ROOT) in path.parents
        assert Path(settings.MEDIA_ROOT) not in path.parents
        assert not storages["default"].exists(attachment.file.name)


def test_the_page_links_the_files_through_the_view_not_media_url(client, with_files, resident):
    client.force_login(resident)
    html = client.get(with_files.get_absolute_url()).content.decode()
    assert f'href="{url(the_pdf(with_files))}"' in html
    assert f'src="{url(the_photo(with_files), "thumbnail")}"' in html
    assert "/media/" not in html


def test_a_public_announcements_files_are_for_visitors_too(
    community, client, admin_user, django_capture_on_commit_callbacks
):
    public = services.publish(
        community=community,
        author=admin_user,
        title="开放日",
        body="…",
        audience=Audience.PUBLIC,
        pdfs=[pdf()],
    )
    response = client.get(url(the_pdf(public)))
    assert response.status_code == 200
    assert body_of(response) == PDF


def test_a_file_of_another_announcement_is_not_found_under_this_one(
    client, with_files, to_estate, resident
):
    client.force_login(resident)
    other = reverse("notices:attachment", args=[to_estate.pk, the_pdf(with_files).pk])
    assert client.get(other).status_code == 404
    missing = reverse("notices:attachment", args=[with_files.pk, 99999])
    assert client.get(missing).status_code == 404


def test_a_photo_still_being_processed_is_not_served(
    community, client, captain_3, building_3, resident
):
    announcement = services.publish(  # on-commit hooks never run here
        community=community,
        author=captain_3,
        title="照片",
        body="…",
        audience=Audience.BUILDINGS,
        buildings=[building_3],
        images=[photo()],
    )
    client.force_login(resident)
    assert client.get(url(the_photo(announcement))).status_code == 404


def test_a_withdrawn_announcements_files_are_gone_for_everyone(
    client, with_files, captain_3, resident, admin_user
):
    services.withdraw_announcement(announcement_id=with_files.pk, actor=captain_3, reason="撤回")
    for user in (resident, captain_3, admin_user):
        client.force_login(user)
        assert client.get(url(the_pdf(with_files))).status_code == 404
        assert not fresh(user).has_perm("notices.read_announcement", with_files)


@pytest.mark.parametrize("extra", [1, 20])
def test_the_file_view_query_count_does_not_grow(
    community, client, with_files, resident, captain_3, building_3, extra
):
    for number in range(extra):
        services.publish(
            community=community,
            author=captain_3,
            title=f"通知{number}",
            body="…",
            audience=Audience.BUILDINGS,
            buildings=[building_3],
            pdfs=[pdf()],
        )
    client.force_login(resident)
    address = url(the_pdf(with_files))
    with CaptureQueriesContext(connection) as queries:
        response = client.get(address)
        body_of(response)
    # 1. session  2. user  3. grants  4. verified?  5. homes  6. the announcement
    # 7. the permission (the same selector)  8. the attachment
    assert len(queries) == 8, "\n".join(q["sql"] for q in queries)


def test_the_migration_moves_old_files_out_of_media_root(with_files, settings):
    """Files stored under MEDIA_ROOT before the private storage are moved into it."""
    import importlib

    from django.apps import apps

    move = importlib.import_module(
        "notices.migrations.0003_move_attachments_to_private_storage"
    ).move_to_private
    attachment = the_pdf(with_files)
    name = attachment.file.name
    public = storages["default"]
    with private_storage().open(name, "rb") as stored:
        public.save(name, stored)
    private_storage().delete(name)
    assert public.exists(name)

    move(apps, None)

    assert not public.exists(name)
    with private_storage().open(name, "rb") as moved:
        assert moved.read() == PDF
