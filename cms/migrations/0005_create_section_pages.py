"""Give the home page its section pages (征集公告, 公益项目, 社会组织, 能力建设, 公示公告, 新闻动态).

Runs in the clone template, so every hub cloned from it starts with them, and in every existing hub when it
migrates. A section whose slug is already taken under the home page (an editor made one) is left alone.
Like 0002, this writes treebeard's materialised path by hand with the historical models: a child's path is
its parent's plus a 4-character base-36 step, one more than the last sibling's.
"""

from django.db import migrations
from django.utils import timezone

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
STEPLEN = 4

SECTIONS = [
    # (model, slug, title, English title)
    ("callindexpage", "calls", "征集公告", "Calls for projects"),
    ("projectindexpage", "projects", "公益项目", "Projects"),
    ("organisationindexpage", "organisations", "社会组织", "Organisations"),
    ("courseindexpage", "courses", "能力建设", "Courses"),
    ("noticeindexpage", "notices", "公示公告", "Notices"),
    ("newsindexpage", "news", "新闻动态", "News"),
]


def _step(number: int) -> str:
    digits = ""
    while number:
        number, remainder = divmod(number, len(ALPHABET))
        digits = ALPHABET[remainder] + digits
    return digits.rjust(STEPLEN, "0")


def create_sections(apps, schema_editor):
    ContentType = apps.get_model("contenttypes.ContentType")
    Page = apps.get_model("wagtailcore.Page")
    HomePage = apps.get_model("cms.HomePage")

    now = timezone.now()
    for home in HomePage.objects.order_by("path"):
        children = Page.objects.filter(path__startswith=home.path, depth=home.depth + 1)
        taken = set(children.values_list("slug", flat=True))
        last = children.order_by("-path").values_list("path", flat=True).first()
        position = int(last[-STEPLEN:], 36) if last else 0
        added = 0
        for model, slug, title, title_en in SECTIONS:
            if slug in taken:
                continue
            position += 1
            content_type, _ = ContentType.objects.get_or_create(app_label="cms", model=model)
            apps.get_model("cms", model).objects.create(
                title=title,
                draft_title=title,
                title_en=title_en,
                slug=slug,
                content_type=content_type,
                path=home.path + _step(position),
                depth=home.depth + 1,
                numchild=0,
                url_path=f"{home.url_path}{slug}/",
                locale_id=home.locale_id,
                live=True,
                show_in_menus=True,
                first_published_at=now,
                last_published_at=now,
            )
            added += 1
        if added:
            Page.objects.filter(pk=home.pk).update(numchild=children.count())


def remove_sections(apps, schema_editor):
    Page = apps.get_model("wagtailcore.Page")
    for model, slug, _title, _title_en in SECTIONS:
        for page in apps.get_model("cms", model).objects.filter(slug=slug, numchild=0):
            parent_path = page.path[:-STEPLEN]
            page.delete()
            Page.objects.filter(path=parent_path).update(
                numchild=Page.objects.filter(path__startswith=parent_path, depth=len(parent_path) // STEPLEN + 1).count()
            )


class Migration(migrations.Migration):
    dependencies = [
        ("cms", "0004_showcase_pages"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_sections, remove_sections)]
