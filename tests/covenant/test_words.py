"""Words on the pages: dates in each language's style, labels for screen readers translated."""

import datetime
import re
from pathlib import Path

import pytest
from django.template import Context, Template
from django.utils import translation

ROOT = Path(__file__).resolve().parents[2]
WHEN = datetime.datetime(2026, 12, 7, 1, 19)


def render(source: str, language: str, **context) -> str:
    with translation.override(language):
        return Template("{% load i18n %}" + source).render(Context(context))


@pytest.mark.parametrize(
    ("language", "expected"),
    [("en", "7\u00a0Dec\u00a02026, 01:19"), ("zh-hans", "2026年12月7日 01:19")],
)
@pytest.mark.parametrize("name", ["DATETIME_FORMAT", "SHORT_DATETIME_FORMAT"])
def test_dates_read_in_each_languages_own_style(language, expected, name):
    assert render(f'{{{{ when|date:"{name}" }}}}', language, when=WHEN) == expected


def test_an_english_date_never_splits_between_day_month_and_year():
    assert " " not in render('{{ when|date:"SHORT_DATE_FORMAT" }}', "en", when=WHEN)


def test_a_chinese_month_and_day_is_not_padded():
    assert render('{{ when|date:"MONTH_DAY_FORMAT" }}', "zh-hans", when=WHEN.replace(month=9)) == (
        "9月7日"
    )


def test_dates_do_not_wrap_on_a_phone():
    css = (ROOT / "static" / "css" / "covenant.css").read_text()
    assert re.search(r"time\s*\{\s*white-space:\s*nowrap", css)


def _templates():
    for folder in ("templates", "covenant", "proposals", "notices", "volunteers"):
        yield from (ROOT / folder).rglob("*.html")


def test_every_aria_label_is_translated_or_computed():
    literal = re.compile(r"""aria-label=(["'])[^{"']*[A-Za-z][^{"']*\1""")
    offenders = [
        f"{path.relative_to(ROOT)}: {match.group(0)}"
        for path in _templates()
        for match in literal.finditer(path.read_text())
    ]
    assert offenders == []


def test_a_progress_bar_without_a_label_still_says_what_it_measures(db):
    html = render('{% include "covenant/_progress.html" with percent=61 %}', "en")
    assert 'aria-label="Reached: 61%"' in html


def test_the_empty_choice_of_a_select_speaks_chinese():
    from django.db.models.fields import BLANK_CHOICE_LABEL

    with translation.override("zh-hans"):
        assert str(BLANK_CHOICE_LABEL) != "- Select an option -"
