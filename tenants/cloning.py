"""Cloning the template schema in one round trip.

django-tenants' clone function (pg-clone-schema) rebuilds each table's DDL from the catalogue on every
call: ~0.4 s for the template's 54 tables and 225 indexes, nearly all of a hub's provisioning time.
The template changes only when migrations run, so the script that rebuilds it is generated once per
template version (its migration history) and replayed for every new hub:

1. tables with ``LIKE … INCLUDING DEFAULTS IDENTITY GENERATED CONSTRAINTS STORAGE COMMENTS`` (columns,
   NOT NULL, CHECK constraints with their names, identity columns with fresh sequences);
2. the rows, then each identity sequence set to the template's position;
3. primary keys, unique and exclusion constraints, then plain indexes, all under their original names
   (Django's later migrations drop and rename them by name);
4. foreign keys last, so rows load in any order.

Schemas holding what this does not reproduce (views, functions, triggers, standalone sequences, column
defaults that call nextval) fall back to the stock function; ``is_supported`` says which.
"""

from __future__ import annotations

import re

from django.db import connection, transaction

_cache: dict[tuple, list[str]] = {}


def _fetch(cursor, sql: str, params) -> list[tuple]:
    cursor.execute(sql, params)
    return cursor.fetchall()


def template_version(cursor, template: str) -> tuple | None:
    """The template's migration history, which is what changes its structure; None if it has none."""
    [(table,)] = _fetch(cursor, "SELECT to_regclass(%s)", [f'"{template}".django_migrations'])
    if table is None:
        return None
    rows = _fetch(cursor, f'SELECT count(*), max(id) FROM "{template}".django_migrations', [])
    return (template, *rows[0])


def is_supported(cursor, template: str) -> bool:
    unsupported = _fetch(
        cursor,
        """
        SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = %(s)s AND c.relkind IN ('v', 'm', 'f', 'p')
        UNION ALL
        SELECT 1 FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = %(s)s
        UNION ALL
        SELECT 1 FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = %(s)s AND NOT t.tgisinternal
        UNION ALL
        SELECT 1 FROM pg_class s JOIN pg_namespace n ON n.oid = s.relnamespace
         WHERE n.nspname = %(s)s AND s.relkind = 'S'
           AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = s.oid AND d.deptype = 'i')
        UNION ALL
        SELECT 1 FROM pg_attrdef ad JOIN pg_class c ON c.oid = ad.adrelid JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = %(s)s AND pg_get_expr(ad.adbin, ad.adrelid) LIKE '%%nextval(%%'
        UNION ALL
        SELECT 1 FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
         WHERE n.nspname = %(s)s AND t.typtype IN ('e', 'd', 'c') AND NOT EXISTS (
               SELECT 1 FROM pg_class c WHERE c.reltype = t.oid)
        LIMIT 1
        """,
        {"s": template},
    )
    return not unsupported


