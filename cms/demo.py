"""Demo content of the showcase sites: a few news pages per demo hub, drawn from the seeds
(shared/seeds/002 for 江岸, 003 for 官渡), and the hubs' contact details. Idempotent: a news page whose slug
exists is left alone, branding already filled in is kept.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

NEWS = {
    "jiangan": {
        "branding": {
            "name_en": "Jiang'an District Social Organisation Incubation Hub",
            "tagline": "服务社会组织 · 分享资源空间 · 友善互助共赢 · 建设幸福家园",
            "contact_address": "武汉市江岸区社会组织孵化基地",
            "contact_phone": "027-8000 0000",
            "footer_text": "本站为演示站点,内容取自公开报道。",
        },
        "news": [
            {
                "slug": "fall-prevention-500-homes",
                "days_ago": 3,
                "title": "“老人居家防跌倒”项目已为500个空巢老年家庭完成居家安全改造",
                "summary": "武汉晚晴枫养老助残服务中心在安静社区调查80位行动不便老人的需求,"
                "设计实施“老人居家防跌倒”服务项目。",
                "body": [
                    ("heading", "从需求调查开始"),
                    (
                        "paragraph",
                        "<p>球场街道安静社区属于老旧社区,老年居民多,其中一部分是肢体残疾或行动不便的老人。"
                        "武汉晚晴枫养老助残服务中心入驻社区后,对辖区80位身体不便的老年人开展需求状况调查,"
                        "由专业社工形成需求评估报告,据此设计了“老人居家防跌倒”服务项目。</p>",
                    ),
                    ("heading", "免费或低偿的适老化改造"),
                    (
                        "paragraph",
                        "<p>项目对空巢老年家庭的通道、居室、厨房、卫生间等生活场所及家具配置作一定调整或改造,"
                        "降低空巢老人居家安全风险。自2015年实施以来,已为500个空巢老年家庭实施了居家安全设施改造。</p>",
                    ),
                    (
                        "quote",
                        {
                            "text": "晚晴枫工作人员主动联系上门,为万爷爷在卫生间和厨房安装了尼龙扶手,"
                            "彻底解除了老人的后顾之忧。",
                            "attribution": "长江日报",
                        },
                    ),
                ],
            },
            {
                "slug": "346-wan-for-200-projects",
                "days_ago": 12,
                "title": "346万元支持200个社区项目,社会组织深度融入社区治理",
                "summary": "江岸区安排346万元,支持23个社区社会组织助力计划项目、17个社会组织参与社区治理服务项目、"
                "60个社区微公益创投项目和100个社区养老项目。",
                "body": [
                    (
                        "paragraph",
                        "<p>江岸区坚持项目运作工作方式,引导社会组织有效参与社区治理:社区征集居民需求意见,"
                        "社会组织根据需求设计项目,专业力量汇总评审,社会组织有序竞争承接实施,"
                        "专业督导机构跟踪督导,居民全程参与监督,第三方评估机构效果验收。</p>",
                    ),
                    ("heading", "民事民评"),
                    (
                        "paragraph",
                        "<p>项目实施完毕后,社区及时组织服务对象、居民代表对实施的项目进行民主评议,"
                        "并及时在社区公示栏进行公示,发动居民群众监督项目的实施效果。</p>",
                    ),
                ],
            },
            {
                "slug": "62-organisations-incubated",
                "days_ago": 30,
                "title": "区社会组织孵化基地已孵化培育社会组织62家",
                "summary": "1000平方米的江岸区社会组织孵化基地为社会组织提"
                "供注册协助、专业辅导、能力建设、公益空间等服务。",
                "body": [
                    (
                        "paragraph",
                        "<p>江岸区政府投入专项资金300余万元建立1000平方米的江岸区社会组织孵化基地,"
                        "基地以“服务社会组织、分享资源空间、友善互助共赢、建设幸福家园”为宗旨。"
                        "目前,区社会组织孵化基地已孵化培育社会组织62家,街道社会组织服务中心指导培育社区社会组织31家。</p>",
                    ),
                ],
            },
        ],
    },
    "guandu": {
        "branding": {
            "name_en": "Guandu District Social Organisation Incubation Hub",
            "tagline": "培育社区社会组织,共建美好社区",
            "contact_address": "昆明市官渡区社会组织孵化基地",
            "contact_phone": "0871-6000 0000",
            "footer_text": "本站为演示站点,内容取自公开规划文件。",
        },
        "news": [
            {
                "slug": "wujing-incubation-pilot",
                "days_ago": 5,
                "title": "吴井街道社会组织孵化基地试点投入使用",
                "summary": "吴井街道社会工作(人才交流)服务中心作为孵化基地试点,"
                "已有4家社会组织入驻,并培育孵化出3家社区社会组织。",
                "body": [
                    (
                        "paragraph",
                        "<p>2014年4月,吴井街道社会工作(人才交流)服务中心作为社会组织孵化基地试点投入使用,"
                        "“云南省携手困难群体创业服务中心”、“云南省物业管理协会爱心工作站”等4家社会组织入驻。</p>",
                    ),
                    ("heading", "首批孵化出壳的社区社会组织"),
                    (
                        "paragraph",
                        "<ul><li>铁路新村社区巧手工作坊</li><li>五里多社区摄影沙龙</li><li>东郊路社区“四点半”学校</li></ul>",
                    ),
                ],
            },
            {
                "slug": "ten-organisations-per-community",
                "days_ago": 20,
                "title": "目标:城市社区平均不少于10个社区社会组织",
                "summary": "到2020年,城市社区平均拥有不少于10个社区社会组织,“村改居”社区平均拥有不少于5个。",
                "body": [
                    (
                        "paragraph",
                        "<p>十三五期间,官渡区投入920万元建立社会组织孵化基地,引进服务经验丰富、组织构架成熟的社会组织,"
                        "着重孵化有发展潜力、社会急需的本地社会组织。</p>",
                    ),
                    (
                        "quote",
                        {
                            "text": "力争到2020年,城市社区平均拥有不少于10个社区社会组织,"
                            "“村改居”社区平均拥有不少于5个社区社会组织。",
                            "attribution": "官渡区“十三五”社区发展规划",
                        },
                    ),
                ],
            },
        ],
    },
}


def load_cms_demo(schema_name: str) -> int:
    """Add the demo news pages (and contact details) of a demo hub, in its schema. Returns the pages added."""
    from wagtail.rich_text import RichText

    from cms.models import NewsIndexPage, NewsPage, SiteBranding

    spec = NEWS.get(schema_name)
    if spec is None:
        return 0
    index = NewsIndexPage.objects.first()
    if index is None:
        return 0
    added = 0
    with transaction.atomic():
        branding = SiteBranding.load()
        changed = [field for field, value in spec["branding"].items() if not getattr(branding, field)]
        for field in changed:
            setattr(branding, field, spec["branding"][field])
        if changed:
            branding.save()
        existing = set(NewsPage.objects.child_of(index).values_list("slug", flat=True))
        today = timezone.localdate()
        # Oldest first, so that the tree's order matches the dates.
        for item in sorted(spec["news"], key=lambda item: -item["days_ago"]):
            if item["slug"] in existing:
                continue
            page = NewsPage(
                title=item["title"],
                slug=item["slug"],
                date=today - datetime.timedelta(days=item["days_ago"]),
                summary=item["summary"],
                body=[(kind, RichText(value) if kind == "paragraph" else value) for kind, value in item["body"]],
            )
            index.add_child(instance=page)
            page.save_revision(log_action=False).publish(log_action=False)
            index.refresh_from_db()
            added += 1
    return added
