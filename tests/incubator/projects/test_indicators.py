"""Indicators add up by their kind, and a period is reported once: the figures mean what they say."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from incubator.funding.models import Objective
from incubator.projects import services
from incubator.projects.models import ProgressReport
from tests.conftest import HUB_A
from tests.incubator.projects.conftest import TODAY, run_to

pytestmark = pytest.mark.django_db
A = {"HTTP_HOST": HUB_A["domain"]}


def test_a_count_adds_up_a_level_and_a_cumulative_figure_stand_at_their_latest_value():
    values = [Decimal("10"), Decimal("20"), Decimal("25")]
    assert services.achieved("sum", values) == Decimal("55")
    assert services.achieved("latest", values) == Decimal("25")
    assert services.achieved("cumulative", values) == Decimal("25")
    assert services.achieved("latest", []) == Decimal("0")


@pytest.fixture
def active(project, operator, project_member, supervisor, evaluator):
    run_to(
        project, operator=operator, member=project_member, supervisor=supervisor, evaluator=evaluator, state="active"
    )
    project.refresh_from_db()
    return project


def _objectives(project):
    return {o.indicator: o for o in project.application.objectives.all()}


def _report(project, member, start, end, values, kind="periodic"):
    objectives = _objectives(project)
    return services.submit_report(
        actor=member,
        project=project,
        kind=kind,
        period_start=start,
        period_end=end,
        summary="本期小结",
        values={objectives[name].pk: (value, "") for name, value in values.items()},
    )


def _periods(project, count=3):
    """``count`` consecutive ten-day periods ending before today."""
    first = TODAY() - datetime.timedelta(days=10 * count + 1)
    return [
        (first + datetime.timedelta(days=10 * i), first + datetime.timedelta(days=10 * i + 9)) for i in range(count)
    ]


def test_a_rate_reported_each_period_shows_its_latest_value_not_the_sum(client, active, project_member, operator):
    Objective.objects.filter(application=active.application, indicator="跌倒发生率下降").update(
        accumulation="latest", direction="decrease_by"
    )
    Objective.objects.filter(application=active.application, indicator="评估户数").update(accumulation="cumulative")
    for (start, end), rate, assessed, adapted in zip(
        _periods(active), ("10", "20", "25"), ("30", "60", "80"), ("10", "20", "5"), strict=True
    ):
        _report(active, project_member, start, end, {"跌倒发生率下降": rate, "评估户数": assessed, "改造户数": adapted})
    rows = {row["objective"].indicator: row for row in services.progress(active)}
    assert (rows["跌倒发生率下降"]["cumulative"], rows["跌倒发生率下降"]["percent"]) == (Decimal("25"), Decimal("83"))
    assert (rows["评估户数"]["cumulative"], rows["评估户数"]["percent"]) == (Decimal("80"), Decimal("100"))
    assert (rows["改造户数"]["cumulative"], rows["改造户数"]["percent"]) == (Decimal("35"), Decimal("70"))
    assert not rows["跌倒发生率下降"]["met"] and rows["评估户数"]["met"]

    services.publish_progress(actor=operator, project=active)
    page = client.get(f"/progress/{active.pk}/", **A).content.decode()
    assert "(83%)" in page and "183%" not in page


def test_a_period_already_reported_is_refused_naming_the_clash(active, project_member):
    (start, end), *_rest = _periods(active)
    _report(active, project_member, start, end, {"跌倒发生率下降": "5", "评估户数": "10", "改造户数": "1"})
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        _report(
            active,
            project_member,
            end,
            end + datetime.timedelta(days=3),
            {"跌倒发生率下降": "5", "评估户数": "1", "改造户数": "1"},
        )
    assert f"overlaps the Progress report for {start} to {end}" in refused.value.messages[0]
    assert ProgressReport.objects.filter(project=active).count() == 1
    _report(
        active,
        project_member,
        end + datetime.timedelta(days=1),
        end + datetime.timedelta(days=3),
        {"跌倒发生率下降": "5", "评估户数": "1", "改造户数": "1"},
    )


def test_a_cumulative_figure_cannot_fall_and_a_rate_may_wait_for_its_measurement(active, project_member):
    Objective.objects.filter(application=active.application, indicator="评估户数").update(accumulation="cumulative")
    Objective.objects.filter(application=active.application, indicator="跌倒发生率下降").update(accumulation="latest")
    (first, second) = _periods(active, 2)
    _report(
        active, project_member, *first, {"跌倒发生率下降": "", "评估户数": "40", "改造户数": "3"}
    )  # not measured yet
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        _report(active, project_member, *second, {"跌倒发生率下降": "12", "评估户数": "30", "改造户数": "2"})
    assert "cannot fall from 40.00 to 30" in refused.value.messages[0]
    with pytest.raises(ValidationError):  # a count needs its number every period
        _report(active, project_member, *second, {"跌倒发生率下降": "12", "评估户数": "45", "改造户数": ""})
    _report(active, project_member, *second, {"跌倒发生率下降": "12", "评估户数": "45", "改造户数": "2"})
    rows = {row["objective"].indicator: row for row in services.progress(active)}
    assert [p["actual"] for p in rows["跌倒发生率下降"]["periods"]] == [Decimal("12")]


def test_new_beneficiaries_cannot_outnumber_the_participants(active, project_member):
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        services.record_activity(
            actor=project_member, project=active, held_on=TODAY(), title="讲座", participants=10, beneficiaries=12
        )
    assert "New beneficiaries (12) cannot be more than the participants (10)." in refused.value.messages
    assert not active.activities.exists()
