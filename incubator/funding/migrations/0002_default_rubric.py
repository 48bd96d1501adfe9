"""The default review rubric every hub starts with (its own copy; operators edit it)."""

from django.db import migrations

CRITERIA = [
    ("需求契合度", "项目是否回应社区居民的真实需求，需求调研是否充分。", 20),
    ("项目设计", "目标是否清晰可测，活动设计是否合理，短期、中期、长期目标是否衔接。", 20),
    ("可行性", "实施计划、时间安排和风险应对是否可行。", 20),
    ("预算合理性", "预算是否详细、符合资助标准，成本是否合理。", 15),
    ("团队能力", "机构和团队是否具备实施项目的经验与能力。", 15),
    ("可持续性", "项目结束后成果能否延续，居民参与和社区资源动员情况。", 10),
]


def create(apps, schema_editor):
    Template = apps.get_model("funding", "RubricTemplate")
    Criterion = apps.get_model("funding", "TemplateCriterion")
    template = Template.objects.create(name="社区公益创投通用评审标准")
    Criterion.objects.bulk_create(
        Criterion(template=template, name=name, guidance=guidance, weight=weight, position=index)
        for index, (name, guidance, weight) in enumerate(CRITERIA)
    )


def remove(apps, schema_editor):
    apps.get_model("funding", "RubricTemplate").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("funding", "0001_initial")]
    operations = [migrations.RunPython(create, remove)]
