"""Demo content for the two demo hubs, drawn from the seeds (shared/seeds/002 for 江岸, 003 for 官渡).

Names of streets, communities and organisations are the seeds'. Where a seed names a community
without its street (同安社区, 光华社区), or gives no households, the value here is illustrative.
Loaded once per hub by ``make run`` (``bootstrap --demo``); a hub that already has streets is left alone.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from incubator.accounts.models import User
from incubator.accounts.roles import Role, ensure_roles
from incubator.areas.models import Community, CoverageTargets, Street
from incubator.orgs.models import Cohort, Incubation, Membership, Milestone, Organisation
from incubator.orgs.uscc import check_character, org_code_check_character

URBAN, VILLAGE = "urban", "village_to_residential"

HUBS = {
    "jiangan": {
        # 江岸: 广州-style target of ≥5 per community is not stated; the hub keeps the default 10/5.
        "streets": {
            "车站街道": [("光华社区", URBAN, 2600)],
            "劳动街道": [("艺苑社区", URBAN, 3100)],
            "球场街道": [("安静社区", URBAN, 2900), ("红艳村社区", VILLAGE, 1800)],
            "百步亭": [("文卉苑社区", URBAN, 4200), ("同安社区", URBAN, 3500)],
        },
        "organisations": [
            # name, legal form, street, community, tier, basic field, resident group, responsible, fields, members
            ("百步亭社会组织服务中心", "social_service", "百步亭", None, "hub", "", "", "王建", ["governance"], 12),
            (
                "武汉晚晴枫养老助残服务中心",
                "social_service",
                "球场街道",
                "安静社区",
                "basic",
                "community_service",
                "",
                "陈芳",
                ["elderly", "disability"],
                18,
            ),
            (
                "武汉春晖社会工作服务中心",
                "social_service",
                "百步亭",
                "文卉苑社区",
                "basic",
                "community_service",
                "",
                "刘洋",
                ["employment", "children_youth"],
                15,
            ),
            (
                "随艺手工生活馆",
                "filed_community",
                "百步亭",
                "同安社区",
                "characteristic",
                "",
                "就业困难女性、全职妈妈",
                "赵敏",
                ["employment", "family"],
                19,
            ),
            (
                "老戏骨党员服务队",
                "filed_community",
                "劳动街道",
                "艺苑社区",
                "basic",
                "culture_sports",
                "",
                "童银珠",
                ["culture", "volunteering"],
                25,
            ),
            (
                "光华社区“红色引擎”车辆自治之家",
                "filed_community",
                "车站街道",
                "光华社区",
                "basic",
                "community_affairs",
                "",
                "李强",
                ["governance", "volunteering"],
                30,
            ),
        ],
        "cohort": "江岸区孵化基地2026年第一期",
        "incubating": ["随艺手工生活馆", "光华社区“红色引擎”车辆自治之家"],
        "graduated": ["老戏骨党员服务队"],
        "applied": ["武汉春晖社会工作服务中心"],
        "member": ("member@jiangan.demo", "随艺手工生活馆"),
        "division": "420102",
    },
    "guandu": {
        "targets": (10, 5),  # 官渡: ≥10 per urban community, ≥5 per 村改居 community (seed 003)
        "streets": {
            "吴井街道": [("铁路新村社区", URBAN, 3300), ("五里多社区", URBAN, 3800), ("东郊路社区", URBAN, 2700)],
            "关上街道": [("关上中心区社区", URBAN, 5200)],
            "太和街道": [("太和社区", URBAN, 3000)],
            "小板桥街道": [("小板桥社区", VILLAGE, 2400)],
            "官渡街道": [("官渡社区", VILLAGE, 2100)],
            "大板桥街道": [("大板桥社区", VILLAGE, 1600)],
        },
        "organisations": [
            (
                "吴井街道社会工作（人才交流）服务中心",
                "social_service",
                "吴井街道",
                None,
                "hub",
                "",
                "",
                "杨帆",
                ["governance"],
                8,
            ),
            (
                "云南省携手困难群体创业服务中心",
                "social_service",
                "吴井街道",
                "东郊路社区",
                "basic",
                "charity_relief",
                "",
                "周红",
                ["employment", "poverty"],
                10,
            ),
            (
                "云南省物业管理协会爱心工作站",
                "not_filed",
                "吴井街道",
                "五里多社区",
                "basic",
                "residents_rights",
                "",
                "吴刚",
                ["legal_aid"],
                6,
            ),
            (
                "铁路新村社区巧手工作坊",
                "filed_community",
                "吴井街道",
                "铁路新村社区",
                "characteristic",
                "",
                "社区妇女、退休居民",
                "孙丽",
                ["culture", "family"],
                22,
            ),
            (
                "五里多社区摄影沙龙",
                "filed_community",
                "吴井街道",
                "五里多社区",
                "basic",
                "culture_sports",
                "",
                "郑伟",
                ["culture"],
                35,
            ),
            (
                "东郊路社区“四点半”学校",
                "filed_community",
                "吴井街道",
                "东郊路社区",
                "characteristic",
                "",
                "双职工家庭的小学生",
                "冯静",
                ["children_youth", "education"],
                14,
            ),
            (
                "关上中心区为民助老服务队",
                "filed_community",
                "关上街道",
                "关上中心区社区",
                "basic",
                "community_service",
                "",
                "何平",
                ["elderly", "volunteering"],
                40,
            ),
        ],
        "cohort": "官渡区孵化基地2026年第一期",
        "incubating": ["铁路新村社区巧手工作坊", "东郊路社区“四点半”学校"],
        "graduated": ["五里多社区摄影沙龙"],
        "applied": ["云南省物业管理协会爱心工作站"],
        "member": ("member@guandu.demo", "铁路新村社区巧手工作坊"),
        "division": "530111",
    },
}


def demo_uscc(division: str, category: str, serial: int) -> str:
    body = f"{serial:08d}"
    first17 = f"5{category}{division}{body}{org_code_check_character(body)}"
    return first17 + check_character(first17)


@transaction.atomic
def load_demo(schema_name: str, *, password: str) -> bool:
    """Load the hub's demo content once; returns False if the hub already has streets."""
    spec = HUBS.get(schema_name)
    if spec is None or Street.objects.exists():
        return False
    if "targets" in spec:
        targets = CoverageTargets.load()
        targets.urban_minimum, targets.village_minimum = spec["targets"]
        targets.save()
    communities = {}
    for street_name, places in spec["streets"].items():
        street = Street.objects.create(name=street_name)
        for name, kind, households in places:
            communities[name] = Community.objects.create(street=street, name=name, kind=kind, households=households)
    streets = {s.name: s for s in Street.objects.all()}
    now = timezone.now()
    categories = {"social_association": "1", "social_service": "2", "foundation": "3"}
    organisations = {}
    for serial, row in enumerate(spec["organisations"], start=1):
        name, form, street, community, tier, field, group, person, fields, members = row
        organisation = Organisation(
            name=name,
            legal_form=form,
            street=streets[street],
            community=communities.get(community),
            tier=tier,
            basic_field=field,
            resident_group=group,
            responsible_person=person,
            service_fields=fields,
            members=members,
            volunteers=members * 2,
            listed_publicly=True,
            last_activity_at=now,
            uscc=demo_uscc(spec["division"], categories[form], serial) if form in categories else "",
            founded_on=datetime.date(2015 + serial % 8, 1 + serial % 12, 1),
        )
        organisation.full_clean()
        organisation.save()
        organisations[name] = organisation
    cohort = Cohort.objects.create(name=spec["cohort"], starts_on=datetime.date(2026, 3, 1))
    for name in spec["incubating"]:
        incubation = Incubation.objects.create(
            organisation=organisations[name],
            status="incubating",
            needs="场地、财务和项目管理培训",
            cohort=cohort,
            space="孵化区",
            started_on=datetime.date(2026, 3, 1),
        )
        Milestone.objects.create(incubation=incubation, title="完成备案", due_on=datetime.date(2026, 12, 31))
        Milestone.objects.create(incubation=incubation, title="完成第一个社区项目", due_on=datetime.date(2027, 2, 28))
    for name in spec["graduated"]:
        Incubation.objects.create(
            organisation=organisations[name],
            status="graduated",
            needs="组织建设",
            cohort=cohort,
            started_on=datetime.date(2025, 3, 1),
            ended_on=datetime.date(2026, 2, 28),
            outcome_note="按期出壳",
        )
    for name in spec["applied"]:
        Incubation.objects.create(organisation=organisations[name], status="applied", needs="希望入驻孵化基地")
    email, organisation_name = spec["member"]
    member = User.objects.create_user(email=email, password=password, first_name="示例成员")
    member.groups.add(ensure_roles()[Role.ORGANISATION_MEMBER])
    Membership.objects.create(user=member, organisation=organisations[organisation_name])
    _demo_filings_and_reports(organisations)
    return True


