"""The 1+n+x coverage view at scale: 10,000 organisations in 300 communities of 30 streets.

Times the coverage selector and the whole back-office page (HTTP, through the hub's host), and
counts the page's queries. Prints one JSON line. `BENCH_ORGS` / `BENCH_COMMUNITIES` change the size.
"""

import json
import os
import statistics
import time

from bench._setup import django_ready


def main() -> None:
    django_ready()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django_tenants.utils import tenant_context

    from incubator.areas.models import Community, Street
    from incubator.orgs.models import BasicField, Organisation, Tier
    from incubator.orgs.selectors import coverage
    from tenants.models import Hub
    from tenants.services import provision_hub

    organisations = int(os.environ.get("BENCH_ORGS", "10000"))
    communities = int(os.environ.get("BENCH_COMMUNITIES", "300"))
    streets = max(1, communities // 10)
    schema = f"bench_cov_{int(time.time()) % 100000}"
    hub = provision_hub(
        actor=None,
        schema_name=schema,
        name="覆盖基准",
        domain=f"{schema.replace('_', '-')}.localhost",
        admin_email="admin@bench.test",
        admin_password="bench-passphrase-2026",
        send_welcome=False,
    )
    try:
        with tenant_context(hub):
            made_streets = Street.objects.bulk_create([Street(name=f"街道{i}") for i in range(streets)])
            places = Community.objects.bulk_create(
                [
                    Community(
                        street=made_streets[i % streets],
                        name=f"社区{i}",
                        kind="urban" if i % 3 else "village_to_residential",
                    )
                    for i in range(communities)
                ]
            )
            fields = BasicField.values
            batch = []
            for i in range(organisations):
                place = places[i % communities]
                tier = Tier.HUB if i < streets else (Tier.CHARACTERISTIC if i % 7 == 0 else Tier.BASIC)
                batch.append(
                    Organisation(
                        name=f"组织{i}",
                        legal_form="filed_community",
                        community=None if tier == Tier.HUB else place,
                        street=made_streets[i] if tier == Tier.HUB else place.street,
                        responsible_person="王",
                        tier=tier,
                        basic_field=fields[i % 5] if tier == Tier.BASIC else "",
                        resident_group="老人" if tier == Tier.CHARACTERISTIC else "",
                    )
                )
            Organisation.objects.bulk_create(batch, batch_size=2000)
            connection.cursor().execute("ANALYZE")
            selector_times = []
            for _ in range(7):
                started = time.perf_counter()
                coverage()
                selector_times.append(time.perf_counter() - started)
        connection.set_schema_to_public()
        client = Client()
        host = {"HTTP_HOST": f"{schema.replace('_', '-')}.localhost"}
        client.post("/admin/login/", {"username": "admin@bench.test", "password": "bench-passphrase-2026"}, **host)
        page_times = []
        for _ in range(5):
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                response = client.get("/admin/incubator/coverage/", **host)
                page_times.append(time.perf_counter() - started)
            assert response.status_code == 200, response.status_code
        queries = len(captured)
    finally:
        connection.set_schema_to_public()
        Hub.objects.get(pk=hub.pk).delete(force_drop=True)
    print(
        json.dumps(
            {
                "organisations": organisations,
                "communities": communities,
                "selector_ms_median": round(statistics.median(selector_times) * 1000, 1),
                "page_ms_median": round(statistics.median(page_times) * 1000, 1),
                "page_queries": queries,
                "target_ms": 300,
            }
        )
    )


if __name__ == "__main__":
    main()
