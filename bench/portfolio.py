"""The portfolio dashboard over a large hub: 2,000 funded projects in 4 calls, with installments, activities
and rectifications.

Times the dashboard's figures and the export's per-project rows, and counts the queries of the dashboard
page and of its Excel export. Prints one JSON line. `BENCH_PROJECTS` changes the size.
"""

import json
import os
import random
import statistics
import time
from decimal import Decimal

from bench._setup import django_ready


def main() -> None:
    django_ready()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone
    from django_tenants.utils import tenant_context

    from incubator.areas.models import Community, Street
    from incubator.funding.models import Application, Call
    from incubator.orgs.models import Organisation
    from incubator.projects import selectors
    from incubator.projects.models import Installment, Project, ProjectActivity, Rectification
    from tenants.models import Hub
    from tenants.services import provision_hub

    count = int(os.environ.get("BENCH_PROJECTS", "2000"))
    schema = f"bench_port_{int(time.time()) % 100000}"
    host = f"{schema.replace('_', '-')}.localhost"
    password = "bench-passphrase-2026"
    hub = provision_hub(
        actor=None,
        schema_name=schema,
        name="资助项目基准",
        domain=host,
        admin_email="admin@bench.test",
        admin_password=password,
        send_welcome=False,
    )
    rng = random.Random(11)
    fields = ["charity", "culture_education", "rights", "convenience"]
    states = ["active", "active", "mid_term_review", "final_report_due", "evaluating", "closed", "terminated"]
    try:
        with tenant_context(hub):
            now = timezone.now()
            today = timezone.localdate()
            calls = [
                Call.objects.create(
                    title=f"{2023 + i}年公益创投",
                    budget=Decimal("5000000"),
                    per_project_cap=Decimal("50000"),
                    service_fields=fields,
                    opens_at=now.replace(year=2023 + i, month=3, day=1),
                    closes_at=now.replace(year=2023 + i, month=4, day=1),
                    status="announced",
                )
                for i in range(4)
            ]
            street = Street.objects.create(name="街道")
            community = Community.objects.create(street=street, name="社区")
            organisations = Organisation.objects.bulk_create(
                [
                    Organisation(
                        name=f"组织{i}",
                        legal_form="filed_community",
                        street=street,
                        community=community,
                        responsible_person="王",
                    )
                    for i in range(count)
                ]
            )
            applications = Application.objects.bulk_create(
                [
                    Application(
                        call=calls[i % 4],
                        organisation=o,
                        title=f"项目{i}",
                        service_field=fields[rng.randrange(4)],
                        status="awarded",
                        awarded_amount=Decimal(rng.randrange(10000, 50000)),
                    )
                    for i, o in enumerate(organisations)
                ]
            )
            projects = Project.objects.bulk_create(
                [
                    Project(
                        application=a,
                        award=a.awarded_amount,
                        status=rng.choice(states),
                        final_report_overdue=rng.random() < 0.05,
                        is_brand=rng.random() < 0.1,
                    )
                    for a in applications
                ]
            )
            installments, activities, rectifications = [], [], []
            for p in projects:
                released = p.status not in ("contracting",)
                for position, share in ((1, Decimal("0.4")), (2, Decimal("0.5")), (3, Decimal("0.1"))):
                    done = released and (position == 1 or p.status == "closed")
                    installments.append(
                        Installment(
                            project=p,
                            position=position,
                            percent=share * 100,
                            amount=(p.award * share).quantize(Decimal("0.01")),
                            condition=("signing", "mid_term", "evaluation")[position - 1],
                            condition_met_on=today if done else None,
                            released_on=today if done else None,
                        )
                    )
                for _ in range(rng.randrange(0, 8)):
                    activities.append(
                        ProjectActivity(project=p, held_on=today, title="活动", beneficiaries=rng.randrange(0, 60))
                    )
                if rng.random() < 0.08:
                    rectifications.append(
                        Rectification(
                            project=p,
                            source="supervision",
                            requirement="补齐台账",
                            due_on=today - timezone.timedelta(days=5),
                            overdue_since=today - timezone.timedelta(days=4),
                        )
                    )
            Installment.objects.bulk_create(installments)
            ProjectActivity.objects.bulk_create(activities)
            Rectification.objects.bulk_create(rectifications)
            connection.cursor().execute("ANALYZE")
            figure_times, row_times = [], []
            for _ in range(5):
                started = time.perf_counter()
                data = selectors.portfolio()
                figure_times.append(time.perf_counter() - started)
                started = time.perf_counter()
                rows = list(selectors.portfolio_rows())
                row_times.append(time.perf_counter() - started)
        connection.set_schema_to_public()
        client = Client()
        client.post("/admin/login/", {"username": "admin@bench.test", "password": password}, HTTP_HOST=host)
        page_queries = {}
        for name, url in (("dashboard", "/admin/projects/portfolio/"), ("export", "/admin/projects/portfolio/export/")):
            client.get(url, HTTP_HOST=host)
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                response = client.get(url, HTTP_HOST=host)
                elapsed = time.perf_counter() - started
            page_queries[name] = (len(captured) if response.status_code == 200 else None, round(elapsed * 1000, 1))
    finally:
        connection.set_schema_to_public()
        Hub.objects.get(pk=hub.pk).delete(force_drop=True)
    print(
        json.dumps(
            {
                "projects": count,
                "activities": len(activities),
                "figures_ms_median": round(statistics.median(figure_times) * 1000, 1),
                "rows_ms_median": round(statistics.median(row_times) * 1000, 1),
                "rows": len(rows),
                "award": str(data.award),
                "released": str(data.released),
                "dashboard_queries": page_queries["dashboard"][0],
                "dashboard_ms": page_queries["dashboard"][1],
                "export_queries": page_queries["export"][0],
                "export_ms": page_queries["export"][1],
            }
        )
    )


if __name__ == "__main__":
    main()
