"""Public project pages, no account: the residents' appraisal form (民事民评) and its guards against ballot
stuffing, the QR code and poster, the published results on the notice board, a project's published progress,
and the wall between hubs."""

import datetime
import re
import time

import pytest
import segno
from django.core import signing
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from incubator.projects import public_selectors, public_views, services
from incubator.projects.models import AppraisalBallot, Project, ProjectActivity, Rectification
from tests.conftest import HUB_A, HUB_B
from tests.factories import OrganisationFactory
from tests.incubator.projects.conftest import make_awarded, run_to

pytestmark = pytest.mark.django_db
A = {"HTTP_HOST": HUB_A["domain"]}
B = {"HTTP_HOST": HUB_B["domain"]}
ALREADY_MSGID = "An answer from this device or phone number has already been counted. Thank you!"


def shown(msgid: str) -> str:
    """The message as the page shows it: in Chinese, the default language, and HTML-escaped."""
    from django.utils.html import escape
    from django.utils.translation import gettext, override

    with override("zh-hans"):
        return escape(gettext(msgid))


ALREADY = shown(ALREADY_MSGID)
NO_COOKIE = "Your browser did not keep the form's cookie; please allow cookies and try again."
TOO_FAST = "That was very quick; please take a moment to read the questions, then send your answer again."
STALE = "This form was opened more than a day ago; please answer again on this fresh copy."
FORGED = "This form could not be checked; please answer again on this fresh copy."
TOO_MANY = "Too many answers from your network in the last hour; please try again later."
BAD_PHONE = "The phone number should be an 11-digit mobile number, or left empty."


@pytest.fixture(autouse=True)
def _no_minimum_delay(monkeypatch):
    """Tests answer at machine speed; the one about speed puts the delay back."""
    monkeypatch.setattr(public_views, "FORM_MIN_SECONDS", -1)


@pytest.fixture
def appraising(project, operator, project_member, supervisor, evaluator):
    return run_to(
        project, operator=operator, member=project_member, supervisor=supervisor, evaluator=evaluator, state="appraisal"
    )


def form_url(project):
    return f"/appraisal/{project.appraisal_token}/"


def open_form(client, project, address):
    """GET the form as a resident's phone would; returns the signed stamp of when it was served."""
    response = client.get(form_url(project), REMOTE_ADDR=address, **A)
    assert response.status_code == 200
    return re.search(r'name="stamp" value="([^"]+)"', response.content.decode()).group(1)


def answer(client, project, address, *, stamp=None, **fields):
    if stamp is None:
        stamp = open_form(client, project, address)
    data = {"stamp": stamp, "satisfaction": "5", "usefulness": "4", "took_part": "yes", "phone": "", "comment": ""}
    data.update(fields)
    return client.post(form_url(project), data, REMOTE_ADDR=address, **A)


def stamp_from(token, seconds_ago, nonce=None):
    """A stamp as if the form had been served that long ago; without a nonce served to this device, forged."""

    class Earlier(signing.TimestampSigner):
        def timestamp(self):
            return signing.b62_encode(int(time.time()) - seconds_ago)

    return Earlier(salt=public_views.FORM_SALT).sign(f"{token}:{nonce}" if nonce else token)


def served_nonce(client, project, address):
    """Open the form (so the server records a nonce for this client's device) and return that nonce."""
    stamp = open_form(client, project, address)
    return signing.TimestampSigner(salt=public_views.FORM_SALT).unsign(stamp).rpartition(":")[2]


def selects(queries):
    return sum(query["sql"].startswith("SELECT") for query in queries.captured_queries)  # not SET search_path


def ballot(project, n, *, satisfaction, usefulness=4, took_part=True, comment=""):
    return AppraisalBallot.objects.create(
        project=project,
        satisfaction=satisfaction,
        usefulness=usefulness,
        took_part=took_part,
        comment=comment,
        device_hash=f"device-{n}",
        address_hash="address",
    )


# --- The form and its guards ---------------------------------------------------------------------------------