def _demo_filings_and_reports(organisations: dict[str, Organisation]) -> None:
    from incubator.filings.models import AnnualReport, DocumentRequirement, Filing
    from incubator.filings.services import send_due_reminders

    today = timezone.localdate()
    for organisation in organisations.values():
        if organisation.legal_form == "not_filed":
            Filing.objects.create(organisation=organisation, kind="filing", legal_form="filed_community")
        elif organisation.legal_form == "filed_community":
            Filing.objects.create(
                organisation=organisation,
                kind="filing",
                legal_form="filed_community",
                status="approved",
                certificate_number=f"备字{2026}{organisation.pk:04d}",
                approved_on=today - datetime.timedelta(days=90),
            )
        else:
            AnnualReport.objects.create(
                organisation=organisation,
                year=today.year - 1,
                due_on=datetime.date(today.year, 5, 31),
                status="accepted" if organisation.pk % 2 else "due",
            )
            AnnualReport.objects.create(
                organisation=organisation, year=today.year, due_on=today + datetime.timedelta(days=30)
            )
    assert DocumentRequirement.objects.exists()
    send_due_reminders(today=today)


# The five 江岸 projects of seed 002 (amounts are illustrative: the seed gives only the programme's total,
# 346万元 for 23+17+60+100 projects).
JIANGAN_PROJECTS = [
    (
        "老人居家防跌倒",
        "武汉晚晴枫养老助残服务中心",
        "charity",
        ["elderly", "disabled"],
        80,
        Decimal("50000.00"),
        "球场街道空巢老年群体居家安全风险高，80位身体不便的老人需要适老化改造。",
    ),
    (
        "启航行动——青年就业助力计划",
        "武汉春晖社会工作服务中心",
        "convenience",
        ["unemployed"],
        20,
        Decimal("40000.00"),
        "百步亭文卉苑20余名20-28岁青年多次求职不成功。",
    ),
    (
        "随艺手工生活馆",
        "随艺手工生活馆",
        "convenience",
        ["women_families"],
        300,
        Decimal("30000.00"),
        "辖区就业困难女性、全职妈妈需要一技之长。",
    ),
    (
        "惟楚有才 惟楚有戏",
        "老戏骨党员服务队",
        "culture_education",
        ["residents", "elderly"],
        680,
        Decimal("20000.00"),
        "楚剧文化逐渐淡出人们的视野，需要传承。",
    ),
    (
        "光华社区“红色引擎”车辆自治之家",
        "光华社区“红色引擎”车辆自治之家",
        "rights",
        ["residents"],
        500,
        Decimal("20000.00"),
        "老旧小区没有物业、没有停车场地，车辆管理矛盾突出。",
    ),
]


