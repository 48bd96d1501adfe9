"""Branding and menu: Wagtail settings edited in the hub's own admin, shown on every showcase page."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.images import ImageFile

from tests.cms.conftest import A, B, english

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_page_cache")]


def png(width=120, height=60) -> ImageFile:
    from PIL import Image as PILImage

    buffer = io.BytesIO()
    PILImage.new("RGB", (width, height), (11, 110, 79)).save(buffer, format="PNG")
    return ImageFile(buffer, name="logo.png")


@pytest.mark.parametrize("colour", ["red", "#12345", "#1234567", "0b6e4f", "#ggg000", "#12345g"])
def test_colours_must_be_hex(in_hub_a, colour):
    from cms.models import SiteBranding

    branding = SiteBranding.load()
    branding.primary_colour = colour
    with pytest.raises(ValidationError) as error:
        branding.full_clean()
    assert "primary_colour" in error.value.message_dict


def test_branding_shows_on_every_page(client, in_hub_a):
    from wagtail.images.models import Image

    from cms.models import SiteBranding

    branding = SiteBranding.load()
    branding.logo = Image.objects.create(title="标志", file=png())
    branding.primary_colour = "#AA3300"
    branding.accent_colour = "#0033aa"
    branding.contact_address = "江岸区胜利街100号"
    branding.contact_phone = "027-8888 6666"
    branding.contact_email = "hub@jiangan.example"
    branding.footer_text = "周一至周五 9:00-17:00 开放"
    branding.icp_number = "鄂ICP备12345678号"
    branding.name_en = "Test Hub A"
    branding.full_clean()
    branding.save()
    for url in ("/", "/projects/", "/search/"):
        page = client.get(url, **A).content.decode()
        assert "--primary:#AA3300;--accent:#0033aa" in page
        assert '<img src="/media/test_a/images/' in page.split('class="brand"')[1].split("</a>")[0]
        assert '<meta property="og:image" content="http://a.localhost/media/test_a/images/' in page
        for text in ("江岸区胜利街100号", "027-8888 6666", "hub@jiangan.example", "周一至周五", "鄂ICP备12345678号"):
            assert text in page.split('class="site-footer"')[1], text
    logo = page.split('<img src="')[1].split('"')[0]
    assert client.get(logo, **A).status_code == 200  # served on the hub's own host
    assert client.get(logo, **B).status_code == 404
    assert "<title>Test Hub A</title>" in english(client).get("/", **A).content.decode()


def test_the_default_menu_lists_the_section_pages(client):
    page = client.get("/projects/", **A).content.decode()
    menu = page.split('class="wrap menu"')[1].split("</ul>")[0]
    assert [part.split('"')[0] for part in menu.split('href="')[1:]] == [
        "/calls/",
        "/projects/",
        "/organisations/",
        "/courses/",
        "/notices/",
        "/news/",
    ]
    assert '<a href="/projects/" aria-current="page">' in menu


def test_an_operator_defined_menu_replaces_the_default(client, in_hub_a):
    from cms.models import MainMenu, MenuItem, NewsIndexPage

    menu = MainMenu.load()
    MenuItem.objects.create(menu=menu, sort_order=0, link_page=NewsIndexPage.objects.get(), label="")
    MenuItem.objects.create(menu=menu, sort_order=1, label="机构登录", label_en="Sign in", link_url="/portal/")
    page = client.get("/", **A).content.decode()
    menu_html = page.split('class="wrap menu"')[1].split("</ul>")[0]
    assert '<a href="/news/">新闻动态</a>' in menu_html and '<a href="/portal/">机构登录</a>' in menu_html
    assert "/calls/" not in menu_html
    menu_en = english(client).get("/", **A).content.decode().split('class="wrap menu"')[1].split("</ul>")[0]
    assert '<a href="/news/">News</a>' in menu_en and '<a href="/portal/">Sign in</a>' in menu_en


def test_a_menu_item_needs_a_page_or_an_address(in_hub_a):
    from cms.models import MainMenu, MenuItem

    with pytest.raises(ValidationError):
        MenuItem(menu=MainMenu.load(), label="空").full_clean()
    with pytest.raises(ValidationError):
        MenuItem(menu=MainMenu.load(), label="外链", link_url="javascript:alert(1)").full_clean()


def test_operators_edit_branding_and_pages_in_their_own_admin(client, in_hub_a, hub_a_admin):
    from cms.models import NewsIndexPage

    client.force_login(hub_a_admin)
    settings_page = client.get("/admin/settings/cms/sitebranding/", follow=True, **A)
    assert settings_page.status_code == 200 and "primary_colour" in settings_page.content.decode()
    assert client.get("/admin/settings/cms/mainmenu/", follow=True, **A).status_code == 200
    add_news = client.get(f"/admin/pages/add/cms/newspage/{NewsIndexPage.objects.get().pk}/", **A)
    assert add_news.status_code == 200 and "body" in add_news.content.decode()
    # The same session means nothing on hub B's admin.
    assert client.get("/admin/settings/cms/sitebranding/", **B).status_code == 302


def test_a_news_page_with_a_picture_offers_it_as_its_og_image(client, in_hub_a):
    from wagtail.images.models import Image

    from tests.cms.conftest import make_news

    news = make_news("图片新闻", slug="picture")
    news.body = [("image", Image.objects.create(title="活动现场", file=png(800, 500)))]
    news.save_revision().publish()
    page = client.get("/news/picture/", **A).content.decode()
    assert '<meta property="og:image" content="http://a.localhost/media/test_a/images/' in page
    assert "fill-1200x630" in page.split('property="og:image"')[1].split(">")[0]
    assert '<img alt="活动现场"' in page or 'alt="活动现场"' in page


def _person(role, email):
    from incubator.accounts.roles import ensure_roles
    from tests.factories import UserFactory

    user = UserFactory(email=email)
    user.groups.add(ensure_roles(sync_permissions=True)[role])
    return user


def test_an_operator_who_is_not_a_superuser_keeps_the_showcase(client, in_hub_a):
    """Pages, menu, branding and images are the operators' work, by their role alone."""
    from wagtail.images import get_image_model
    from wagtail.models import Page
    from wagtail.permissions import policy_registry

    from cms.models import NewsIndexPage
    from incubator.accounts.roles import Role

    images = policy_registry.get_by_type(get_image_model())
    operator = _person(Role.OPERATOR, "keeper@a.test")
    supervisor = _person(Role.SUPERVISOR, "visitor@a.test")
    assert not operator.is_superuser
    news_index = NewsIndexPage.objects.get()
    rights = news_index.permissions_for_user(operator)
    assert rights.can_add_subpage() and rights.can_edit() and rights.can_publish()
    assert Page.objects.get(depth=2).specific.permissions_for_user(operator).can_publish()
    assert images.user_has_permission(operator, "add") and images.user_has_permission(operator, "choose")
    assert not news_index.permissions_for_user(supervisor).can_edit()
    assert not images.user_has_permission(supervisor, "add")

    client.force_login(operator)
    for url in ("/admin/settings/cms/mainmenu/", "/admin/images/add/"):
        assert client.get(url, follow=True, **A).status_code == 200, url
    branding = client.get("/admin/settings/cms/sitebranding/", follow=True, **A)
    assert branding.status_code == 200 and 'name="primary_colour"' in branding.content.decode()
    assert client.get(f"/admin/pages/add/cms/newspage/{news_index.pk}/", **A).status_code == 200
    # Her rights are this hub's rows: on hub B's host she is nobody.
    assert client.get("/admin/settings/cms/sitebranding/", **B).status_code == 302


def test_other_roles_do_not_edit_the_showcase(client, in_hub_a):
    from cms.models import NewsIndexPage
    from incubator.accounts.roles import Role

    news_index = NewsIndexPage.objects.get()
    for role in (Role.SUPERVISOR, Role.COMMUNITY_WORKER, Role.ORGANISATION_MEMBER):
        person = _person(role, f"{role}@a.test")
        assert not news_index.permissions_for_user(person).can_add_subpage(), role
        client.force_login(person)
        assert client.get(f"/admin/pages/add/cms/newspage/{news_index.pk}/", **A).status_code in (302, 403), role