def test_a_resident_answers_once_from_a_device(client, appraising):
    ProjectActivity.objects.create(
        project=appraising, held_on=timezone.localdate(), title="防跌倒讲座", beneficiaries=12
    )
    response = client.get(form_url(appraising), REMOTE_ADDR="10.1.0.1", **A)
    page = response.content.decode()
    assert "老人居家防跌倒" in page and "武汉晚晴枫养老助残服务中心" in page and "<strong>12</strong>" in page
    cookie = response.cookies[public_views.DEVICE_COOKIE]
    assert cookie["httponly"] and cookie["samesite"] == "Lax" and cookie["path"] == "/appraisal/"
    assert int(cookie["max-age"]) >= 365 * 24 * 3600

    thanks = answer(client, appraising, "10.1.0.1", comment="活动很好")
    assert 'id="appraisal-thanks"' in thanks.content.decode()
    stored = AppraisalBallot.objects.get(project=appraising)
    assert (stored.satisfaction, stored.usefulness, stored.took_part, stored.comment) == (5, 4, True, "活动很好")
    assert stored.device_hash and stored.device_hash not in cookie.value  # only a keyed hash is kept

    again = answer(client, appraising, "10.1.0.1", satisfaction="1")
    assert ALREADY in again.content.decode() and 'id="appraisal-form"' in again.content.decode()
    assert AppraisalBallot.objects.filter(project=appraising).count() == 1


def test_the_same_phone_from_another_device_is_refused(appraising):
    first, second = Client(), Client()
    assert 'id="appraisal-thanks"' in answer(first, appraising, "10.1.0.2", phone="138 0013 8000").content.decode()
    refused = answer(second, appraising, "10.1.0.2", phone="+86 13800138000")
    assert ALREADY in refused.content.decode()
    assert AppraisalBallot.objects.filter(project=appraising).count() == 1
    assert 'id="appraisal-thanks"' in answer(second, appraising, "10.1.0.2").content.decode()  # without the phone


def test_an_answer_without_the_device_cookie_or_with_a_forged_one_is_refused(client, appraising):
    stamp = open_form(client, appraising, "10.1.0.3")
    del client.cookies[public_views.DEVICE_COOKIE]
    refused = answer(client, appraising, "10.1.0.3", stamp=stamp)
    assert shown(NO_COOKIE) in refused.content.decode()
    assert not AppraisalBallot.objects.exists()

    client.cookies[public_views.DEVICE_COOKIE] = "chosen-by-a-script"  # not signed by us: as good as none
    refused = client.post(
        form_url(appraising),
        {"stamp": stamp, "satisfaction": "5", "usefulness": "5", "took_part": "yes"},
        REMOTE_ADDR="10.1.0.3",
        **A,
    )
    assert shown(NO_COOKIE) in refused.content.decode()
    assert not AppraisalBallot.objects.exists()
    # The refusal hands out a fresh signed cookie, so a person who allows cookies can answer.
    assert refused.cookies[public_views.DEVICE_COOKIE].value != "chosen-by-a-script"
    assert 'id="appraisal-thanks"' in answer(client, appraising, "10.1.0.3").content.decode()


def test_a_bot_that_fills_the_honeypot_is_thanked_and_nothing_is_stored(client, appraising):
    response = answer(client, appraising, "10.1.0.4", website="http://spam.example")
    assert 'id="appraisal-thanks"' in response.content.decode()
    assert not AppraisalBallot.objects.exists()


def test_answers_sent_too_fast_or_from_a_stale_or_foreign_form_are_refused(client, appraising, monkeypatch):
    monkeypatch.setattr(public_views, "FORM_MIN_SECONDS", 2)
    too_fast = answer(client, appraising, "10.1.0.5")  # posted right after the GET
    assert shown(TOO_FAST) in too_fast.content.decode()
    assert 'value="5" required checked' in too_fast.content.decode()  # what was chosen is kept
    stale = answer(client, appraising, "10.1.0.5", stamp=stamp_from(appraising.appraisal_token, 2 * 24 * 3600))
    assert shown(STALE) in stale.content.decode()
    for forged in ("", "nonsense", stamp_from("another-token", 10)):
        assert shown(FORGED) in answer(client, appraising, "10.1.0.5", stamp=forged).content.decode()
    assert not AppraisalBallot.objects.exists()

    nonce = served_nonce(client, appraising, "10.1.0.5")
    fine = answer(client, appraising, "10.1.0.5", stamp=stamp_from(appraising.appraisal_token, 10, nonce))
    assert 'id="appraisal-thanks"' in fine.content.decode()
    assert AppraisalBallot.objects.count() == 1