# Each project's objectives: short (< 3 months), medium (3-12 months) and long term (> 1 year), seed 000 Q6,
# measured by what seed 002 reports of the project (households adapted, young people served, cases, trainings,
# women re-employed, performances and audiences, parking spaces). Targets are illustrative.
# Rates measured at the end (the decrease so far), never added up period by period.
RATE_INDICATORS = {"改造家庭跌倒发生率下降", "车辆纠纷下降"}
JIANGAN_OBJECTIVES = {
    "老人居家防跌倒": [
        ("short", "对辖区身体不便的老人入户开展需求调查，形成需求评估报告", "入户评估户数", "80", "户"),
        ("medium", "对空巢老年家庭的通道、居室、厨房、卫生间实施适老化改造", "适老化改造户数", "60", "户"),
        ("long", "降低空巢老人居家跌倒风险", "改造家庭跌倒发生率下降", "30", "%"),
    ],
    "启航行动——青年就业助力计划": [
        ("short", "为每位待业青年量身定做专属计划，开展个案辅导", "个案数", "6", "个"),
        ("medium", "开展生涯规划与集中技能培训", "集中技能培训场次", "2", "场"),
        ("long", "提升待业青年的职业技能和社会适应度", "服务待就业青年人数", "10", "人"),
    ],
    "随艺手工生活馆": [
        ("short", "开设花艺、手工皮具、专业烘焙三项免费技能培训", "技能培训场次", "24", "场"),
        ("medium", "让辖区就业困难的女性掌握一技之长", "培训妇女人数", "100", "人"),
        ("long", "以创业带动就业，帮助辖区女性再就业、创业", "再就业、创业人数", "15", "人"),
    ],
    "惟楚有才 惟楚有戏": [
        ("short", "每周义务为居民开展楚剧教学和指导", "楚剧教学次数", "40", "次"),
        ("medium", "定期开展社区文艺演出和“戏曲进校园”活动", "演出场次", "8", "场"),
        ("long", "让更多居民和青少年感受楚剧文化的魅力", "观众人次", "2000", "人次"),
    ],
    "光华社区“红色引擎”车辆自治之家": [
        ("short", "组建车辆自治志愿团队，建立志愿者花名册和三班倒服务机制", "登记志愿者人数", "20", "人"),
        ("medium", "规范老旧小区的停车秩序", "规范停车位数", "60", "个"),
        ("long", "减少车辆纠纷，改善邻里关系", "车辆纠纷下降", "50", "%"),
    ],
}


