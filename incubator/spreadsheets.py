"""Excel (.xlsx) export of any list, and reading uploaded workbooks."""

from __future__ import annotations

import datetime
import io
from collections.abc import Iterable, Sequence
from decimal import Decimal

from django.http import HttpResponse
from django.utils.translation import gettext as _

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class SpreadsheetError(Exception):
    """The upload is not a workbook we can read; ``message`` is translated."""

    def __init__(self, message: str):
        self.message = message
        super().__init__(message)


def build_workbook(sheets: Sequence[tuple[str, Sequence[str], Iterable[Sequence]]]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook(write_only=False)
    workbook.remove(workbook.active)
    for title, headers, rows in sheets:
        sheet = workbook.create_sheet(title=str(title)[:31])
        sheet.append([str(h) for h in headers])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in rows:
            sheet.append([_cell(value) for value in row])
            # Text that starts with "=" would become a live formula in the operator's Excel.
            for cell in sheet[sheet.max_row]:
                if cell.data_type == "f":
                    cell.data_type = "s"
                elif isinstance(cell.value, Decimal):
                    cell.number_format = "0.00"  # money: a number Excel can add up, shown with its cents
        for index, header in enumerate(headers, start=1):
            sheet.column_dimensions[sheet.cell(row=1, column=index).column_letter].width = max(12, len(str(header)) * 2)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _cell(value):
    if isinstance(value, datetime.datetime) and value.tzinfo is not None:
        return value.replace(tzinfo=None)
    if isinstance(value, list | tuple):
        return "、".join(str(v) for v in value)
    if value is None or isinstance(value, str | int | float | Decimal | datetime.date):
        return value
    return str(value)


def xlsx_response(filename: str, sheets) -> HttpResponse:
    response = HttpResponse(build_workbook(sheets), content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{_quote(filename)}"
    return response


def _quote(name: str) -> str:
    from urllib.parse import quote

    return quote(name)


def read_rows(uploaded_file, *, max_rows: int = 20000) -> tuple[list[str], list[tuple[int, list]]]:
    """The header row and the data rows (with their spreadsheet row numbers) of the first sheet."""
    from openpyxl import load_workbook

    name = getattr(uploaded_file, "name", "") or ""
    if not name.lower().endswith(".xlsx"):
        raise SpreadsheetError(_("“%(name)s” is not an Excel workbook (.xlsx).") % {"name": name})
    try:
        workbook = load_workbook(uploaded_file, read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a damaged file
        raise SpreadsheetError(_("“%(name)s” could not be read as an Excel workbook.") % {"name": name}) from None
    sheet = workbook.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    try:
        headers = [str(h).strip() if h is not None else "" for h in next(rows)]
    except StopIteration:
        raise SpreadsheetError(_("The workbook is empty.")) from None
    data = []
    for number, row in enumerate(rows, start=2):
        values = list(row) + [None] * (len(headers) - len(row))
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
            continue
        data.append((number, values[: len(headers)]))
        if len(data) > max_rows:
            raise SpreadsheetError(_("The workbook has more than %(max)d rows; split it.") % {"max": max_rows})
    workbook.close()
    return headers, data


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise_formula(value):
    """Text a spreadsheet would read as a formula (``=HYPERLINK(…)``, ``+``, ``-``, ``@``, a tab or carriage
    return first), made plain text with a leading apostrophe, as OWASP advises for CSV; other values as given."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def protect_wagtail_exports() -> None:
    """Every listing's CSV export in the back office goes through Wagtail's SpreadsheetExportMixin, which
    writes text as it is (its XLSX export already stores formula-looking text as a string). Replacing its one
    row writer (the same four lines, plus the neutralising) covers every listing, ours and Wagtail's own (form
    submissions, users), present and future."""
    from wagtail.admin.views.mixins import SpreadsheetExportMixin

    def write_csv_row(self, writer, row_dict):
        return writer.writerow(
            {
                field: neutralise_formula(self.preprocess_field_value(field, value, self.FORMAT_CSV))
                for field, value in row_dict.items()
            }
        )

    SpreadsheetExportMixin.write_csv_row = write_csv_row