def test_one_address_is_limited_per_hour(appraising, monkeypatch):
    monkeypatch.setattr(services.appraisal, "APPRAISAL_PER_ADDRESS_PER_HOUR", 3)
    monkeypatch.setattr(services.appraisal, "APPRAISAL_FREE_PER_ADDRESS", 10)
    for _ in range(3):
        assert 'id="appraisal-thanks"' in answer(Client(), appraising, "10.1.0.6").content.decode()
    refused = answer(Client(), appraising, "10.1.0.6")
    assert shown(TOO_MANY) in refused.content.decode()
    assert AppraisalBallot.objects.count() == 3
    assert 'id="appraisal-thanks"' in answer(Client(), appraising, "10.1.0.7").content.decode()  # another address


def test_a_served_form_is_good_for_one_answer_from_its_own_device(appraising):
    """A stamp cannot be replayed: not by the device it was served to, not by a client with fresh cookies."""
    first = Client()
    stamp = open_form(first, appraising, "10.2.0.1")
    assert 'id="appraisal-thanks"' in answer(first, appraising, "10.2.0.1", stamp=stamp).content.decode()
    # The same stamp again from a new device (the script that drops its cookies): refused.
    for _attempt in range(3):
        script = Client()
        script.get(form_url(appraising), REMOTE_ADDR="10.2.0.1", **A)  # a cookie of its own, not this stamp's
        refused = answer(script, appraising, "10.2.0.1", stamp=stamp)
        assert shown(FORGED) in refused.content.decode()
    # A form served to one device does not take the answer of another.
    other, thief = Client(), Client()
    stamp = open_form(other, appraising, "10.2.0.2")
    thief.get(form_url(appraising), REMOTE_ADDR="10.2.0.2", **A)
    assert shown(FORGED) in answer(thief, appraising, "10.2.0.2", stamp=stamp).content.decode()
    assert 'id="appraisal-thanks"' in answer(other, appraising, "10.2.0.2", stamp=stamp).content.decode()
    assert AppraisalBallot.objects.count() == 2


def test_many_answers_from_one_address_need_the_check_question(appraising):
    """A client that drops its cookies gets a fresh device each time; past the free allowance of its address
    every answer needs the sum a person reads at a glance, checked on the server."""
    for _n in range(services.APPRAISAL_FREE_PER_ADDRESS):
        assert 'id="appraisal-thanks"' in answer(Client(), appraising, "10.3.0.1").content.decode()
    script = Client()
    page = script.get(form_url(appraising), REMOTE_ADDR="10.3.0.1", **A).content.decode()
    stamp = re.search(r'name="stamp" value="([^"]+)"', page).group(1)
    a, b = map(int, re.search(r"(\d+) \+ (\d+)", page).groups())
    wrong = answer(script, appraising, "10.3.0.1", stamp=stamp, challenge=str(a + b + 1))
    assert 'id="appraisal-form"' in wrong.content.decode() and 'name="challenge"' in wrong.content.decode()
    skipped = answer(Client(), appraising, "10.3.0.1")  # no answer to the question at all
    assert 'id="appraisal-thanks"' not in skipped.content.decode()
    assert AppraisalBallot.objects.count() == services.APPRAISAL_FREE_PER_ADDRESS
    # A person reads the question and answers it: counted.
    person = Client()
    page = person.get(form_url(appraising), REMOTE_ADDR="10.3.0.1", **A).content.decode()
    stamp = re.search(r'name="stamp" value="([^"]+)"', page).group(1)
    a, b = map(int, re.search(r"(\d+) \+ (\d+)", page).groups())
    assert (
        'id="appraisal-thanks"'
        in answer(person, appraising, "10.3.0.1", stamp=stamp, challenge=str(a + b)).content.decode()
    )
    assert AppraisalBallot.objects.count() == services.APPRAISAL_FREE_PER_ADDRESS + 1
    # Another address is not asked.
    assert 'name="challenge"' not in Client().get(form_url(appraising), REMOTE_ADDR="10.3.0.2", **A).content.decode()


