"""Organisation rosters in Excel: the columns, export, and an all-or-nothing import with a row report."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from incubator import showcase
from incubator.areas.models import Community, Street
from incubator.audit.services import record_event
from incubator.orgs.models import BasicField, LegalForm, Organisation, ServiceField, Tier
from incubator.permissions import is_operator
from incubator.spreadsheets import SpreadsheetError, read_rows

# (field, header) — headers are written in the reader's language and accepted in either language.
COLUMNS = [
    ("name", gettext_lazy("Name")),
    ("legal_form", gettext_lazy("Legal form")),
    ("uscc", gettext_lazy("Unified Social Credit Code")),
    ("service_fields", gettext_lazy("Service fields")),
    ("street", gettext_lazy("Street")),
    ("community", gettext_lazy("Community")),
    ("tier", gettext_lazy("1+n+x tier")),
    ("basic_field", gettext_lazy("Basic field")),
    ("resident_group", gettext_lazy("Resident group served")),
    ("responsible_person", gettext_lazy("Responsible person")),
    ("contact_phone", gettext_lazy("Contact phone")),
    ("contact_email", gettext_lazy("Contact e-mail")),
    ("address", gettext_lazy("Address")),
    ("founded_on", gettext_lazy("Founded on")),
    ("members", gettext_lazy("Members")),
    ("volunteers", gettext_lazy("Volunteers")),
]
REQUIRED = {"name", "legal_form", "street", "responsible_person"}
CHOICES = {"legal_form": LegalForm, "tier": Tier, "basic_field": BasicField}


def _in_both_languages(text) -> set[str]:
    names = set()
    for language in ("zh-hans", "en"):
        with translation.override(language):
            names.add(str(text).strip().lower())
    return names


def export_rows(queryset):
    headers = [label for _field, label in COLUMNS]
    rows = (
        [
            o.name, o.get_legal_form_display(), o.uscc,
            [str(ServiceField(f).label) for f in o.service_fields if f in ServiceField.values],
            o.street.name, o.community.name if o.community else "", o.get_tier_display(),
            o.get_basic_field_display(), o.resident_group, o.responsible_person, o.contact_phone, o.contact_email,
            o.address, o.founded_on, o.members, o.volunteers,
        ]
        for o in queryset.select_related("street", "community")
    )  # fmt: skip
    return headers, rows


@dataclass
class ImportReport:
    created: int = 0
    rows: int = 0
    problems: list[tuple[int, list[str]]] = field(default_factory=list)  # (row number, messages)
    file_error: str = ""

    @property
    def ok(self) -> bool:
        return not self.problems and not self.file_error


def import_roster(*, actor, uploaded_file) -> ImportReport:
    """Validate every row first; import all of them in one transaction, or none and say why."""
    if not is_operator(actor):
        raise PermissionDenied(_("Only hub operators import rosters."))
    report = ImportReport()
    try:
        headers, data = read_rows(uploaded_file)
    except SpreadsheetError as exc:
        report.file_error = exc.message
        return report
    column_of = _map_headers(headers)
    missing = [str(label) for name, label in COLUMNS if name in REQUIRED and name not in column_of]
    if missing:
        report.file_error = _("Required columns are missing: %(columns)s.") % {"columns": "、".join(missing)}
        return report
    report.rows = len(data)
    streets = {s.name: s for s in Street.objects.all()}
    communities = {(c.street_id, c.name): c for c in Community.objects.all()}
    choice_lookup = {name: _choice_lookup(choices) for name, choices in CHOICES.items()}
    service_lookup = _choice_lookup(ServiceField)
    existing_names = set(Organisation.objects.values_list("name", flat=True))
    hub_streets = set(Organisation.objects.filter(tier=Tier.HUB).values_list("street_id", flat=True))
    seen_names: dict[str, int] = {}
    seen_uscc: dict[str, int] = {}
    existing_uscc = set(Organisation.objects.exclude(uscc="").values_list("uscc", flat=True))
    to_create = []
    for number, values in data:
        raw = {name: values[index] for name, index in column_of.items()}
        problems: list[str] = []
        fields = _parse_row(raw, streets, communities, choice_lookup, service_lookup, problems)
        organisation = Organisation(**fields)
        try:
            organisation.full_clean(validate_unique=False, validate_constraints=False)
        except ValidationError as exc:
            for field_name, messages in exc.message_dict.items():
                label = dict(COLUMNS).get(field_name, field_name)
                problems.extend(f"{label}: {message}" for message in messages)
        name = organisation.name
        if name in existing_names:
            problems.append(_("An organisation named “%(name)s” already exists.") % {"name": name})
        elif name in seen_names:
            problems.append(_("The name “%(name)s” is also on row %(row)d.") % {"name": name, "row": seen_names[name]})
        seen_names.setdefault(name, number)
        if organisation.uscc:
            if organisation.uscc in existing_uscc:
                problems.append(
                    _("The code %(code)s belongs to an organisation already here.") % {"code": organisation.uscc}
                )
            elif organisation.uscc in seen_uscc:
                problems.append(
                    _("The code %(code)s is also on row %(row)d.")
                    % {"code": organisation.uscc, "row": seen_uscc[organisation.uscc]}
                )
            seen_uscc.setdefault(organisation.uscc, number)
        if organisation.tier == Tier.HUB and organisation.street_id:
            if organisation.street_id in hub_streets:
                problems.append(
                    _("The street “%(street)s” already has its “1” hub-type organisation.")
                    % {"street": organisation.street}
                )
            hub_streets.add(organisation.street_id)
        if problems:
            report.problems.append((number, list(dict.fromkeys(problems))))
        to_create.append(organisation)
    if report.problems:
        return report
    now = timezone.now()
    with transaction.atomic():
        for organisation in to_create:
            organisation.last_activity_at = now
        Organisation.objects.bulk_create(to_create)
        record_event(
            actor=actor,
            action="organisation.roster_imported",
            subject=to_create[0] if to_create else actor,
            reason=_("%(count)d organisations from %(file)s") % {"count": len(to_create), "file": uploaded_file.name},
        )
        showcase.changed()
    report.created = len(to_create)
    return report


def _map_headers(headers: list[str]) -> dict[str, int]:
    accepted = {}
    for name, label in COLUMNS:
        for variant in _in_both_languages(label) | {name}:
            accepted[variant] = name
    column_of = {}
    for index, header in enumerate(headers):
        name = accepted.get(header.strip().lower())
        if name and name not in column_of:
            column_of[name] = index
    return column_of


def _choice_lookup(choices) -> dict[str, str]:
    lookup = {}
    for value, label in choices.choices:
        lookup[value] = value
        for variant in _in_both_languages(label):
            lookup[variant] = value
    return lookup


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _parse_row(raw, streets, communities, choice_lookup, service_lookup, problems) -> dict:
    fields: dict = {}
    for name in ("name", "uscc", "resident_group", "responsible_person", "contact_phone", "contact_email", "address"):
        fields[name] = _text(raw.get(name))
    for name in REQUIRED:
        if not _text(raw.get(name)):
            problems.append(_("%(column)s is empty.") % {"column": dict(COLUMNS)[name]})
    for name, lookup in choice_lookup.items():
        text = _text(raw.get(name))
        if not text:
            fields[name] = Tier.UNCLASSIFIED if name == "tier" else ""
            continue
        value = lookup.get(text.lower())
        if value is None:
            problems.append(
                _("%(column)s: “%(value)s” is not one of the choices.") % {"column": dict(COLUMNS)[name], "value": text}
            )
        fields[name] = value or ""
    services = []
    for part in _text(raw.get("service_fields")).replace("，", ",").replace("、", ",").split(","):
        if part.strip():
            value = service_lookup.get(part.strip().lower())
            if value is None:
                problems.append(_("Service fields: “%(value)s” is not one of the choices.") % {"value": part.strip()})
            else:
                services.append(value)
    fields["service_fields"] = services
    street_name = _text(raw.get("street"))
    street = streets.get(street_name)
    if street_name and street is None:
        problems.append(_("There is no street “%(name)s” in this hub.") % {"name": street_name})
    fields["street"] = street
    community_name = _text(raw.get("community"))
    if community_name and street is not None:
        community = communities.get((street.pk, community_name))
        if community is None:
            problems.append(
                _("There is no community “%(community)s” in %(street)s.")
                % {"community": community_name, "street": street_name}
            )
        fields["community"] = community
    founded = raw.get("founded_on")
    if isinstance(founded, datetime.datetime):
        fields["founded_on"] = founded.date()
    elif isinstance(founded, datetime.date):
        fields["founded_on"] = founded
    elif _text(founded):
        try:
            fields["founded_on"] = datetime.date.fromisoformat(_text(founded).replace("/", "-"))
        except ValueError:
            problems.append(_("Founded on: “%(value)s” is not a date (use 2020-05-01).") % {"value": _text(founded)})
    for name in ("members", "volunteers"):
        text = _text(raw.get(name))
        if text:
            try:
                fields[name] = int(text)
                if fields[name] < 0:
                    raise ValueError
            except ValueError:
                problems.append(
                    _("%(column)s: “%(value)s” is not a whole number.") % {"column": dict(COLUMNS)[name], "value": text}
                )
                fields.pop(name, None)
    if fields.get("street") is None:
        fields.pop("street")
    return fields
