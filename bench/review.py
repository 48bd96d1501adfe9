"""Ranking and allocation of a large call: 2,000 applications, 5 experts each, 6 criteria.

Times the ranking and the allocation proposal (with a 50% elderly quota, then again with a second quota,
children ≥ 40%, which takes the search for a joint completion), and counts the queries of the back-office
ranking page. Prints one JSON line. `BENCH_APPLICATIONS` changes the size.
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

    from incubator.accounts.models import User
    from incubator.accounts.roles import Role, ensure_roles
    from incubator.areas.models import Community, Street
    from incubator.funding import services
    from incubator.funding.models import Application, Assignment, BudgetLine, Call, Criterion, RubricTemplate
    from incubator.orgs.models import Organisation
    from tenants.models import Hub
    from tenants.services import provision_hub

    count = int(os.environ.get("BENCH_APPLICATIONS", "2000"))
    experts_per = 5
    schema = f"bench_rev_{int(time.time()) % 100000}"
    host = f"{schema.replace('_', '-')}.localhost"
    hub = provision_hub(
        actor=None,
        schema_name=schema,
        name="评审基准",
        domain=host,
        admin_email="admin@bench.test",
        admin_password="bench-passphrase-2026",
        send_welcome=False,
    )
    rng = random.Random(7)
    try:
        with tenant_context(hub):
            now = timezone.now()
            call = Call.objects.create(
                title="基准",
                budget=Decimal("3000000"),
                per_project_cap=Decimal("30000"),
                service_fields=["charity"],
                opens_at=now - timezone.timedelta(days=30),
                closes_at=now - timezone.timedelta(days=1),
                status="reviewing",
                aggregation="trimmed",
            )
            for c in RubricTemplate.objects.get().criteria.all():
                Criterion.objects.create(call=call, name=c.name, weight=c.weight, position=c.position)
            call.quotas.create(target_group="elderly", min_percent=Decimal("50"))
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
                        call=call,
                        organisation=o,
                        title=f"项目{i}",
                        status="reviewed",
                        target_groups=["elderly"] if rng.random() < 0.3 else ["children"],
                    )
                    for i, o in enumerate(organisations)
                ]
            )
            BudgetLine.objects.bulk_create(
                [
                    BudgetLine(
                        application=a, category="activities", item="活动", amount=Decimal(rng.randrange(5000, 30000))
                    )
                    for a in applications
                ]
            )
            expert_group = ensure_roles()[Role.EXPERT]
            experts = [User.objects.create_user(email=f"expert{i}@bench.test") for i in range(25)]
            for expert in experts:
                expert.groups.add(expert_group)
            Assignment.objects.bulk_create(
                [
                    Assignment(
                        application=a,
                        expert=experts[(i + k) % len(experts)],
                        submitted_at=now,
                        total=Decimal(rng.randrange(4000, 9800)) / 100,
                    )
                    for i, a in enumerate(applications)
                    for k in range(experts_per)
                ]
            )
            connection.cursor().execute("ANALYZE")
            rank_times, allocation_times = [], []
            for _ in range(5):
                started = time.perf_counter()
                rows = services.ranking(call)
                rank_times.append(time.perf_counter() - started)
                started = time.perf_counter()
                proposal = services.propose_allocation(call, rows)
                allocation_times.append(time.perf_counter() - started)
            call.quotas.create(target_group="children", min_percent=Decimal("40"))
            two_quota_times = []
            for _ in range(5):
                started = time.perf_counter()
                two_quotas = services.propose_allocation(call, rows)
                two_quota_times.append(time.perf_counter() - started)
            call.quotas.filter(target_group="children").delete()
        connection.set_schema_to_public()
        client = Client()
        client.post(
            "/admin/login/", {"username": "admin@bench.test", "password": "bench-passphrase-2026"}, HTTP_HOST=host
        )
        with CaptureQueriesContext(connection) as captured:
            response = client.get(f"/admin/funding/calls/{call.pk}/ranking/", HTTP_HOST=host)
        page_queries = len(captured) if response.status_code == 200 else None
    finally:
        connection.set_schema_to_public()
        Hub.objects.get(pk=hub.pk).delete(force_drop=True)
    print(
        json.dumps(
            {
                "applications": count,
                "experts_per_application": experts_per,
                "criteria": 6,
                "ranking_ms_median": round(statistics.median(rank_times) * 1000, 1),
                "allocation_ms_median": round(statistics.median(allocation_times) * 1000, 1),
                "total_ms_median": round(
                    (statistics.median(rank_times) + statistics.median(allocation_times)) * 1000, 1
                ),
                "funded": sum(1 for r in proposal["rows"] if r["funded"]),
                "quota_met": all(q["met"] for q in proposal["quota_status"]),
                "allocation_two_quotas_ms_median": round(statistics.median(two_quota_times) * 1000, 1),
                "two_quotas_met": all(q["met"] for q in two_quotas["quota_status"]),
                "ranking_page_queries": page_queries,
                "target_ms": 500,
            }
        )
    )


if __name__ == "__main__":
    main()