def test_invalid_answers_are_explained_and_not_stored(client, appraising):
    response = answer(client, appraising, "10.1.0.8", satisfaction="9", phone="12345")
    page = response.content.decode()
    assert 'id="appraisal-errors"' in page and shown(BAD_PHONE) not in page  # the form catches the score first
    response = answer(client, appraising, "10.1.0.8", phone="12345")
    assert shown(BAD_PHONE) in response.content.decode()
    assert not AppraisalBallot.objects.exists()


def test_the_appraisal_is_refused_when_not_open(client, project, operator):
    page = client.get(form_url(project), REMOTE_ADDR="10.1.0.9", **A).content.decode()
    assert 'id="appraisal-closed"' in page and 'id="appraisal-form"' not in page
    response = answer(client, project, "10.1.0.9", stamp=stamp_from(project.appraisal_token, 10))
    assert 'id="appraisal-closed"' in response.content.decode()
    assert not AppraisalBallot.objects.exists()
    assert client.get("/appraisal/no-such-token/", **A).status_code == 404


def test_a_closed_appraisal_links_to_its_published_results(client, appraising, operator):
    services.cast_ballot(
        project=appraising, device_id="d1", address="10.1.1.0", satisfaction=4, usefulness=4, took_part=True
    )
    services.start_evaluation(actor=operator, project=appraising)
    services.publish_appraisal(actor=operator, project=appraising)
    page = client.get(form_url(appraising), **A).content.decode()
    assert 'id="appraisal-closed"' in page and f'href="/notices/appraisals/{appraising.pk}/"' in page


def test_the_qr_code_and_poster_point_at_the_form_on_the_hubs_own_host(client, project):
    url = f"http://{HUB_A['domain']}/appraisal/{project.appraisal_token}/"
    response = client.get(f"/appraisal/{project.appraisal_token}/qr.svg", **A)
    assert response.status_code == 200 and response["Content-Type"] == "image/svg+xml"
    svg = response.content.decode()
    assert "<svg" in svg
    expected = segno.make(url, error="m")
    assert f'width="{expected.symbol_size(scale=8, border=4)[0]}"' in svg
    assert expected.svg_inline(scale=8, border=4).split('d="')[1] in svg  # the same modules: the same URL

    poster = client.get(f"/appraisal/{project.appraisal_token}/poster/", **A).content.decode()
    assert "老人居家防跌倒" in poster and "<svg" in poster and url in poster
    assert client.get("/appraisal/no-such-token/qr.svg", **A).status_code == 404


# --- Published results -----------------------------------------------------------------------------------------


def test_results_are_public_only_once_published_and_show_only_aggregates(client, appraising, operator):
    results_url = f"/notices/appraisals/{appraising.pk}/"
    assert client.get(results_url, **A).status_code == 404
    assert 'id="no-appraisal-results"' in client.get("/notices/appraisals/", **A).content.decode()
    for n, (satisfaction, usefulness, took_part) in enumerate(
        [(5, 5, True), (4, 3, True), (2, 2, False), (5, 4, True)]
    ):
        services.cast_ballot(
            project=appraising,
            device_id=f"device-{n}",
            address="10.1.2.0",
            satisfaction=satisfaction,
            usefulness=usefulness,
            took_part=took_part,
            phone=f"1380013800{n}",
            comment=f"私人意见{n}号：楼道灯坏了",
        )
    assert client.get(results_url, **A).status_code == 404  # answered, not yet published
    services.start_evaluation(actor=operator, project=appraising)
    services.publish_appraisal(actor=operator, project=appraising)

    page = client.get(results_url, **A).content.decode()
    figures = re.findall(r"<li><strong>([^<]+)</strong>", page)
    assert figures == ["4", "4.00", "3.50", "75%", "3"]  # answers, averages, satisfied (4-5), took part
    assert "2 (50%)" in page and "1 (25%)" in page and "0 (0%)" in page  # the distribution
    for secret in ["私人意见", "楼道灯", "13800138000", *AppraisalBallot.objects.values_list("device_hash", flat=True)]:
        assert secret not in page
    listing = client.get("/notices/appraisals/", **A).content.decode()
    assert "老人居家防跌倒" in listing and results_url in listing and "私人意见" not in listing


