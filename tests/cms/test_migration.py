"""The section pages come with every hub: created in the clone template by a data migration, cloned with it,
and added to hubs that migrate. The page tree stays consistent."""

import importlib

import pytest
from django.apps import apps
from django_tenants.utils import schema_context, tenant_context

pytestmark = pytest.mark.django_db

SECTIONS = {
    "calls": ("征集公告", "CallIndexPage"),
    "projects": ("公益项目", "ProjectIndexPage"),
    "organisations": ("社会组织", "OrganisationIndexPage"),
    "courses": ("能力建设", "CourseIndexPage"),
    "notices": ("公示公告", "NoticeIndexPage"),
    "news": ("新闻动态", "NewsIndexPage"),
}
migration = importlib.import_module("cms.migrations.0005_create_section_pages")


def sections():
    from cms.models import HomePage

    home = HomePage.objects.get()
    return {page.slug: (page.title, type(page).__name__, page.live) for page in home.get_children().specific()}


def assert_tree_is_sound():
    from wagtail.models import Page

    assert all(not problems for problems in Page.find_problems()), Page.find_problems()


@pytest.mark.parametrize("schema", ["hub_template", "test_a", "test_b"])
def test_the_template_and_every_cloned_hub_have_the_section_pages(schema):
    with schema_context(schema):
        assert sections() == {slug: (title, model, True) for slug, (title, model) in SECTIONS.items()}
        assert_tree_is_sound()


def test_the_migration_adds_what_is_missing_and_nothing_twice(hub_a):
    from cms.models import ContentPage, CourseIndexPage, HomePage

    with tenant_context(hub_a):
        CourseIndexPage.objects.get().delete()
        HomePage.objects.get().add_child(instance=ContentPage(title="关于我们", slug="about"))
        migration.create_sections(apps, None)
        found = sections()
        assert found["courses"] == ("能力建设", "CourseIndexPage", True)
        assert found["about"] == ("关于我们", "ContentPage", True)
        assert len(found) == 7
        assert_tree_is_sound()
        migration.create_sections(apps, None)
        assert len(sections()) == 7
        assert_tree_is_sound()


def test_a_slug_an_editor_already_used_is_left_alone(hub_a):
    from cms.models import ContentPage, HomePage, NewsIndexPage

    with tenant_context(hub_a):
        NewsIndexPage.objects.get().delete()
        HomePage.objects.get().add_child(instance=ContentPage(title="我们的新闻", slug="news"))
        migration.create_sections(apps, None)
        assert sections()["news"] == ("我们的新闻", "ContentPage", True)
        assert_tree_is_sound()
