"""Back-office search over the hub's records: organisations, calls, applications, funded projects."""

import pytest
from django_tenants.utils import tenant_context

from incubator.accounts.models import User
from incubator.accounts.roles import Role
from incubator.projects.hub_search import SHOWN, search_hub
from tests.conftest import HUB_A, HUB_B
from tests.factories import ApplicationFactory, CallFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db
A = {"HTTP_HOST": HUB_A["domain"]}
B = {"HTTP_HOST": HUB_B["domain"]}


def _counts(query):
    return {section.key: section.count for section in search_hub(query)}


def test_it_finds_each_kind_by_name_title_person_or_credit_code(project):
    organisation = project.application.organisation
    OrganisationFactory(name="光华社区志愿者协会", responsible_person="李娟", uscc="51420102MJA123456X")
    CallFactory(title="2027年光华社区公益创投")
    ApplicationFactory(organisation=organisation, title="光华读书会", status="submitted")
    ApplicationFactory(organisation=organisation, title="光华草稿", status="draft")  # a draft is the applicant's
    assert _counts("光华") == {"organisations": 1, "calls": 1, "applications": 1, "projects": 0}
    assert _counts("李娟")["organisations"] == 1
    assert _counts("MJA123456")["organisations"] == 1
    assert _counts(organisation.name[:3]) == {"organisations": 1, "calls": 0, "applications": 2, "projects": 1}
    assert _counts("防跌倒")["projects"] == 1
    assert search_hub("   ") == []


def test_the_page_lists_matches_with_links_and_keeps_the_query(client, operator, project):
    client.force_login(operator)
    page = client.get("/admin/hub-search/", {"q": "防跌倒"}, **A).content.decode()
    assert f"/admin/projects/{project.pk}/" in page and f"/admin/funding/applications/{project.application.pk}/" in page
    assert 'value="防跌倒"' in page and "共找到 2 项。" in page
    assert "其它搜索" in page  # Wagtail's page search stays one click away
    nothing = client.get("/admin/hub-search/", {"q": "不存在的名字"}, **A).content.decode()
    assert "未找到。" in nothing and 'value="不存在的名字"' in nothing
    too_long = client.get("/admin/hub-search/", {"q": "长" * 150}, **A)
    assert too_long.status_code == 200 and 'class="error-message"' in too_long.content.decode()


def test_a_long_list_is_cut_with_a_way_to_see_all(client, operator, in_hub_a):
    for index in range(SHOWN + 2):
        OrganisationFactory(name=f"江岸社区组织{index:02d}")
    client.force_login(operator)
    page = client.get("/admin/hub-search/", {"q": "江岸社区组织"}, **A).content.decode()
    assert page.count("/admin/organisations/edit/") == SHOWN
    assert f"查看全部 {SHOWN + 2} 项" in page and "/admin/organisations/?q=" in page


def test_the_sidebar_search_goes_to_the_hubs_records_for_operators_only(client, operator, in_hub_a):
    client.force_login(operator)
    assert "/admin/hub-search/" in client.get("/admin/", **A).content.decode()
    worker = UserFactory(email="worker@a.test", roles=[Role.COMMUNITY_WORKER], roles__sync=True)
    client.force_login(worker)
    assert "/admin/hub-search/" not in client.get("/admin/", **A).content.decode()
    assert client.get("/admin/hub-search/", {"q": "光华"}, **A).status_code == 403


def test_another_hub_finds_nothing_of_this_one(client, hub_b, project):
    with tenant_context(hub_b):
        assert set(_counts("防跌倒").values()) == {0}
        client.force_login(User.objects.get(email=HUB_B["admin_email"]))
    page = client.get("/admin/hub-search/", {"q": "防跌倒"}, **B).content.decode()
    assert "未找到。" in page and "/admin/funding/applications/" not in page
