"""Evidence (佐证材料) on a project's records: who adds and removes files, the checks of kind and size, who may
download them, photos made public, and the walls between organisations, roles and hubs (issue 13, point 3)."""

import datetime
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django_tenants.utils import tenant_context
from PIL import Image

from incubator.accounts.models import User
from incubator.accounts.roles import Role
from incubator.audit.models import AuditEvent
from incubator.orgs.models import Membership
from incubator.projects import services
from incubator.projects.models import Evidence
from incubator.projects.services import evidence as evidence_services
from tests.conftest import HUB_A, HUB_B
from tests.factories import OrganisationFactory, UserFactory
from tests.incubator.projects.conftest import TODAY, drive

pytestmark = pytest.mark.django_db
A = {"HTTP_HOST": HUB_A["domain"]}
B = {"HTTP_HOST": HUB_B["domain"]}


def photo(name="活动照片.png"):
    buffer = io.BytesIO()
    Image.new("RGB", (8, 6), (11, 110, 79)).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def pdf(name="签到表.pdf"):
    return SimpleUploadedFile(name, b"%PDF-1.4 sign-in sheet", content_type="application/pdf")


@pytest.fixture
def active(project, people):
    return drive(project, people, "active")


@pytest.fixture
def activity(active, project_member):
    return services.record_activity(
        actor=project_member, project=active, held_on=TODAY(), title="入户评估", participants=30, beneficiaries=25
    )


# --- Services ---------------------------------------------------------------------------------------------


def test_the_organisation_joins_photos_and_sign_in_sheets_to_an_activity(activity, project_member, hub_a):
    image = services.add_evidence(actor=project_member, record=activity, uploaded_file=photo(), title="入户照片")
    sheet = services.add_evidence(actor=project_member, record=activity, uploaded_file=pdf())
    assert image.is_photo and not sheet.is_photo
    assert sheet.title == "签到表"  # the file's name when no title is given
    organisation_id = activity.project.application.organisation_id
    for stored in (image, sheet):
        # Under the hub's own folder (the storage adds the schema), in private/, with an unguessable name.
        assert stored.file.name.startswith(f"private/evidence/{organisation_id}/")
        assert "签到表" not in stored.file.name and "入户照片" not in stored.file.name
        assert default_storage.path(stored.file.name).startswith(str(default_storage.location))
        assert f"/{hub_a.schema_name}/" in default_storage.path(stored.file.name)
    assert [e.key for e in services.evidence_by_record(activity.project)[f"activity-{activity.pk}"]] == [
        f"activity-{activity.pk}",
        f"activity-{activity.pk}",
    ]
    event = AuditEvent.objects.filter(action="evidence.added").order_by("id").first()
    assert event.actor == project_member and "入户照片" in event.reason


