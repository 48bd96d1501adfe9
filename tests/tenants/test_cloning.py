"""The one-round-trip clone must rebuild the template exactly: any drift would surface later as a
migration that cannot find an index or constraint by name."""

import re

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django_tenants.utils import schema_context

from tenants import cloning
from tenants.services import provision_hub

pytestmark = pytest.mark.django_db
TEMPLATE = "hub_template"


def catalogue(schema: str) -> dict:
    def rows(sql):
        with connection.cursor() as cursor:
            cursor.execute(sql, {"s": schema})
            return sorted(tuple(str(v).replace(f"{schema}.", "S.") for v in row) for row in cursor.fetchall())

    return {
        "columns": rows(
            """SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull, a.attidentity,
                      a.attgenerated, coalesce(pg_get_expr(d.adbin, d.adrelid), '')
                 FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
                 JOIN pg_namespace n ON n.oid = c.relnamespace
                 LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
                WHERE n.nspname = %(s)s AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped"""
        ),
        "constraints": rows(
            """SELECT c.relname, con.conname, con.contype, pg_get_constraintdef(con.oid),
                      con.condeferrable, con.condeferred, fn.nspname = %(s)s OR con.contype <> 'f'
                 FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid
                 JOIN pg_namespace n ON n.oid = c.relnamespace
                 LEFT JOIN pg_class f ON f.oid = con.confrelid LEFT JOIN pg_namespace fn ON fn.oid = f.relnamespace
                WHERE n.nspname = %(s)s"""
        ),
        "indexes": [
            (name, *_split_predicate(definition))
            for name, definition in rows("SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = %(s)s")
        ],
    }


def _split_predicate(definition: str) -> tuple:
    """PostgreSQL re-normalises a partial index's predicate text when it is recreated from its own
    deparsed form (casts move, brackets change) without changing its meaning; compare what it names."""
    head, _, predicate = definition.partition(" WHERE ")
    without_casts = re.sub(r"::[a-z ]+(\[\])?", "", predicate)
    return head, sorted(set(re.findall(r"'[^']*'|\b[a-z_]+\b", without_casts)))


def row_counts(schema: str) -> dict:
    with connection.cursor() as cursor:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = %s", [schema])
        counts = {}
        for (table,) in cursor.fetchall():
            cursor.execute(f'SELECT count(*) FROM "{schema}"."{table}"')
            counts[table] = cursor.fetchone()[0]
    return counts


def provision(schema: str):
    return provision_hub(
        actor=None,
        schema_name=schema,
        name=schema,
        domain=f"{schema}.localhost",
        admin_email=f"admin@{schema}.test",
        send_welcome=False,
    )


def test_a_clone_is_structurally_identical_to_the_template_and_carries_its_rows():
    hub = provision("clonecheck")
    template, clone = catalogue(TEMPLATE), catalogue(hub.schema_name)
    assert template["columns"] == clone["columns"]
    assert template["constraints"] == clone["constraints"]  # names, definitions, FKs within the clone
    assert template["indexes"] == clone["indexes"]
    template_rows, clone_rows = row_counts(TEMPLATE), row_counts(hub.schema_name)
    # Provisioning then adds the hub's own rows: roles, its administrator, the audit entry.
    added = {table for table in template_rows if clone_rows[table] != template_rows[table]}
    assert added <= {
        "auth_group",
        "auth_group_permissions",
        "accounts_user",
        "accounts_user_groups",
        "audit_auditevent",
        # the roles' rights over the showcase's pages and collections
        "wagtailcore_grouppagepermission",
        "wagtailcore_groupcollectionpermission",
    }
    assert template_rows["django_migrations"] == clone_rows["django_migrations"] > 50


def test_identity_sequences_continue_after_the_copied_rows():
    hub = provision("seqcheck")
    with schema_context(TEMPLATE):
        template_max = max(Group.objects.values_list("pk", flat=True), default=0)
    with schema_context(hub.schema_name):
        highest = max(Group.objects.values_list("pk", flat=True))
        assert highest > template_max
        assert Group.objects.create(name="新角色").pk == highest + 1


def test_schemas_with_objects_the_fast_path_does_not_copy_fall_back_to_the_stock_clone():
    with connection.cursor() as cursor:
        cursor.execute("CREATE SCHEMA odd_template")
        cursor.execute("CREATE TABLE odd_template.t (id int)")
        assert cloning.is_supported(cursor, "odd_template")
        cursor.execute("CREATE VIEW odd_template.v AS SELECT id FROM odd_template.t")
        assert not cloning.is_supported(cursor, "odd_template")
        assert cloning.clone("odd_template", "odd_copy") is False
