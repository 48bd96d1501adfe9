"""Default document checklists per legal form. Hub content, in Chinese; each hub edits its own copy."""

from django.db import migrations

CHECKLISTS = {
    "filed_community": [
        ("备案申请表", "社区社会组织备案申请表，由负责人签字。"),
        ("组织章程或活动规则", "写明宗旨、业务范围、成员和负责人产生办法。"),
        ("负责人身份证明", "负责人身份证复印件。"),
        ("成员名单", "不少于10名成员的姓名、住址和联系方式。"),
        ("活动场所证明", "社区提供的场所使用证明。"),
        ("社区居委会意见", "所在社区居委会出具的同意意见。"),
    ],
    "social_association": [
        ("登记申请书", "社会团体成立登记申请书。"),
        ("业务主管单位批准文件", "如需业务主管单位，提供其批准文件。"),
        ("章程草案", "经会员大会通过的章程草案。"),
        ("验资报告", "注册资金证明。"),
        ("住所使用证明", "办公场所产权或租赁证明。"),
        ("负责人基本情况及身份证明", "拟任负责人的基本情况和身份证复印件。"),
        ("会员名单", "个人会员不少于50个或单位会员不少于30个。"),
    ],
    "social_service": [
        ("登记申请书", "社会服务机构（民办非企业单位）成立登记申请书。"),
        ("章程草案", "机构章程草案。"),
        ("验资报告", "开办资金证明。"),
        ("场所使用证明", "服务场所产权或租赁证明。"),
        ("拟任负责人基本情况及身份证明", "拟任负责人的基本情况和身份证复印件。"),
        ("举办者出资证明", "举办者及出资情况说明。"),
    ],
    "foundation": [
        ("设立申请书", "基金会设立申请书。"),
        ("章程草案", "基金会章程草案。"),
        ("验资证明", "原始基金到账证明。"),
        ("理事名单及身份证明", "理事、监事的名单和身份证明。"),
        ("住所证明", "办公场所证明。"),
    ],
}


def create(apps, schema_editor):
    Requirement = apps.get_model("filings", "DocumentRequirement")
    Requirement.objects.bulk_create(
        Requirement(legal_form=form, title=title, guidance=guidance, position=index)
        for form, items in CHECKLISTS.items()
        for index, (title, guidance) in enumerate(items)
    )


def remove(apps, schema_editor):
    apps.get_model("filings", "DocumentRequirement").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("filings", "0001_initial")]
    operations = [migrations.RunPython(create, remove)]