def test_published_appraisals_take_a_constant_number_of_queries(in_hub_a, operator):
    def publish(title, scores):
        project = services.create_project(
            actor=operator, application=make_awarded(title=title, organisation=OrganisationFactory())
        )
        for n, score in enumerate(scores):
            ballot(project, n, satisfaction=score, took_part=n % 2 == 0)
        Project.objects.filter(pk=project.pk).update(status="evaluating", appraisal_published_at=timezone.now())
        return project

    first = publish("社区助餐", [5, 4, 1])
    with CaptureQueriesContext(connection) as one:
        rows = public_selectors.with_figures(public_selectors.published_appraisals())
        [(row.application.title, row.application.organisation.name) for row in rows]
    assert rows[0].results["distribution"] == [1, 0, 0, 1, 1] and rows[0].results["took_part"] == 2
    assert rows[0].results["satisfaction"] == public_selectors.Decimal("3.33")
    publish("儿童托管", [3])
    second = publish("助残就业", [])
    Project.objects.filter(pk=second.pk).update(appraisal_published_at=timezone.now() + datetime.timedelta(hours=1))
    with CaptureQueriesContext(connection) as three:
        rows = public_selectors.with_figures(public_selectors.published_appraisals())
        [(row.application.title, row.application.organisation.name) for row in rows]
    assert selects(one) == selects(three) == 1
    assert [row.application.title for row in rows] == ["助残就业", "儿童托管", "社区助餐"]  # newest first
    assert rows[0].results["answers"] == 0 and rows[0].results["satisfaction"] is None
    assert public_selectors.published_appraisal(first.pk).results["answers"] == 3


def test_the_results_list_is_paginated(client, in_hub_a, operator, monkeypatch):
    monkeypatch.setattr(public_views, "RESULTS_PER_PAGE", 2)
    for title in ("项目一", "项目二", "项目三"):
        project = services.create_project(
            actor=operator, application=make_awarded(title=title, organisation=OrganisationFactory())
        )
        ballot(project, 0, satisfaction=4)
        Project.objects.filter(pk=project.pk).update(status="evaluating", appraisal_published_at=timezone.now())
    first = client.get("/notices/appraisals/", **A).content.decode()
    second = client.get("/notices/appraisals/?page=2", **A).content.decode()
    assert "项目三" in first and "项目二" in first and "项目一" not in first and "?page=2" in first
    assert "项目一" in second and "项目三" not in second


# --- Published progress ------------------------------------------------------------------------------------------


