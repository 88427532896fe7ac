"""The filtered idea list as CSV and XLSX for the property staff and admins.

No author names or units: the export leaves the portal, so it holds only what the
idea list shows every resident, plus counts and dates.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator

from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook

from proposals.models import Idea


def _headers() -> list[str]:
    return [
        _("Number"),
        _("Title"),
        _("Category"),
        _("Status"),
        _("Building"),
        _("Supports"),
        _("Comments"),
        _("Submitted at"),
        _("Last status change"),
    ]


def _local(moment):
    return timezone.localtime(moment).replace(tzinfo=None, microsecond=0)


def _rows(ideas: Iterable[Idea]) -> Iterator[list]:
    for idea in ideas:
        yield [
            idea.pk,
            idea.title,
            idea.category.label,
            idea.get_status_display(),
            idea.building.number if idea.building else "",
            idea.support_count,
            idea.comment_count,
            _local(idea.created_at),
            _local(idea.status_changed_at),
        ]


def _filename(extension: str) -> str:
    return f"ideas-{timezone.localdate():%Y%m%d}.{extension}"


class _Echo:
    def write(self, value):
        return value


def csv_safe(value):
    # A cell starting with = + - @ is a formula to a spreadsheet: neutralise it.
    if isinstance(value, str) and value[:1] in {"=", "+", "-", "@", "\t", "\r"}:
        return "'" + value
    return value.isoformat(sep=" ") if hasattr(value, "isoformat") else value


def csv_stream(headers: list[str], rows: Iterable[list], filename: str) -> StreamingHttpResponse:
    """A CSV download with a byte-order mark and every cell neutralised against formulas."""
    writer = csv.writer(_Echo())

    def lines():
        yield "\ufeff"  # so that Excel reads the Chinese as UTF-8
        yield writer.writerow(headers)
        for row in rows:
            yield writer.writerow([csv_safe(value) for value in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def csv_response(ideas: Iterable[Idea]) -> StreamingHttpResponse:
    return csv_stream(_headers(), _rows(ideas), _filename("csv"))


def xlsx_response(ideas: Iterable[Idea]) -> HttpResponse:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Golden ideas"))
    sheet.append(_headers())
    for row in _rows(ideas):
        sheet.append([csv_safe(value) if isinstance(value, str) else value for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{_filename("xlsx")}"'
    return response