@transaction.atomic
def load_funding_demo(schema_name: str, *, password: str) -> bool:
    """江岸: a past call with the seed's projects, awarded, and an open call; once per hub."""
    from incubator.funding.models import (
        Application,
        BudgetLine,
        BudgetStandard,
        Call,
        Criterion,
        Need,
        Objective,
        PublicNotice,
        RubricTemplate,
    )

    if schema_name != "jiangan" or Call.objects.exists() or not Organisation.objects.exists():
        return False
    template = RubricTemplate.objects.first()
    now = timezone.now()
    communities = {c.name: c for c in Community.objects.all()}
    needs = [
        Need.objects.create(
            community=communities["安静社区"],
            title="空巢老人居家安全",
            gathered_by="questionnaire",
            gathered_on=datetime.date(2019, 3, 1),
            people_consulted=80,
            description="对辖区80位身体不便的老年人开展需求调查。",
        ),
        Need.objects.create(
            community=communities["文卉苑社区"],
            title="待业青年就业",
            gathered_by="visits",
            gathered_on=datetime.date(2019, 3, 10),
            people_consulted=20,
            description="入户走访发现20余例求职不成功的青年。",
        ),
        Need.objects.create(
            community=communities["光华社区"],
            title="老旧小区车辆管理",
            gathered_by="forum",
            gathered_on=datetime.date(2019, 2, 20),
            people_consulted=120,
            description="召开居民代表大会、问卷调查了解车辆管理需求。",
        ),
    ]

    def make_call(title, status, opens, closes, budget):
        call = Call.objects.create(
            title=title,
            status=status,
            budget=budget,
            per_project_cap=Decimal("50000.00"),
            service_fields=["charity", "culture_education", "rights", "convenience"],
            opens_at=opens,
            closes_at=closes,
            description="面向江岸区社区社会组织征集回应居民需求的公益服务项目。",
        )
        Criterion.objects.bulk_create(
            Criterion(call=call, name=c.name, guidance=c.guidance, weight=c.weight, position=c.position)
            for c in template.criteria.all()
        )
        BudgetStandard.objects.create(call=call, category="administration", max_percent=Decimal("10"))
        BudgetStandard.objects.create(call=call, category="staff", max_percent=Decimal("30"))
        call.quotas.create(target_group="elderly", min_percent=Decimal("50"))
        call.needs.set(needs)
        return call

    past = make_call(
        "2019年江岸区社区公益创投",
        "announced",
        now.replace(year=2019, month=3, day=1),
        now.replace(year=2019, month=4, day=1),
        Decimal("200000.00"),
    )
    PublicNotice.objects.create(
        call=past,
        starts_on=datetime.date(2019, 5, 6),
        ends_on=datetime.date(2019, 5, 10),
        closed_at=now.replace(year=2019, month=5, day=11),
    )
    organisations = {o.name: o for o in Organisation.objects.all()}
    for rank, (title, organisation, field, groups, people, amount, problem) in enumerate(JIANGAN_PROJECTS, 1):
        application = Application.objects.create(
            call=past,
            organisation=organisations[organisation],
            status="awarded",
            title=title,
            service_field=field,
            problem=problem,
            target_groups=groups,
            beneficiaries=people,
            activities="需求调研、服务实施、成效评估",
            starts_on=datetime.date(2019, 6, 1),
            ends_on=datetime.date(2020, 5, 31),
            submitted_at=now.replace(year=2019, month=3, day=20),
            score=Decimal(92 - rank * 3),
            rank=rank,
            awarded_amount=amount,
        )
        BudgetLine.objects.create(
            application=application, category="activities", item="服务活动", amount=amount * Decimal("0.7")
        )
        BudgetLine.objects.create(
            application=application, category="staff", item="社工补贴", amount=amount * Decimal("0.25")
        )
        BudgetLine.objects.create(
            application=application, category="administration", item="管理费", amount=amount * Decimal("0.05")
        )
        for term, description, indicator, target, unit in JIANGAN_OBJECTIVES[title]:
            rate = indicator in RATE_INDICATORS
            Objective.objects.create(
                application=application,
                term=term,
                description=description,
                indicator=indicator,
                target=Decimal(target),
                unit=unit,
                accumulation="latest" if rate else "sum",
                direction="decrease_by" if rate else "increase_to",
            )
    make_call(
        "2026年江岸区社区公益创投（第二批）",
        "open",
        now - datetime.timedelta(days=7),
        now + datetime.timedelta(days=30),
        Decimal("300000.00"),
    )
    expert_group = ensure_roles()[Role.EXPERT]
    for index in (1, 2, 3):
        expert = User.objects.create_user(
            email=f"expert{index}@jiangan.demo", password=password, first_name=f"评审专家{index}"
        )
        expert.groups.add(expert_group)
    return True