@pytest.mark.parametrize(
    "upload",
    [
        SimpleUploadedFile("page.html", b"<html><script>alert(1)</script></html>"),
        SimpleUploadedFile("logo.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
        SimpleUploadedFile("photo.jpg", b"<html><script>alert(1)</script></html>"),  # named as a photo, it is not
        SimpleUploadedFile("report.pdf", b"\x89PNG\r\n\x1a\n not a pdf"),
        SimpleUploadedFile("program.exe", b"MZ\x90\x00"),
        SimpleUploadedFile("no-extension", b"%PDF-1.4"),
    ],
    ids=["html", "svg", "html-named-jpg", "png-named-pdf", "exe", "no-extension"],
)
def test_files_are_checked_by_their_content_not_only_their_name(activity, project_member, upload):
    with pytest.raises(ValidationError) as refused:
        services.add_evidence(actor=project_member, record=activity, uploaded_file=upload)
    assert "file" in refused.value.message_dict
    assert not Evidence.objects.exists()


def test_a_file_above_the_limit_is_refused(activity, project_member):
    big = SimpleUploadedFile("big.pdf", b"%PDF-1.4" + b"0" * (20 * 1024 * 1024))
    with pytest.raises(ValidationError) as refused:
        services.add_evidence(actor=project_member, record=activity, uploaded_file=big)
    assert "20 MB" in refused.value.message_dict["file"][0]
    assert not Evidence.objects.exists()


def test_only_photos_of_the_organisations_own_records_may_be_public(active, activity, project_member, supervisor):
    with pytest.raises(ValidationError) as refused:
        services.add_evidence(actor=project_member, record=activity, uploaded_file=pdf(), public=True)
    assert "public" in refused.value.message_dict
    shown = services.add_evidence(actor=project_member, record=activity, uploaded_file=photo(), public=True)
    assert list(services.public_photos(active)) == [shown]
    visit = services.record_visit(actor=supervisor, project=active, visited_on=TODAY(), findings="台账齐全")
    with pytest.raises(ValidationError):
        services.add_evidence(actor=supervisor, record=visit, uploaded_file=photo(), public=True)
    services.set_public(actor=project_member, evidence=shown, public=False)
    assert not services.public_photos(active).exists()
    assert AuditEvent.objects.filter(action="evidence.unpublished").exists()


def test_each_role_adds_to_its_own_records_only(active, activity, people):
    member, supervisor = people["member"], people["supervisor"]
    visit = services.record_visit(actor=supervisor, project=active, visited_on=TODAY(), findings="台账齐全")
    services.add_evidence(actor=supervisor, record=visit, uploaded_file=photo("走访.png"))
    with pytest.raises(PermissionDenied):
        services.add_evidence(actor=member, record=visit, uploaded_file=pdf())
    with pytest.raises(PermissionDenied):
        services.add_evidence(actor=supervisor, record=activity, uploaded_file=pdf())
    with pytest.raises(PermissionDenied):
        services.add_evidence(actor=people["evaluator"], record=activity, uploaded_file=pdf())
    outsider = UserFactory(email="chunhui@org.test", roles=[Role.ORGANISATION_MEMBER])
    Membership.objects.create(user=outsider, organisation=OrganisationFactory(name="武汉春晖社会工作服务中心"))
    with pytest.raises(PermissionDenied):
        services.add_evidence(actor=outsider, record=activity, uploaded_file=pdf())
    assert Evidence.objects.count() == 1


def test_the_evaluator_joins_the_evaluation_report(project, people):
    drive(project, people, "evaluating")
    evaluation = services.submit_evaluation(
        actor=people["evaluator"],
        project=project,
        grade="good",
        scores={o.pk: ("40", "8", "") for o in project.application.objectives.all()},
        findings="按计划完成",
        recommendations="继续",
    )
    report = services.add_evidence(
        actor=people["evaluator"], record=evaluation, uploaded_file=pdf("评估报告.pdf"), title="第三方评估报告"
    )
    assert report.subject == "evaluation" and report.evaluation == evaluation
    with pytest.raises(PermissionDenied):
        services.add_evidence(actor=people["member"], record=evaluation, uploaded_file=pdf())


def test_files_of_a_reviewed_record_are_removed_only_by_the_hub_with_a_reason(
    activity, people, django_capture_on_commit_callbacks
):
    member, operator = people["member"], people["operator"]
    wrong = services.add_evidence(actor=member, record=activity, uploaded_file=pdf("错的.pdf"))
    name = wrong.file.name
    with django_capture_on_commit_callbacks(execute=True):
        services.remove_evidence(actor=member, evidence=wrong)
    assert not Evidence.objects.filter(pk=wrong.pk).exists()
    assert not default_storage.exists(name)  # the file goes with it
    kept = services.add_evidence(actor=member, record=activity, uploaded_file=pdf())
    services.mark_reviewed(actor=people["supervisor"], record=activity)
    with pytest.raises(PermissionDenied):
        services.remove_evidence(actor=member, evidence=kept)
    with pytest.raises(ValidationError) as no_reason:
        services.remove_evidence(actor=operator, evidence=kept)
    assert "reason" in no_reason.value.message_dict
    assert default_storage.exists(kept.file.name)
    # Adding more after the review is fine: a sign-in sheet often arrives late.
    services.add_evidence(actor=member, record=activity, uploaded_file=photo())
    with django_capture_on_commit_callbacks(execute=True):
        services.remove_evidence(actor=operator, evidence=kept, reason="上传了他人身份证照片")
    event = AuditEvent.objects.filter(action="evidence.removed").order_by("-id").first()
    assert event.actor == operator and "上传了他人身份证照片" in event.reason


def test_the_signed_contract_scan_can_come_after_the_signing(project, people):
    member, operator = people["member"], people["operator"]
    early = services.add_evidence(actor=member, record=project, uploaded_file=pdf("合同扫描.pdf"))
    assert early.subject == "contract" and early.key == "contract"
    drive(project, people, "active")
    late = services.add_evidence(actor=member, record=project, uploaded_file=pdf("合同盖章页.pdf"))
    with pytest.raises(PermissionDenied):  # what the signing relied on stays
        services.remove_evidence(actor=member, evidence=early)
    services.remove_evidence(actor=operator, evidence=late, reason="重复上传")
    assert list(Evidence.objects.values_list("pk", flat=True)) == [early.pk]


def test_final_report_and_rectification_answers_take_files_until_accepted(project, people):
    member, supervisor = people["member"], people["supervisor"]
    drive(project, people, "active")
    rectification = services.require_rectification(
        actor=supervisor,
        project=project,
        requirement="补充活动签到表",
        due_on=TODAY() + datetime.timedelta(days=7),
        source="supervision",
    )
    services.add_evidence(actor=member, record=rectification, uploaded_file=pdf())
    services.answer_rectification(actor=member, rectification=rectification, answer="已补充")
    services.review_rectification(actor=supervisor, rectification=rectification, accept=True, comment="")
    with pytest.raises(PermissionDenied):
        services.add_evidence(actor=member, record=rectification, uploaded_file=pdf())
    project.refresh_from_db()
    drive(project, people, "final_report_submitted")
    final = project.reports.get(kind="final")
    services.add_evidence(actor=member, record=final, uploaded_file=pdf("结项报告附件.pdf"))
    drive(project, people, "final_report_accepted")
    with pytest.raises(PermissionDenied):
        services.add_evidence(actor=member, record=final, uploaded_file=pdf())


def test_a_record_takes_a_bounded_number_of_files(activity, project_member, monkeypatch):
    monkeypatch.setattr(evidence_services, "MAX_FILES_PER_RECORD", 2)
    services.add_evidence(actor=project_member, record=activity, uploaded_file=pdf())
    services.add_evidence(actor=project_member, record=activity, uploaded_file=pdf())
    with pytest.raises(ValidationError) as refused:
        services.add_evidence(actor=project_member, record=activity, uploaded_file=pdf())
    assert "file" in refused.value.message_dict


# --- Over HTTP -------------------------------------------------------------------------------------------


def test_everyone_who_follows_the_project_downloads_and_nobody_else(client, activity, people):
    image = services.add_evidence(actor=people["member"], record=activity, uploaded_file=photo())
    sheet = services.add_evidence(actor=people["member"], record=activity, uploaded_file=pdf())
    for person in ("member", "supervisor", "evaluator", "operator"):
        client.force_login(people[person])
        shown = client.get(f"/portal/projects/evidence/{image.pk}/", **A)
        assert shown.status_code == 200, person
        assert shown["Content-Type"] == "image/png" and "attachment" not in shown.get("Content-Disposition", "")
        downloaded = client.get(f"/portal/projects/evidence/{sheet.pk}/", **A)
        assert downloaded["Content-Disposition"].startswith("attachment")
        assert downloaded["X-Content-Type-Options"] == "nosniff"
        assert "sandbox" in downloaded["Content-Security-Policy"]
        assert "no-store" in downloaded["Cache-Control"]
    outsider = UserFactory(email="chunhui@org.test", roles=[Role.ORGANISATION_MEMBER])
    Membership.objects.create(user=outsider, organisation=OrganisationFactory(name="武汉春晖社会工作服务中心"))
    other_supervisor = UserFactory(email="other@supervision.test", roles=[Role.SUPERVISOR])
    for stranger in (outsider, other_supervisor):
        client.force_login(stranger)
        assert client.get(f"/portal/projects/evidence/{image.pk}/", **A).status_code == 404
    client.logout()
    assert client.get(f"/portal/projects/evidence/{image.pk}/", **A).status_code == 302
    # Never as plain media, whatever the path.
    assert client.get(f"/media/{HUB_A['schema_name']}/{image.file.name}", **A).status_code == 404


def test_an_upload_refused_on_the_portal_keeps_the_title_and_says_why_next_to_the_file(client, activity, people):
    client.cookies["hubs_language"] = "en"
    client.force_login(people["member"])
    page = f"/portal/projects/{activity.project_id}/"
    key = f"activity-{activity.pk}"
    fake = SimpleUploadedFile("photo.jpg", b"<svg onload=alert(1)>")
    response = client.post(page, {"action": "evidence_add", "record": key, "title": "入户照片", "file": fake}, **A)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'value="入户照片"' in html
    assert "is not a real .jpg file" in html
    assert f'id="evidence-{key}"' in html and '<details class="add-evidence" open>' in html
    assert not Evidence.objects.exists()
    response = client.post(
        page, {"action": "evidence_add", "record": key, "title": "入户照片", "file": photo(), "public": "on"}, **A
    )
    assert response.status_code == 302 and response["Location"].endswith(f"#evidence-{key}")
    shown = Evidence.objects.get()
    assert shown.public and shown.is_photo
    assert "入户照片" in client.get(page, **A).content.decode()
    # A record of the page that the organisation does not add to is refused.
    visit = services.record_visit(
        actor=people["supervisor"], project=activity.project, visited_on=TODAY(), findings="台账齐全"
    )
    client.post(page, {"action": "evidence_add", "record": f"visit-{visit.pk}", "file": pdf()}, **A)
    assert Evidence.objects.count() == 1


def test_the_supervisor_and_the_operator_add_files_on_their_pages(client, active, people):
    visit = services.record_visit(actor=people["supervisor"], project=active, visited_on=TODAY(), findings="台账齐全")
    client.force_login(people["supervisor"])
    response = client.post(
        f"/supervision/{active.pk}/",
        {"action": "evidence_add", "record": f"visit-{visit.pk}", "title": "走访照片", "file": photo()},
        **A,
    )
    assert response.status_code == 302
    assert Evidence.objects.get().visit == visit
    client.force_login(people["operator"])
    response = client.post(
        f"/admin/projects/{active.pk}/",
        {"action": "evidence_add", "record": "contract", "title": "盖章合同", "file": pdf()},
        **A,
    )
    assert response.status_code == 302 and response["Location"].endswith("#evidence")
    scan = Evidence.objects.get(subject="contract")
    page = client.get(f"/admin/projects/{active.pk}/", **A).content.decode()
    assert "盖章合同" in page and "走访照片" in page
    client.post(f"/admin/projects/{active.pk}/", {"action": "evidence_remove", "evidence": scan.pk}, **A)
    assert Evidence.objects.filter(pk=scan.pk).exists()  # signed: the hub must say why
    client.post(
        f"/admin/projects/{active.pk}/", {"action": "evidence_remove", "evidence": scan.pk, "reason": "传错"}, **A
    )
    assert not Evidence.objects.filter(pk=scan.pk).exists()


def test_public_photos_show_on_the_public_pages_only_when_chosen_and_published(client, activity, people):
    project = activity.project
    shown = services.add_evidence(actor=people["member"], record=activity, uploaded_file=photo(), title="社区课堂")
    private = services.add_evidence(actor=people["member"], record=activity, uploaded_file=photo(), title="内部照片")
    url = f"/progress/{project.pk}/photos/{shown.pk}/"
    services.set_public(actor=people["member"], evidence=shown, public=True)
    assert client.get(url, **A).status_code == 404  # the project's progress is not published yet
    services.publish_progress(actor=people["operator"], project=project, published=True)
    assert client.get(url, **A).status_code == 200
    assert client.get(f"/progress/{project.pk}/photos/{private.pk}/", **A).status_code == 404
    page = client.get(f"/progress/{project.pk}/", **A).content.decode()
    assert "社区课堂" in page and "内部照片" not in page
    showcase = client.get(f"/projects/{project.pk}/", **A).content.decode()
    assert url in showcase and "内部照片" not in showcase
    services.set_public(actor=people["member"], evidence=shown, public=False)
    assert client.get(url, **A).status_code == 404


def test_hub_b_reaches_none_of_hub_a_evidence(client, hub_b, activity, people):
    project = activity.project
    image = services.add_evidence(actor=people["member"], record=activity, uploaded_file=photo(), public=True)
    services.publish_progress(actor=people["operator"], project=project, published=True)
    paths = [
        f"/portal/projects/evidence/{image.pk}/",
        f"/progress/{project.pk}/photos/{image.pk}/",
        f"/media/{HUB_A['schema_name']}/{image.file.name}",
        f"/media/{HUB_B['schema_name']}/{image.file.name}",
    ]
    with tenant_context(hub_b):
        client.force_login(User.objects.get(email=HUB_B["admin_email"]))
        assert not Evidence.objects.filter(pk=image.pk).exists()
        assert not default_storage.exists(image.file.name)  # B's storage is B's folder
    for where in paths:
        assert client.get(where, **B).status_code == 404, where
