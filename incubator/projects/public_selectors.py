"""What the public may see of funded projects: published appraisal results and published progress.

Shared by the public pages (``public_views``) and the showcase site, which renders the same figures and the
same ``projects/public/_project_story.html`` include. Nothing here returns an individual answer, a comment,
a hash, money released or an internal rectification.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Avg, Count, Q, QuerySet

from incubator.funding.models import TargetGroup
from incubator.projects import services
from incubator.projects.models import Project, ProjectStatus

LEVELS = (1, 2, 3, 4, 5)
PUBLIC_PHOTOS = 24  # the newest the organisation chose to show
CENT = Decimal("0.01")


def published_appraisals() -> QuerySet[Project]:
    """Projects whose appraisal results are published, newest first, each annotated with its aggregated answers.

    One query for any number of projects (paginate it as it is); turn a row into figures with ``figures()``
    or a page of rows with ``with_figures()``.
    """
    levels = {f"level_{level}": Count("ballots", filter=Q(ballots__satisfaction=level)) for level in LEVELS}
    return (
        Project.objects.filter(appraisal_published_at__isnull=False)
        .select_related("application__organisation", "application__call")
        .annotate(
            answers=Count("ballots"),
            satisfaction_avg=Avg("ballots__satisfaction"),
            usefulness_avg=Avg("ballots__usefulness"),
            took_part_count=Count("ballots", filter=Q(ballots__took_part=True)),
            satisfied_count=Count("ballots", filter=Q(ballots__satisfaction__gte=4)),
            **levels,
        )
        .order_by("-appraisal_published_at", "-pk")
    )


def _average(value) -> Decimal | None:
    return None if value is None else Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)


def figures(project: Project) -> dict:
    """The aggregated results of a row of ``published_appraisals()``, with the bars of a 1-5 chart."""
    answers = project.answers
    distribution = [getattr(project, f"level_{level}") for level in LEVELS]
    top = max(distribution) or 1
    return {
        "answers": answers,
        "small_sample": 0 < answers < services.SMALL_SAMPLE,
        "satisfaction": _average(project.satisfaction_avg) if answers else None,
        "usefulness": _average(project.usefulness_avg) if answers else None,
        "took_part": project.took_part_count,
        "satisfied_percent": round(project.satisfied_count * 100 / answers) if answers else None,
        "distribution": distribution,
        "bars": [
            {
                "level": level,
                "count": count,
                "percent": round(count * 100 / answers) if answers else 0,
                "width": round(count * 100 / top),  # relative to the longest bar
            }
            for level, count in zip(LEVELS, distribution, strict=True)
        ],
    }


def with_figures(projects) -> list[Project]:
    """Rows of ``published_appraisals()`` (a page, a slice) with ``.results`` set; no further query."""
    rows = list(projects)
    for project in rows:
        project.results = figures(project)
    return rows


def published_appraisal(pk) -> Project | None:
    """One project's published results (``.results`` set), or None when they are not published. One query."""
    rows = with_figures(published_appraisals().filter(pk=pk))
    return rows[0] if rows else None


def public_projects() -> QuerySet[Project]:
    """The one rule of which projects the public may see (the /progress/ pages, the showcase's project pages,
    lists and search): those whose progress the hub published, and those closed, i.e. finished and accepted
    after the third-party evaluation. A project still running, or terminated, stays private until the hub
    publishes its progress."""
    return Project.objects.filter(Q(progress_published=True) | Q(status=ProjectStatus.CLOSED)).select_related(
        "application__organisation", "application__call"
    )


def project_story(project: Project) -> dict:
    """The context of ``projects/public/_project_story.html`` for one project with published progress."""
    groups = dict(TargetGroup.choices)
    activities = list(project.activities.only("held_on", "title", "participants"))
    return {
        "project": project,
        "progress": services.progress(project),
        "activities": activities,
        "participants": sum(activity.participants for activity in activities),
        "beneficiaries": services.beneficiaries_reached(project),
        "target_groups": [groups.get(group, group) for group in project.application.target_groups or []],
        "appraisal": published_appraisal(project.pk) if project.appraisal_published_at else None,
        "photos": list(services.public_photos(project)[:PUBLIC_PHOTOS]),
    }
