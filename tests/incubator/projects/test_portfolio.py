"""The portfolio dashboard: figures aggregated in the database, filters, Excel export, constant queries."""

import datetime
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from incubator.funding.models import Application, Call
from incubator.projects import selectors, services
from incubator.projects.models import Installment, Project, ProjectActivity, Rectification
from tests.conftest import HUB_A
from tests.factories import OrganisationFactory
from tests.incubator.projects.conftest import TODAY, make_awarded

pytestmark = pytest.mark.django_db
A = {"HTTP_HOST": HUB_A["domain"]}
URL = "/admin/projects/portfolio/"
FIELDS = ["charity", "culture_education", "rights", "convenience"]


def _portfolio(operator, count, start=0, call=None, starts_on=None):
    """``count`` projects in a spread of states, with releases, activities and overdue items.

    Project ``i`` (from ``start``): field FIELDS[i % 4]; every project signed and its first installment
    released; every third one closed as an excellent brand project with everything released; every
    fourth active one has an overdue rectification; every fifth one's final report is overdue; each
    reached ``i`` beneficiaries. Every project started on ``starts_on`` (today by default).
    """
    today = TODAY()
    starts_on = starts_on or today
    made = []
    for i in range(start, start + count):
        application = make_awarded(organisation=OrganisationFactory(), title=f"项目{i:03d}")
        Application.objects.filter(pk=application.pk).update(service_field=FIELDS[i % 4])
        if call is not None:
            Application.objects.filter(pk=application.pk).update(call=call)
        project = services.create_project(actor=operator, application=application)
        installments = list(project.installments.all())
        Installment.objects.filter(pk=installments[0].pk).update(condition_met_on=today, released_on=today)
        if i % 3 == 0:
            Installment.objects.filter(project=project).update(condition_met_on=today, released_on=today)
            Project.objects.filter(pk=project.pk).update(
                status="closed", grade="excellent", is_brand=True, starts_on=starts_on
            )
        else:
            Project.objects.filter(pk=project.pk).update(
                status="active", final_report_overdue=i % 5 == 0, starts_on=starts_on
            )
            if i % 4 == 1:
                Rectification.objects.create(
                    project=project,
                    source="supervision",
                    requirement=f"补齐台账{i}",
                    due_on=today - datetime.timedelta(days=3),
                    overdue_since=today - datetime.timedelta(days=2),
                )
        ProjectActivity.objects.create(project=project, held_on=today, title="活动", participants=i, beneficiaries=i)
        made.append(Project.objects.get(pk=project.pk))
    return made


def test_the_figures_are_exact_and_in_yuan(operator):
    projects = _portfolio(operator, 7)
    data = selectors.portfolio()
    assert data.projects == 7
    assert data.award == Decimal("33333.33") * 7
    released = sum(
        (i.amount for i in Installment.objects.filter(released_on__isnull=False)),
        Decimal("0.00"),
    )
    assert data.released == released and isinstance(data.released, Decimal)
    assert data.outstanding == data.award - released
    assert data.beneficiaries == sum(range(7))
    assert data.brand_projects == 3  # 0, 3, 6
    states = {row["code"]: row["count"] for row in data.by_state}
    assert states["closed"] == 3 and states["active"] == 4 and states["terminated"] == 0
    fields = {row["code"]: row for row in data.by_field}
    assert fields["charity"]["count"] == 2 and fields["culture_education"]["count"] == 2
    assert sum(row["award"] for row in data.by_field) == data.award
    assert sum(row["released"] for row in data.by_field) == data.released
    assert [r.requirement for r in data.overdue_rectifications] == ["补齐台账1", "补齐台账5"]
    assert [p.application.title for p in data.overdue_final_reports] == ["项目005"]
    # A finished project's leftovers are no longer "overdue items".
    Project.objects.filter(pk=projects[5].pk).update(status="terminated")
    data = selectors.portfolio()
    assert [r.requirement for r in data.overdue_rectifications] == ["补齐台账1"]
    assert data.overdue_final_reports == []


