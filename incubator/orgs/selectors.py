"""Reads that need care: the "1+n+x" coverage, in a constant number of queries whatever the size."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, OuterRef, Q, Subquery

from incubator.areas.models import Community, CommunityKind, CoverageTargets, Street
from incubator.orgs.models import BasicField, Organisation, Tier, Verification


@dataclass
class CommunityRow:
    community: Community
    street_name: str
    kind_label: str
    total: int
    basic: dict[str, int]
    characteristic: int
    target: int
    unverified: int = 0  # signed up on the portal, not yet checked by the hub (counted in the total, marked)

    @property
    def gap(self) -> int:
        return max(0, self.target - self.total)

    @property
    def missing_fields(self) -> list[str]:
        return [BasicField(code).label for code, count in self.basic.items() if count == 0]

    @property
    def meets_target(self) -> bool:
        return self.total >= self.target


@dataclass
class StreetRow:
    street: Street
    hub_organisation: str | None
    communities: int = 0
    total: int = 0
    gap: int = 0


@dataclass
class KindRow:
    """The target as the source documents write it: an average per kind of community (城市社区平均 ≥ 10)."""

    kind_label: str
    target_average: int
    communities: int = 0
    organisations: int = 0

    @property
    def average(self) -> Decimal | None:
        if not self.communities:
            return None
        return (Decimal(self.organisations) / self.communities).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)

    @property
    def meets_target(self) -> bool:
        return self.average is not None and self.average >= self.target_average


@dataclass
class Coverage:
    streets: list[StreetRow]
    communities: list[CommunityRow]
    totals: dict = field(default_factory=dict)
    by_kind: list[KindRow] = field(default_factory=list)


def coverage(*, street_id: int | None = None) -> Coverage:
    """Per street: its "1"; per community: organisations per "n" field, "x", total, target and gap.

    Three queries: the targets, the streets (with their "1" as a subquery) and the communities with
    every count as a filtered aggregate.
    """
    targets = CoverageTargets.load()
    hub_organisation = Organisation.objects.filter(street=OuterRef("pk"), tier=Tier.HUB).values("name")[:1]
    streets = Street.objects.annotate(hub_organisation=Subquery(hub_organisation)).order_by("name")
    counts = {
        f"n_{code}": Count("organisations", filter=Q(organisations__tier=Tier.BASIC, organisations__basic_field=code))
        for code in BasicField.values
    }
    communities = (
        Community.objects.select_related("street")
        .annotate(
            total=Count("organisations"),
            x=Count("organisations", filter=Q(organisations__tier=Tier.CHARACTERISTIC)),
            unverified=Count("organisations", filter=Q(organisations__verification=Verification.UNVERIFIED)),
            **counts,
        )
        .order_by("street__name", "name")
    )
    if street_id:
        streets = streets.filter(pk=street_id)
        communities = communities.filter(street_id=street_id)

    street_rows = {s.pk: StreetRow(street=s, hub_organisation=s.hub_organisation) for s in streets}
    kinds = {code: KindRow(label, targets.minimum_for(code)) for code, label in CommunityKind.choices}
    community_rows = []
    for c in communities:
        row = CommunityRow(
            community=c,
            street_name=c.street.name,
            kind_label=c.get_kind_display(),
            total=c.total,
            basic={code: getattr(c, f"n_{code}") for code in BasicField.values},
            characteristic=c.x,
            unverified=c.unverified,
            target=c.organisation_target if c.organisation_target is not None else targets.minimum_for(c.kind),
        )
        community_rows.append(row)
        kinds[c.kind].communities += 1
        kinds[c.kind].organisations += row.total
        street = street_rows.get(c.street_id)
        if street:
            street.communities += 1
            street.total += row.total
            street.gap += row.gap
    totals = {
        "streets": len(street_rows),
        "streets_with_hub": sum(1 for s in street_rows.values() if s.hub_organisation),
        "communities": len(community_rows),
        "communities_meeting_target": sum(1 for r in community_rows if r.meets_target),
        "organisations_in_communities": sum(r.total for r in community_rows),
        "gap": sum(r.gap for r in community_rows),
        "basic": {code: sum(r.basic[code] for r in community_rows) for code in BasicField.values},
        "characteristic": sum(r.characteristic for r in community_rows),
        "unverified": sum(r.unverified for r in community_rows),
    }
    return Coverage(
        streets=list(street_rows.values()),
        communities=community_rows,
        totals=totals,
        by_kind=[row for row in kinds.values() if row.communities],
    )


def members_of_any(organisations):
    """The active members of any of these organisations (a queryset of ids or of organisations), once each."""
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(memberships__organisation__in=organisations, is_active=True).distinct()


def members_of(organisation):
    """The active people who act for the organisation (its members), whom its news is sent to."""
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(memberships__organisation=organisation, is_active=True)