def test_progress_is_public_only_once_published_and_hides_money_and_rectifications(
    client, project, operator, project_member, supervisor, evaluator
):
    run_to(
        project, operator=operator, member=project_member, supervisor=supervisor, evaluator=evaluator, state="active"
    )
    services.record_activity(
        actor=project_member,
        project=project,
        held_on=timezone.localdate(),
        title="入户安全评估",
        description="张阿姨家，电话13912345678",
        participants=15,
        beneficiaries=9,
    )
    Rectification.objects.create(
        project=project, source="supervision", requirement="台账不全，限期补齐", due_on=timezone.localdate()
    )
    url = f"/progress/{project.pk}/"
    assert client.get(url, **A).status_code == 404
    services.publish_progress(actor=operator, project=project)

    page = client.get(url, **A).content.decode()
    for shown in (
        "老人居家防跌倒",
        "武汉晚晴枫养老助残服务中心",
        "2026年公益创投",
        "评估户数",
        "入户安全评估",
        "<strong>9</strong>",
    ):
        assert shown in page, shown
    assert 'id="objectives"' in page and "<strong>15</strong>" in page
    for hidden in (
        "33333.33",
        "33,333.33",
        "台账不全",
        "张阿姨",
        "13912345678",
        'id="brand-badge"',
        "evaluation-grade",
    ):
        assert hidden not in page, hidden

    Project.objects.filter(pk=project.pk).update(status="closed", grade="excellent", is_brand=True)
    page = client.get(url, **A).content.decode()
    assert 'id="brand-badge"' in page and 'id="evaluation-grade"' in page


def test_progress_links_to_published_appraisal_results(client, project, operator):
    ballot(project, 0, satisfaction=5)
    Project.objects.filter(pk=project.pk).update(
        status="evaluating", appraisal_published_at=timezone.now(), progress_published=True
    )
    page = client.get(f"/progress/{project.pk}/", **A).content.decode()
    assert 'id="residents-appraisal"' in page and f'href="/notices/appraisals/{project.pk}/"' in page


# --- Hubs are walled ----------------------------------------------------------------------------------------------


def test_one_hubs_token_and_ids_are_unknown_on_another_hubs_host(client, appraising, operator):
    services.cast_ballot(
        project=appraising, device_id="d1", address="10.1.3.0", satisfaction=4, usefulness=4, took_part=True
    )
    services.start_evaluation(actor=operator, project=appraising)
    services.publish_appraisal(actor=operator, project=appraising)
    services.publish_progress(actor=operator, project=appraising)
    token, pk = appraising.appraisal_token, appraising.pk
    for url in (f"/appraisal/{token}/", f"/appraisal/{token}/qr.svg", f"/appraisal/{token}/poster/"):
        assert client.get(url, **A).status_code == 200, url
        assert client.get(url, **B).status_code == 404, url
    for url in (f"/notices/appraisals/{pk}/", f"/progress/{pk}/"):
        assert client.get(url, **A).status_code == 200, url
        assert client.get(url, **B).status_code == 404, url
    refused = client.post(
        f"/appraisal/{token}/",
        {"satisfaction": "5", "usefulness": "5", "took_part": "yes"},
        REMOTE_ADDR="10.1.3.1",
        **B,
    )
    assert refused.status_code == 404
    assert "老人居家防跌倒" not in client.get("/notices/appraisals/", **B).content.decode()


def test_behind_a_trusted_proxy_the_limit_counts_the_residents_own_address(appraising, monkeypatch, settings):
    """Behind nginx every request comes from 127.0.0.1: without the forwarded address, one limit would
    cover the whole district; and a forged X-Forwarded-For must not buy a fresh allowance."""
    monkeypatch.setattr(services.appraisal, "APPRAISAL_PER_ADDRESS_PER_HOUR", 2)
    settings.TRUSTED_PROXY_HOPS = 1

    def via_proxy(resident, forged=""):
        client = Client()
        header = f"{forged}, {resident}" if forged else resident
        stamp = open_form(client, appraising, "127.0.0.1")
        data = {"stamp": stamp, "satisfaction": "5", "usefulness": "4", "took_part": "yes", "phone": "", "comment": ""}
        return client.post(
            form_url(appraising), data, REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=header, **A
        ).content.decode()

    for _ in range(2):
        assert 'id="appraisal-thanks"' in via_proxy("203.0.113.5")
    assert shown(TOO_MANY) in via_proxy("203.0.113.5", forged="198.51.100.1")  # the forged part is ignored
    assert 'id="appraisal-thanks"' in via_proxy("203.0.113.6")  # a neighbour behind the same proxy
    assert AppraisalBallot.objects.count() == 3
    assert len(set(AppraisalBallot.objects.values_list("address_hash", flat=True))) == 2