def test_the_dashboard_shows_and_filters_by_call_and_by_the_year_projects_start(client, operator):
    _portfolio(operator, 4)
    now = timezone.now()
    old_call = Call.objects.create(
        title="2024年公益创投",
        budget=Decimal("100000"),
        per_project_cap=Decimal("50000"),
        service_fields=["charity"],
        opens_at=now.replace(year=2024, month=3, day=1),
        closes_at=now.replace(year=2024, month=4, day=1),
        status="announced",
    )
    _portfolio(operator, 2, start=100, call=old_call, starts_on=datetime.date(2024, 6, 1))
    client.force_login(operator)
    page = client.get(URL, **A).content.decode()
    assert 'data-figure="projects">6<' in page
    assert f'data-figure="award">{Decimal("33333.33") * 6}<' in page
    assert "<svg" in page and 'data-state="closed"' in page and 'data-field="rights"' in page
    assert "补齐台账1<" in page and f"/admin/projects/{Project.objects.get(application__title='项目001').pk}/" in page
    assert "2024年公益创投" in page and '<option value="2024"' in page and f'<option value="{TODAY().year}"' in page

    page = client.get(f"{URL}?year=2024", **A).content.decode()
    assert 'data-figure="projects">2<' in page and 'data-figure="beneficiaries">201<' in page
    assert "补齐台账1<" not in page and "补齐台账101<" in page
    page = client.get(f"{URL}?year={TODAY().year}", **A).content.decode()
    assert 'data-figure="projects">4<' in page
    page = client.get(f"{URL}?call={old_call.pk}", **A).content.decode()
    assert 'data-figure="projects">2<' in page
    page = client.get(f"{URL}?call={old_call.pk}&year={TODAY().year}", **A).content.decode()
    assert 'data-figure="projects">0<' in page and 'data-figure="released">0.00<' in page
    page = client.get(f"{URL}?call=nonsense&year=x", **A).content.decode()  # ignored, not an error
    assert 'data-figure="projects">6<' in page


def test_the_portfolio_exports_to_excel(client, operator):
    from openpyxl import load_workbook

    _portfolio(operator, 4)
    client.force_login(operator)
    response = client.get("/admin/projects/portfolio/export/", **A)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    workbook = load_workbook(io.BytesIO(response.content))
    assert len(workbook.sheetnames) == 5
    projects = list(workbook.worksheets[0].values)
    assert len(projects) == 5
    rows = {row[0]: row for row in projects[1:]}
    first = rows["项目000"]  # closed, excellent, everything released
    # Money arrives as numbers Excel adds up, shown with two decimals.
    assert first[5] == first[6] == 33333.33 and first[7] == 0 and first[14]
    money_cell = workbook.worksheets[0].cell(row=2, column=6)
    assert money_cell.data_type == "n" and money_cell.number_format == "0.00"
    assert first[8] is None and first[9] is None  # no financial statement: nothing spent to show
    assert rows["项目001"][12] == 1 and rows["项目003"][10] == 3  # overdue rectifications; beneficiaries
    summary = {row[0]: row[1] for row in workbook.worksheets[1].values}
    assert Decimal(str(summary[list(summary)[2]])) == Decimal("33333.33") * 4  # awarded
    filtered = client.get("/admin/projects/portfolio/export/?year=1999", **A)
    assert len(list(load_workbook(io.BytesIO(filtered.content)).worksheets[0].values)) == 1


def test_the_dashboard_and_export_run_the_same_number_of_queries_for_3_and_30_projects(client, operator):
    client.force_login(operator)
    _portfolio(operator, 3)
    counts = {}
    for url in (URL, "/admin/projects/portfolio/export/"):
        client.get(url, **A)  # warm caches (content types, site) so both counts compare like with like
        with CaptureQueriesContext(connection) as few:
            assert client.get(url, **A).status_code == 200
        counts[url] = len(few)
    _portfolio(operator, 27, start=3)
    assert Project.objects.count() == 30
    for url in (URL, "/admin/projects/portfolio/export/"):
        with CaptureQueriesContext(connection) as many:
            response = client.get(url, **A)
        assert response.status_code == 200
        assert len(many) == counts[url], (url, [q["sql"][:120] for q in many.captured_queries])
    assert 'data-figure="projects">30<' in client.get(URL, **A).content.decode()


def test_the_listing_runs_a_constant_number_of_queries(client, operator):
    client.force_login(operator)
    _portfolio(operator, 3)
    client.get("/admin/projects/", **A)
    with CaptureQueriesContext(connection) as few:
        client.get("/admin/projects/", **A)
    _portfolio(operator, 17, start=3)
    with CaptureQueriesContext(connection) as many:
        assert client.get("/admin/projects/", **A).status_code == 200
    assert len(many) == len(few)
