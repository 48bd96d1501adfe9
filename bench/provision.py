"""Provisioning a hub three ways, interleaved so each sees the same machine noise.

- clone:        ours — clone the template schema, skip re-reading the migration graph
- stock_clone:  django-tenants' path — clone, then `migrate_schemas --fake` over every migration
- migrate:      no template — CREATE SCHEMA and apply every migration

Prints one JSON line. `BENCH_HUBS` (default 20) sets how many hubs each way.
"""

import json
import os
import statistics
import time

from bench._setup import django_ready


def main() -> None:
    django_ready()
    from django.db import connection
    from django.test import override_settings
    from django_tenants.models import TenantMixin

    from tenants.models import Hub, _ReusedCloneSchema
    from tenants.services import provision_hub

    hubs = int(os.environ.get("BENCH_HUBS", "20"))
    run_id = int(time.time()) % 100000
    timings = {"clone": [], "stock_clone": [], "migrate": []}
    own_create_schema = Hub.create_schema

    def timed(way: str, index: int) -> None:
        schema = f"bench_{way}_{run_id}_{index}"
        started = time.perf_counter()
        provision_hub(
            actor=None,
            schema_name=schema[:30],
            name=f"Bench {way} {index}",
            domain=f"{schema[:30].replace('_', '-')}.bench.localhost",
            admin_email=f"admin{index}@bench.test",
            send_welcome=False,
        )
        timings[way].append(time.perf_counter() - started)

    try:
        for index in range(hubs):
            timed("clone", index)
            Hub.create_schema = TenantMixin.create_schema
            try:
                timed("stock_clone", index)
            finally:
                Hub.create_schema = own_create_schema
                # The stock path re-creates the clone function untagged; production never runs it, so
                # re-tag it outside the timings rather than charge our path for the stock path's habit.
                _ReusedCloneSchema()._create_clone_schema_function()
            with override_settings(TENANT_CREATION_FAKES_MIGRATIONS=False):
                timed("migrate", index)
    finally:
        connection.set_schema_to_public()
        for hub in Hub.objects.filter(schema_name__startswith="bench_"):
            hub.delete(force_drop=True)

    clone = statistics.median(timings["clone"])
    stock = statistics.median(timings["stock_clone"])
    migrate = statistics.median(timings["migrate"])
    print(
        json.dumps(
            {
                "hubs": hubs,
                "clone_s_median": round(clone, 3),
                "stock_clone_s_median": round(stock, 3),
                "migrate_s_median": round(migrate, 3),
                "ratio": round(migrate / clone, 1),
                "clone_vs_stock_ratio": round(stock / clone, 2),
            }
        )
    )


if __name__ == "__main__":
    main()