def build_script(cursor, template: str) -> list[str]:
    """Statements that rebuild ``template`` in a schema written as the placeholder ``{schema}``."""
    q = connection.ops.quote_name
    tables = [
        name
        for (name,) in _fetch(
            cursor,
            """SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                WHERE n.nspname = %s AND c.relkind = 'r' ORDER BY c.relname""",
            [template],
        )
    ]
    src = q(template)
    script = ["CREATE SCHEMA {schema}"]
    for table in tables:
        script.append(
            f"CREATE TABLE {{schema}}.{q(table)} (LIKE {src}.{q(table)} INCLUDING DEFAULTS INCLUDING IDENTITY "
            "INCLUDING GENERATED INCLUDING CONSTRAINTS INCLUDING STORAGE INCLUDING COMMENTS)"
        )
    columns: dict[str, list[str]] = {}
    for table, column in _fetch(
        cursor,
        """SELECT c.relname, a.attname FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
             JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = %s AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped
              AND a.attgenerated = ''
            ORDER BY c.relname, a.attnum""",
        [template],
    ):
        columns.setdefault(table, []).append(q(column))
    for table in tables:
        listed = ", ".join(columns[table])
        script.append(
            f"INSERT INTO {{schema}}.{q(table)} ({listed}) OVERRIDING SYSTEM VALUE "
            f"SELECT {listed} FROM {src}.{q(table)}"
        )
    # Identity sequences: continue where the template's stand.
    for table, column in _fetch(
        cursor,
        """SELECT c.relname, a.attname FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
             JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = %s AND c.relkind = 'r' AND a.attidentity <> '' AND NOT a.attisdropped""",
        [template],
    ):
        script.append(
            "SELECT setval(pg_get_serial_sequence('{schema}." + q(table) + "', '" + column + "'), s.last_value, "
            f"s.is_called) FROM {src}.{q(_serial_sequence(cursor, template, table, column))} s"
        )
    # Constraints that own indexes (pk, unique, exclusion), then the other indexes, then foreign keys.
    constraint_rows = _fetch(
        cursor,
        """SELECT c.relname, con.conname, con.contype, pg_get_constraintdef(con.oid)
             FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid
             JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = %s AND con.contype IN ('p', 'u', 'x', 'f')
            ORDER BY con.contype = 'f', c.relname, con.conname""",
        [template],
    )
    for table, name, kind, definition in constraint_rows:
        if kind != "f":
            script.append(f"ALTER TABLE {{schema}}.{q(table)} ADD CONSTRAINT {q(name)} {definition}")
    for (definition,) in _fetch(
        cursor,
        """SELECT pg_get_indexdef(i.indexrelid) FROM pg_index i
             JOIN pg_class c ON c.oid = i.indrelid JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = %s
              AND NOT EXISTS (SELECT 1 FROM pg_constraint con WHERE con.conindid = i.indexrelid)""",
        [template],
    ):
        script.append(_requalify(definition, template))
    for table, name, kind, definition in constraint_rows:
        if kind == "f":
            script.append(
                f"ALTER TABLE {{schema}}.{q(table)} ADD CONSTRAINT {q(name)} {_requalify(definition, template)}"
            )
    return script


def _serial_sequence(cursor, template: str, table: str, column: str) -> str:
    [(qualified,)] = _fetch(
        cursor, "SELECT pg_get_serial_sequence(%s, %s)", [f"{connection.ops.quote_name(template)}.{table}", column]
    )
    return qualified.rsplit(".", 1)[-1].strip('"')


def _requalify(definition: str, template: str) -> str:
    """Point a definition's references to the template schema at the placeholder instead."""
    pattern = re.compile(rf'(?<![\w"])(?:"{re.escape(template)}"|{re.escape(template)})\.')
    return pattern.sub("{schema}.", definition)


def clone(template: str, new_schema: str) -> bool:
    """Clone ``template`` into ``new_schema`` inside the caller's transaction; False if unsupported."""
    # Atomic: SET LOCAL below holds only inside a transaction, whoever calls.
    with transaction.atomic(), connection.cursor() as cursor:
        # Definitions print names unqualified when they resolve through search_path, and the script
        # qualifies every name itself; so generate with the template alone on the path.
        cursor.execute(f"SET LOCAL search_path = {connection.ops.quote_name(template)}")
        try:
            version = template_version(cursor, template)
            script = _cache.get(version) if version else None
            if script is None:
                if not is_supported(cursor, template):
                    return False
                script = build_script(cursor, template)
                if version:
                    _cache[version] = script
            # The new schema first on the path: unqualified references in foreign keys resolve to it.
            target = connection.ops.quote_name(new_schema)
            cursor.execute(f"SET LOCAL search_path = {target}")
            cursor.execute(";\n".join(statement.replace("{schema}", target) for statement in script))
        finally:
            cursor.execute("SET LOCAL search_path = public")
    return True
