"""The contract (资助协议) as a PDF in Chinese, laid out with the shared ``incubator.pdf`` document."""

from __future__ import annotations

from django.db import connection

from incubator.pdf import Document
from incubator.projects.models import Project


def contract_pdf(project: Project) -> bytes:
    """Laid out for text of any length the forms accept: every table has fixed column widths and wraps its
    cells as paragraphs (CJK wrapping breaks anywhere, so a long unbroken word cannot overflow), and the
    objectives, whose descriptions can be long, are paragraphs of their own that may cross a page."""
    from reportlab.platypus import KeepTogether, Spacer

    doc = Document(base_size=11)
    heading, subheading, title = doc.heading, doc.subheading, doc.title
    p, table = doc.p, doc.table
    application = project.application
    hub = connection.tenant

    story = [
        p("公益创投项目资助协议", title),
        Spacer(1, 12),
        p(f"协议编号：GYCT-{application.call_id:03d}-{project.pk:04d}"),
        p(f"甲方（资助方）：{hub.name}"),
        p(f"乙方（项目执行方）：{application.organisation.name}"),
        p(f"乙方负责人：{application.organisation.responsible_person}"),
        p(f"项目名称：{application.title}"),
        p(f"所属征集：{application.call.title}"),
        p(f"服务领域：{application.get_service_field_display() or '—'}"),
        p(f"资助金额：人民币 {project.award} 元"),
        p(f"项目周期：{project.starts_on or '—'} 至 {project.ends_on or '—'}"),
        p(f"结项报告提交期限：{project.final_report_due_on or '项目结束后一个月内'}"),
        p("一、项目目标与指标", heading),
    ]
    objectives = list(application.objectives.all())
    for number, o in enumerate(objectives, start=1):
        story.append(KeepTogether([p(f"{number}. {o.get_term_display()}", subheading)]))
        story.append(p(f"目标：{o.description}"))
        target = "—" if o.target is None else f"{o.target.normalize():f}{o.unit}"
        story.append(p(f"衡量指标：{o.indicator}；目标值：{target}"))
    if not objectives:
        story.append(p("（无）"))
    story.append(p("二、项目预算", heading))
    lines = list(application.budget_lines.all())
    story.append(
        table(
            [["类别", "项目", "金额（元）"]]
            + [[line.get_category_display(), line.item, line.amount] for line in lines],
            [2, 6, 2],
        )
        if lines
        else p("（按申报书执行）")
    )
    story += [p("三、实施安排", heading), p(application.activities or "按申报书执行。")]
    story += [p("四、拨款安排（系统只记录拨付，不划转资金；尾款在第三方评估验收合格后拨付）", heading)]
    story.append(
        table(
            [["期次", "比例", "金额（元）", "拨付条件"]]
            + [
                [i.position, f"{i.percent.normalize():f}%", i.amount, i.get_condition_display()]
                for i in project.installments.all()
            ],
            [1, 1.2, 2, 5.8],
        )
    )
    story += [
        p("五、双方责任", heading),
        p(
            "乙方按申报书实施项目，按期记录活动与受益人数，按报告期报送指标完成情况，接受督导、中期评估、居民评议和第三方评估；"
            "项目结束后一个月内提交结项报告。甲方按约定条件拨付资金，组织督导与评估。"
        ),
        p("项目评估为“不合格”的，乙方应在规定期限内整改；项目终止的，已拨付资金据实结算，未拨付部分不再拨付。"),
        Spacer(1, 20),
        p(f"甲方（盖章）：{hub.name}"),
        p(f"代表签字：{project.signed_by_hub or '＿＿＿＿＿＿'}"),
        Spacer(1, 6),
        p(f"乙方（盖章）：{application.organisation.name}"),
        p(f"代表签字：{project.signed_by_organisation or '＿＿＿＿＿＿'}"),
        Spacer(1, 6),
        p(f"签订日期：{project.signed_on or '　　年　　月　　日'}"),
    ]
    return doc.build(story, title=application.title, author=hub.name)
