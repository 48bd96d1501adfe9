"""Demo content: the five 江岸 projects of seed 002, carried through their whole lifecycle (see the domain in
docs/architecture.md).

``incubator.demo.load_funding_demo`` awards the five applications of the 2019 call; this module turns each
into a funded project and lives it from the contract (May 2019) to its closing (July 2020): installments,
activities, periodic and mid-term reports, supervision visits (光华 has a rectification, answered and accepted),
the mid-term review, the final report with its financial statement (决算, accepted by the hub), the residents'
appraisal (民事民评) with its ballots and published results, the third-party evaluation (two 优秀, so two brand
projects) and the acceptance that releases 尾款.

Every step goes through ``incubator.projects.services`` with the actor whose role it is, so states,
installments and the audit trail are what the services make of them. The story is replayed on its own
dates: each step runs under ``_on(day)``, which sets Django's clock to that day, so a service's "today"
(the mid-term acceptance, the closing, a rectification's deadline, audit timestamps) falls where the story
puts it rather than on the day the demo is loaded.

Facts and figures are the seed's where it gives them: 老人居家防跌倒 surveyed 80 older people and has adapted
500 homes since 2015 (万爷爷's handrails); 启航行动 served 9 young people with 6 cases and 1 training;
随艺手工生活馆 trains women in flowers, leather and baking and helped 19 into work; the 老戏骨 team of 25
retired 楚剧 actors reached 680 pupils of 解放中学; 光华's 20-odd volunteers keep the parking in three shifts
with points exchanged for tissues and car-wash vouchers. Other numbers, the amounts (and the spending of the
financial statements, where the epidemic cut 启航行动's second training and 老戏骨's eighth performance), the
people of the supervision and evaluation agencies and all dates are illustrative.
"""

from __future__ import annotations

import datetime
from contextlib import contextmanager
from unittest import mock

from django.db import transaction
from django.utils import timezone

from incubator.accounts.models import User
from incubator.accounts.roles import Role, ensure_roles
from incubator.orgs.models import Membership, Organisation
from incubator.permissions import operators
from incubator.projects import services
from incubator.projects.models import Project, Rectification, ReportKind

D = datetime.date
SUPERVISOR = ("supervisor@jiangan.demo", "示例督导", "江岸区社会组织服务中心督导团队")
EVALUATOR = ("evaluator@jiangan.demo", "示例评估员", "武汉市社会组织第三方评估中心")
OPERATOR_EMAIL = "operator@jiangan.demo"
HUB_SIGNATORY = "周洁"  # illustrative

# The reporting periods: two progress reports, the mid-term report and the final report. Values are per
# period (the project's page adds them up), so a rate is reported once, in the final report.
PERIODS = [
    (ReportKind.PERIODIC, D(2019, 6, 1), D(2019, 8, 31)),
    (ReportKind.MID_TERM, D(2019, 9, 1), D(2019, 11, 30)),
    (ReportKind.PERIODIC, D(2019, 12, 1), D(2020, 2, 29)),
    (ReportKind.FINAL, D(2020, 3, 1), D(2020, 5, 31)),
]
# When each step of the lifecycle happens; a project's own days are shifted by its position (0-4 days).
MILESTONES = {
    "sign": D(2019, 5, 20),
    "first_installment": D(2019, 5, 27),
    "report_0": D(2019, 9, 4),
    "start_mid_term": D(2019, 12, 2),
    "report_1": D(2019, 12, 4),
    "accept_mid_term": D(2019, 12, 11),
    "second_installment": D(2019, 12, 18),
    "report_2": D(2020, 3, 6),
    "ask_final_report": D(2020, 6, 1),
    "report_3": D(2020, 6, 10),
    "accept_final_report": D(2020, 6, 12),
    "start_appraisal": D(2020, 6, 15),
    "start_evaluation": D(2020, 6, 29),
    "publish_appraisal": D(2020, 6, 30),
    "evaluate": D(2020, 7, 17),
    "accept": D(2020, 7, 28),
    "publish_progress": D(2020, 7, 30),
}
APPRAISAL_DAYS = 14

STORIES = [
    {
        "title": "老人居家防跌倒",
        "member": ("wanqingfeng@jiangan.demo", "陈芳"),
        "activities": [
            (
                D(2019, 6, 12),
                "空巢老人居家安全需求调查",
                "专业社工入户，对辖区80位身体不便的老年人开展需求状况调查，收集居家环境和身体状况数据。",
                80,
                80,
            ),
            (
                D(2019, 7, 10),
                "需求评估报告说明会",
                "向社区两委、居民代表和老人家属说明需求评估报告和改造方案，确定免费或低偿改造的标准。",
                35,
                12,
            ),
            (
                D(2019, 8, 22),
                "第一批居家适老化改造",
                "为12户空巢老年家庭调整通道、卫生间，加装扶手和防滑垫。",
                12,
                0,
            ),
            (
                D(2019, 10, 16),
                "为红艳村万爷爷安装扶手",
                "万爷爷长年使用双拐，曾在厨房滑倒骨折，自己在厕所捆了一根铁管做支撑。"
                "工作人员上门为他在卫生间和厨房安装了尼龙扶手。",
                1,
                0,
            ),
            (
                D(2019, 11, 20),
                "第二批居家适老化改造",
                "为20户家庭的厨房、居室做防滑处理，改善照明，调整家具配置和细节保护。",
                20,
                0,
            ),
            (
                D(2019, 12, 18),
                "“防跌倒”居家安全讲座",
                "为老人和家属讲解居家防跌倒知识和身体状况监测方法。",
                42,
                15,
            ),
            (D(2020, 1, 9), "第三批居家适老化改造", "为18户家庭加装扶手、夜灯和防滑设施。", 18, 0),
            (
                D(2020, 5, 14),
                "改造家庭回访",
                "疫情期间以电话随访为主；解封后入户回访改造家庭，了解设施使用情况和跌倒发生情况。",
                64,
                0,
            ),
            (D(2020, 5, 27), "第四批居家适老化改造", "为14户家庭完成卫生间和通道改造。", 14, 0),
        ],
        "values": {
            "入户评估户数": (80, 0, 0, 0),
            "适老化改造户数": (12, 20, 18, 14),
            "改造家庭跌倒发生率下降": (None, None, None, 35),  # a rate, measured at the revisits at the end
        },
        "summaries": [
            "完成80位身体不便老人的入户需求调查，形成需求评估报告；完成第一批12户改造。",
            "完成第二批20户改造，其中为红艳村万爷爷在卫生间和厨房安装了尼龙扶手。中期目标按计划推进。",
            "举办防跌倒讲座，完成第三批18户改造；2020年1月下旬起受疫情影响暂停入户，改为电话随访。",
            "解封后完成第四批14户改造和全部回访：本期共改造64户，改造家庭跌倒发生率比改造前下降35%。"
            "项目自2015年实施以来，累计已为500个空巢老年家庭实施了居家安全设施改造。",
        ],
        "visits": [
            (
                D(2019, 9, 17),
                "需求评估报告规范，改造户的选择有依据；改造前后照片和老人签字的确认单齐全。",
                "建立改造家庭档案，回访时记录跌倒情况，便于结项时评估成效。",
                None,
            ),
            (
                D(2020, 5, 20),
                "疫情期间坚持电话随访，解封后及时恢复入户；改造质量良好，老人反映安心多了。",
                "总结改造标准和流程，形成可复制推广的服务手册。",
                None,
            ),
        ],
        "mid_term": "需求评估扎实，改造进度符合计划，经费使用规范。同意通过中期评估。",
        "spending": {
            "服务活动": ("34180.00", ""),
            "社工补贴": ("13420.00", "疫情期间以电话随访为主，社工随访工时增加。"),
            "管理费": ("2400.00", ""),
        },
        "ballots": (
            {5: 34, 4: 11, 3: 3},
            ["扶手装上以后，上厕所安心多了。", "社工上门很耐心，谢谢！", "希望能多改造几户。"],
        ),
        "evaluation": (
            "excellent",
            {
                "入户评估户数": (10, "80户全部完成入户评估，报告规范。"),
                "适老化改造户数": (10, "完成64户，超过目标。"),
                "改造家庭跌倒发生率下降": (9, "回访记录完整，下降35%。"),
            },
            "需求评估扎实，改造精准回应空巢老人的安全需求，减轻了家属的照顾压力；项目自2015年以来"
            "累计服务500个空巢老年家庭，经验可复制推广。",
            "将改造标准和回访机制整理成服务手册，在其他老旧社区推广；引入家属和邻里参与日常关照。",
        ),
    },
    {
        "title": "启航行动——青年就业助力计划",
        "member": ("chunhui@jiangan.demo", "刘洋"),
        "activities": [
            (
                D(2019, 6, 18),
                "待业青年入户走访",
                "与文卉苑居委会一起走访多次求职不成功的20-28岁青年，了解心理状态、适应力和家庭状况，9人报名参加。",
                14,
                9,
            ),
            (D(2019, 7, 5), "个案辅导启动", "为每位青年量身定做专属计划，开展一对一个案辅导。", 6, 0),
            (D(2019, 8, 9), "技能小组：求职与面试", "模拟面试，练习简历撰写和求职沟通。", 8, 0),
            (D(2019, 9, 21), "户外拓展", "通过团队协作和挑战项目提升自信心和社会适应度。", 12, 0),
            (
                D(2019, 10, 26),
                "生涯规划培训",
                "社工运用伍德（Wood）的“生涯选择配合论”，引导青年了解自己的能力、兴趣、人格、需求和价值观，"
                "探索工作世界所需的能力和特质，订立发展目标。",
                9,
                0,
            ),
            (D(2019, 12, 14), "家属座谈会", "与青年家属交流项目进展，争取家庭支持。", 11, 0),
            (D(2020, 5, 16), "个案结案回访", "回访6个个案的就业和生涯规划执行情况，完成结案评估。", 6, 0),
        ],
        "values": {
            "个案数": (4, 2, 0, 0),
            "集中技能培训场次": (0, 1, 0, 0),
            "服务待就业青年人数": (9, 0, 0, 0),
        },
        "summaries": [
            "入户走访后9名待业青年参加项目，建立4个个案，开展求职技能小组。",
            "新建2个个案，开展户外拓展和1场集中生涯规划培训。",
            "召开家属座谈会；原定第二场集中培训因疫情取消，改为线上个别辅导。",
            "完成6个个案的结案回访。项目共服务9名待就业青年，开展个案6个、集中技能培训1场次，服务对象及家属一致好评。",
        ],
        "visits": [
            (
                D(2019, 9, 24),
                "个案计划针对性强，青年参与积极；个案记录较完整。",
                "加强与用人单位的对接，为青年提供见习机会。",
                None,
            ),
            (
                D(2020, 5, 19),
                "疫情后及时恢复服务，结案评估规范。",
                "补齐集中培训的缺口，可以与街道就业服务站联合开展。",
                None,
            ),
        ],
        "mid_term": "个案辅导进展良好，培训场次略少于计划，同意通过中期评估，请下半期补足。",
        "spending": {
            "服务活动": ("23650.00", "原定第二场集中技能培训因疫情取消，场地、讲师和物料费用没有发生。"),
            "社工补贴": ("11400.00", "培训取消后改为线上一对一辅导，社工服务时数增加。"),
            "管理费": ("1950.00", ""),
        },
        "ballots": ({5: 12, 4: 9, 3: 3}, ["孩子现在愿意出门找工作了。", "生涯规划课很有用。"]),
        "evaluation": (
            "good",
            {
                "个案数": (9, "6个个案全部结案，记录完整。"),
                "集中技能培训场次": (7, "完成1场，少于计划的2场（疫情影响）。"),
                "服务待就业青年人数": (8, "服务9人，接近目标。"),
            },
            "项目带动了社区内青年的就业热情，提升了他们在劳动市场中的竞争力和自我效能感；"
            "服务对象及其家属一致好评。集中培训因疫情少于计划。",
            "与用人单位和街道就业服务站建立见习合作，补足集中技能培训；跟踪服务对象的就业情况。",
        ),
    },
    {
        "title": "随艺手工生活馆",
        "member": None,  # member@jiangan.demo, from incubator.demo.load_demo
        "activities": [
            (D(2019, 6, 15), "花艺技能免费培训（第一期）", "在社区党群服务中心妇女之家开课。", 24, 24),
            (D(2019, 7, 13), "手工皮具技能培训", "从选料、裁剪到缝制，学员完成第一件作品。", 20, 16),
            (
                D(2019, 8, 10),
                "“红色引擎 引爆甜蜜”党员亲子烘焙体验",
                "每月2次的亲子烘焙课程，拉近父母与子女的关系。",
                36,
                12,
            ),
            (D(2019, 9, 7), "专业烘焙技能培训", "面向全职妈妈和就业困难女性。", 22, 14),
            (D(2019, 10, 19), "萌娃“网红”手工跳蚤市集", "孩子们义卖手工作品，吸纳社区志愿者。", 180, 60),
            (D(2019, 11, 16), "“变废为宝 美化社区”手工活动", "用废旧材料制作装饰，美化社区公共空间。", 65, 20),
            (
                D(2019, 12, 21),
                "国内外销售平台对接会",
                "负责人利用海外留学背景，为学员对接国内外销售平台，以创业带动就业。",
                19,
                0,
            ),
            (D(2020, 1, 11), "花艺技能免费培训（第二期）", "", 26, 10),
            (D(2020, 5, 23), "复课后的亲子烘焙体验", "疫情后恢复线下课程。", 30, 8),
        ],
        "values": {
            "技能培训场次": (8, 8, 4, 6),
            "培训妇女人数": (40, 36, 14, 22),
            "再就业、创业人数": (0, 6, 5, 8),
        },
        "summaries": [
            "开设花艺、手工皮具两项免费培训，开展党员亲子烘焙体验。",
            "开设专业烘焙培训，举办萌娃手工跳蚤市集和“变废为宝 美化社区”活动；6名学员实现再就业或创业。",
            "举办销售平台对接会；疫情期间课程暂停，改为线上答疑。",
            "恢复线下课程。项目共培训妇女112人，帮助19名女性再就业、创业。",
        ],
        "visits": [
            (
                D(2019, 9, 12),
                "三项技能培训按计划开展，学员以全职妈妈和就业困难女性为主；签到和作品记录齐全。",
                "记录学员就业、创业的去向，便于评估成效。",
                None,
            ),
            (
                D(2020, 5, 26),
                "复课及时，学员就业创业情况有台账。",
                "总结“创业带动就业”的模式，带动更多社区志愿者。",
                None,
            ),
        ],
        "mid_term": "培训和活动超额完成，学员就业创业初见成效。同意通过中期评估。",
        "spending": {
            "服务活动": ("21650.00", ""),
            "社工补贴": ("6900.00", ""),
            "管理费": ("1450.00", ""),
        },
        "ballots": (
            {5: 38, 4: 15, 3: 3},
            ["学了烘焙，现在在家接订单。", "亲子烘焙课孩子特别喜欢。", "跳蚤市集很热闹，希望常办。"],
        ),
        "evaluation": (
            "excellent",
            {
                "技能培训场次": (9, "完成26场。"),
                "培训妇女人数": (10, "培训112人，超过目标。"),
                "再就业、创业人数": (10, "19名女性再就业、创业，有台账可查。"),
            },
            "以家庭需求为导向，三项技能免费培训让就业困难的女性掌握一技之长，用创业带动就业的模式成效明显；"
            "亲子烘焙、跳蚤市集等活动带动了社区志愿者，居民好评多。",
            "把创业带动就业的经验整理成案例，在百步亭其他社区推广；建立学员作品的长期销售渠道。",
        ),
    },
    {
        "title": "惟楚有才 惟楚有戏",
        "member": ("laoxigu@jiangan.demo", "童银珠"),
        "activities": [
            (
                D(2019, 6, 8),
                "每周楚剧教学班开班",
                "服务队25名武汉市楚剧院退休老演员义务教授楚剧的演唱和表演技巧。",
                30,
                30,
            ),
            (D(2019, 6, 29), "社区楚剧专场演出", "向社区居民普及楚剧、楚文化知识。", 320, 300),
            (D(2019, 9, 27), "国庆楚剧文艺演出", "", 420, 260),
            (
                D(2019, 10, 24),
                "“戏曲进校园”",
                "在解放中学开展戏曲进校园活动，680名学生感受楚剧文化的魅力。",
                680,
                680,
            ),
            (
                D(2019, 11, 30),
                "茶馆会谈：服务队自治制度回顾",
                "运用茶馆会谈、心智图回顾内部自治服务制度和志愿服务兑换机制。",
                25,
                0,
            ),
            (D(2020, 1, 12), "迎新春楚剧联欢演出", "", 380, 180),
            (D(2020, 5, 23), "户外小规模楚剧教学", "疫情后恢复教学，分散进行。", 20, 4),
        ],
        "values": {
            "楚剧教学次数": (13, 13, 7, 9),
            "演出场次": (2, 3, 1, 1),
            "观众人次": (620, 1360, 380, 100),
        },
        "summaries": [
            "每周开展楚剧教学，举办社区楚剧专场演出。",
            "举办国庆演出和解放中学“戏曲进校园”（680名学生），开展茶馆会谈。",
            "举办迎新春联欢演出；疫情期间暂停集中教学，改为微信群线上教学。",
            "恢复户外小规模教学。项目共开展楚剧教学42次、演出7场，观众2460人次。",
        ],
        "visits": [
            (
                D(2019, 9, 20),
                "老演员教学认真，学员稳定；演出有影响力。",
                "做好演出的观众人数统计，留存影像资料。",
                None,
            ),
            (
                D(2020, 5, 28),
                "疫情后恢复教学，注意防护；演出场次因疫情少于计划。",
                "与学校建立长期合作，让戏曲进校园常态化。",
                None,
            ),
        ],
        "mid_term": "教学和演出按计划开展，戏曲进校园反响好。同意通过中期评估。",
        "spending": {
            "服务活动": ("12200.00", "演出场次因疫情少于计划（7场，计划8场），演出场地和音响租赁费用相应减少。"),
            "社工补贴": ("5000.00", ""),
            "管理费": ("980.00", ""),
        },
        "ballots": (
            {5: 36, 4: 18, 3: 5, 2: 1},
            ["老艺术家唱得真好！", "孩子在学校看了演出，回家还在学。", "希望演出多一些。"],
        ),
        "evaluation": (
            "good",
            {
                "楚剧教学次数": (9, "完成42次。"),
                "演出场次": (8, "完成7场，疫情影响少于计划。"),
                "观众人次": (9, "2460人次，超过目标。"),
            },
            "老戏骨党员服务队发挥专业优势，打造了“惟楚有才 惟楚有戏”品牌，楚剧教学和戏曲进校园"
            "让年轻人感受到楚剧文化的魅力。演出场次因疫情略少。",
            "与解放中学建立长期合作；培养年轻学员加入服务队，让楚剧传承后继有人。",
        ),
    },
    {
        "title": "光华社区“红色引擎”车辆自治之家",
        "member": ("guanghua@jiangan.demo", "李强"),
        "activities": [
            (
                D(2019, 6, 6),
                "居民代表大会：车辆管理议题协商",
                "面对面访谈、问卷调查之后，召开居民代表大会，协商车辆自治方案。",
                58,
                58,
            ),
            (
                D(2019, 6, 22),
                "车辆自治志愿团队成立",
                "党员志愿团队成立，成员都是车主及其家人；建立志愿者花名册。",
                22,
                22,
            ),
            (D(2019, 7, 15), "施划停车位、设置引导标识", "在没有规划停车场地的老旧小区规范停车。", 40, 0),
            (D(2019, 8, 3), "三班倒值守启动", "志愿者实行三班倒服务，自主收费、自主管理。", 22, 0),
            (
                D(2019, 10, 26),
                "收费标准居民现场投票",
                "召开居民代表会议，现场投票确定停车收费标准和志愿者补贴办法。",
                146,
                80,
            ),
            (D(2019, 12, 7), "志愿积分兑换", "为他人服务的积分兑换纸巾、洗车券等小礼品。", 25, 0),
            (D(2020, 5, 9), "停车秩序整治", "复工复产后车辆增多，重新整理停车秩序。", 30, 0),
        ],
        "values": {
            "登记志愿者人数": (22, 0, 0, 0),
            "规范停车位数": (40, 14, 0, 8),
            "车辆纠纷下降": (None, None, None, 40),  # a rate, measured at the end
        },
        "summaries": [
            "成立车辆自治党员志愿团队（22人），建立花名册和三班倒服务机制；施划规范停车位40个。",
            "按督导要求公示收费标准和收支明细，居民现场投票通过；新增规范停车位14个。",
            "开展志愿积分兑换；疫情期间小区封闭管理，志愿者协助值守。",
            "复工后整治停车秩序，新增停车位8个。车辆纠纷比项目开始前下降40%，居民表示停车比以前容易多了。",
        ],
        "visits": [
            (
                D(2019, 9, 18),
                "志愿者值守到位，停车秩序明显好转；但自主收费的标准和收支明细没有向居民公示，"
                "志愿者补贴的发放没有记录。",
                "财务公开是自治的基础。",
                (
                    "公示停车收费标准和收支明细，建立志愿者补贴发放台账，并提交居民代表会议确认。",
                    D(2019, 10, 31),
                    D(2019, 10, 28),
                    "10月26日召开居民代表会议，现场投票通过收费标准和补贴办法；收支明细每月在社区公示栏公示；"
                    "补贴发放台账已建立。",
                    D(2019, 10, 30),
                    "已核实公示栏和台账，整改到位。",
                ),
            ),
            (
                D(2020, 5, 15),
                "收支每月公示，台账清楚；复工后停车秩序保持良好。",
                "发掘、培养更多社区领袖，扩大志愿团队。",
                None,
            ),
        ],
        "mid_term": "整改到位，自治机制运转正常。同意通过中期评估。",
        "spending": {
            "服务活动": ("13260.00", ""),
            "社工补贴": ("5600.00", "疫情期间小区封闭管理，志愿者协助值守，补贴按居民代表会议通过的办法发放。"),
            "管理费": ("1000.00", ""),
        },
        "ballots": (
            {5: 17, 4: 15, 3: 6, 2: 2},
            ["停车比以前容易多了。", "邻里关系比以前融洽。", "晚上车位还是紧张。"],
        ),
        "evaluation": (
            "pass",
            {
                "登记志愿者人数": (8, "22名志愿者登记在册。"),
                "规范停车位数": (8, "完成62个。"),
                "车辆纠纷下降": (6, "下降40%，未达到50%的目标。"),
            },
            "项目以居民互助为出发点，发挥了居民的能动性，停车难、停车乱得到改善；"
            "财务公开经整改后规范，车辆纠纷的下降未达目标。",
            "继续扩大志愿团队，引导更多居民加入社区治理志愿联盟；与周边单位协商错时共享车位。",
        ),
    },
]


@contextmanager
def _on(day: datetime.date, hour: int = 10, minute: int = 0):
    """Run the enclosed steps on ``day``: the services' "today" and every timestamp they write."""
    moment = timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))
    with mock.patch.object(timezone, "now", lambda: moment):
        yield


def _person(email: str, role: str, first_name: str, password: str) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(email=email, password=password, first_name=first_name)
    user.groups.add(ensure_roles()[role])
    return user


def _member_of(organisation: Organisation, spec, password: str) -> User:
    """Someone who acts for the organisation: its first member, or a new demo account."""
    membership = Membership.objects.filter(organisation=organisation).select_related("user").order_by("pk").first()
    if membership:
        return membership.user
    email, name = spec
    user = _person(email, Role.ORGANISATION_MEMBER, name, password)
    Membership.objects.create(user=user, organisation=organisation)
    return user


def _operator(password: str) -> User:
    found = operators().order_by("pk").first()
    return found or _person(OPERATOR_EMAIL, Role.OPERATOR, "示例运营", password)


@transaction.atomic
def load_projects_demo(schema_name: str, *, password: str) -> bool:
    """Give the 江岸 hub the seed's five projects, closed; once. False if there are projects already or the
    2019 call's awarded applications (``load_funding_demo``) are missing."""
    from incubator.funding.models import Application, ApplicationStatus

    if schema_name != "jiangan" or Project.objects.exists():
        return False
    applications = {
        a.title: a
        for a in Application.objects.filter(
            status=ApplicationStatus.AWARDED, title__in=[s["title"] for s in STORIES], starts_on__year=2019
        ).select_related("organisation")
    }
    if len(applications) != len(STORIES):
        return False
    organisations = [a.organisation for a in applications.values()]
    last_active = {o.pk: o.last_activity_at for o in organisations}
    people = {
        "operator": _operator(password),
        "supervisor": _person(SUPERVISOR[0], Role.SUPERVISOR, SUPERVISOR[1], password),
        "evaluator": _person(EVALUATOR[0], Role.EVALUATOR, EVALUATOR[1], password),
    }
    for shift, story in enumerate(STORIES):
        application = applications[story["title"]]
        member = _member_of(application.organisation, story["member"], password)
        _live(story, application, dict(people, member=member), shift)
    # The story's steps touched the organisations on their 2019-2020 dates; they stay as active as they were.
    for pk, when in last_active.items():
        Organisation.objects.filter(pk=pk).update(last_activity_at=when)
    return True


# --- Evidence (佐证材料): a photo of every activity and visit, the signed contract, the evaluation report ------

PHOTO_COLOURS = [(11, 110, 79), (201, 120, 40), (40, 96, 170), (150, 60, 120), (90, 130, 60)]


def _photo(index: int) -> bytes:
    """A small stand-in photo (a coloured scene), different for each record, so the pages have pictures."""
    import io

    from PIL import Image, ImageDraw

    colour = PHOTO_COLOURS[index % len(PHOTO_COLOURS)]
    image = Image.new("RGB", (640, 480), (236, 240, 243))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 330, 640, 480), fill=tuple(c // 2 + 100 for c in colour))
    for person in range(3 + index % 4):  # people standing in a row
        x = 90 + person * 110
        draw.ellipse((x, 170, x + 50, 220), fill=colour)
        draw.rectangle((x - 5, 225, x + 55, 340), fill=colour)
    draw.rectangle((40 + index * 37 % 300, 40, 300 + index * 37 % 300, 120), fill=(255, 255, 255))
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=70)
    return buffer.getvalue()


def _evaluation_report(project, evaluation) -> bytes:
    from incubator.pdf import Document

    document = Document()
    story = [
        document.p(f"{project.application.title} 第三方评估报告", document.title),
        document.p(f"{evaluation.get_grade_display()} · {evaluation.score}/100", document.subtitle),
        document.p("评估发现", document.heading),
        document.p(evaluation.findings),
        document.p("改进建议", document.heading),
        document.p(evaluation.recommendations),
    ]
    return document.build(story, title=f"{project.application.title} 第三方评估报告", author=EVALUATOR[2])


def _attach(actor, record, name: str, content: bytes, title: str, public: bool = False) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    services.add_evidence(
        actor=actor, record=record, uploaded_file=SimpleUploadedFile(name, content), title=title, public=public
    )


def _live(story: dict, application, people: dict, shift: int) -> Project:
    """One project's life, step by step in date order, each step on its own day."""
    operator, supervisor, evaluator, member = (
        people["operator"],
        people["supervisor"],
        people["evaluator"],
        people["member"],
    )
    days = {name: day + datetime.timedelta(days=shift) for name, day in MILESTONES.items()}
    with _on(days["sign"], 9):
        project = services.create_project(actor=operator, application=application)
    objectives = {o.indicator: o for o in application.objectives.all()}
    lines = {line.item: line for line in application.budget_lines.all()}

    def current() -> Project:
        return Project.objects.get(pk=project.pk)

    def installment(position):
        return current().installments.get(position=position)

    def sign():
        services.sign_contract(
            actor=operator,
            project=current(),
            signed_on=days["sign"],
            signed_by_organisation=application.organisation.responsible_person or member.get_full_name(),
            signed_by_hub=HUB_SIGNATORY,
        )
        services.assign_supervisor(actor=operator, project=current(), supervisor=supervisor, agency=SUPERVISOR[2])
        services.assign_evaluator(actor=operator, project=current(), evaluator=evaluator, agency=EVALUATOR[2])
        from incubator.projects.documents import contract_pdf

        _attach(member, current(), "signed-contract.pdf", contract_pdf(current()), "签字盖章协议扫描件")

    def report(index):
        kind, start, end = PERIODS[index]
        values = {objectives[name].pk: (figures[index], "") for name, figures in story["values"].items()}
        services.submit_report(
            actor=member,
            project=current(),
            kind=kind,
            period_start=start,
            period_end=end,
            summary=story["summaries"][index],
            values=values,
            spending={lines[item].pk: spent for item, spent in story["spending"].items()}
            if kind == ReportKind.FINAL
            else None,
        )

    def activity(row):
        held_on, title, description, participants, beneficiaries = row
        record = services.record_activity(
            actor=member,
            project=current(),
            held_on=held_on,
            title=title,
            description=description,
            participants=participants,
            beneficiaries=beneficiaries,
        )
        number = story["activities"].index(row)
        _attach(
            member,
            record,
            f"activity-{number + 1}.jpg",
            _photo(number + shift),
            f"{title[:90]} 现场照片",
            public=number % 2 == 0,
        )

    def visit(row):
        visited_on, findings, recommendations, rectification = row
        requirement, due_on = (rectification[0], rectification[1]) if rectification else ("", None)
        record = services.record_visit(
            actor=supervisor,
            project=current(),
            visited_on=visited_on,
            findings=findings,
            recommendations=recommendations,
            rectification=requirement,
            rectify_by=due_on,
        )
        _attach(supervisor, record, "visit.jpg", _photo(shift + 3), f"{visited_on.isoformat()} 督导走访照片")

    def answer(text):
        open_one = Rectification.objects.get(project=project, status="open")
        services.answer_rectification(actor=member, rectification=open_one, answer=text)

    def accept_rectification(comment):
        answered = Rectification.objects.select_related("project").get(project=project, status="answered")
        services.review_rectification(actor=supervisor, rectification=answered, accept=True, comment=comment)

    def ballots():
        _appraise(current(), story["ballots"], days["start_appraisal"], shift)

    def evaluate():
        grade, scores, findings, recommendations = story["evaluation"]
        evaluation = services.submit_evaluation(
            actor=evaluator,
            project=current(),
            grade=grade,
            scores={
                objectives[name].pk: (
                    services.achieved(
                        objectives[name].accumulation, [v for v in story["values"][name] if v is not None]
                    ),
                    score,
                    comment,
                )
                for name, (score, comment) in scores.items()
            },
            findings=findings,
            recommendations=recommendations,
        )
        _attach(
            evaluator, evaluation, "evaluation-report.pdf", _evaluation_report(project, evaluation), "第三方评估报告"
        )

    steps = [
        (days["sign"], sign),
        (
            days["first_installment"],
            lambda: services.release_installment(
                actor=operator, installment=installment(1), released_on=days["first_installment"]
            ),
        ),
        (days["start_mid_term"], lambda: services.start_mid_term_review(actor=supervisor, project=current())),
        (
            days["accept_mid_term"],
            lambda: services.record_mid_term_review(
                actor=supervisor, project=current(), opinion=story["mid_term"], accepted=True
            ),
        ),
        (
            days["second_installment"],
            lambda: services.release_installment(
                actor=operator, installment=installment(2), released_on=days["second_installment"]
            ),
        ),
        (days["ask_final_report"], lambda: services.ask_for_final_report(actor=operator, project=current())),
        (days["accept_final_report"], lambda: services.accept_final_report(actor=operator, project=current())),
        (days["start_appraisal"], lambda: services.start_appraisal(actor=operator, project=current())),
        (days["start_appraisal"], ballots),
        (days["start_evaluation"], lambda: services.start_evaluation(actor=operator, project=current())),
        (days["publish_appraisal"], lambda: services.publish_appraisal(actor=operator, project=current())),
        (days["evaluate"], evaluate),
        (days["accept"], lambda: services.accept_project(actor=operator, project=current())),
        (days["publish_progress"], lambda: services.publish_progress(actor=operator, project=current())),
    ]
    steps += [(days[f"report_{i}"], lambda i=i: report(i)) for i in range(len(PERIODS))]
    steps += [(row[0], lambda row=row: activity(row)) for row in story["activities"]]
    for row in story["visits"]:
        steps.append((row[0], lambda row=row: visit(row)))
        if row[3]:
            _requirement, _due, answered_on, text, accepted_on, comment = row[3]
            steps.append((answered_on, lambda text=text: answer(text)))
            steps.append((accepted_on, lambda comment=comment: accept_rectification(comment)))
    # Stable sort: steps of the same day keep the order above (the lifecycle's before the day's records).
    on_the_day: dict[datetime.date, int] = {}
    for day, step in sorted(steps, key=lambda pair: pair[0]):
        count = on_the_day[day] = on_the_day.get(day, 0) + 1
        with _on(day, 10 + count // 6, count % 6 * 10):  # a day's steps ten minutes apart, in order
            step()
    return current()


def _appraise(project: Project, ballots, first_day: datetime.date, shift: int) -> None:
    """Residents answer the public form over two weeks, each from their own device and network."""
    distribution, comments = ballots
    levels = [level for level, count in sorted(distribution.items(), reverse=True) for _ in range(count)]
    # Interleave the answers so the days do not fill up with one level after another.
    levels = levels[::2] + levels[1::2]
    for number, satisfaction in enumerate(levels):
        with _on(first_day + datetime.timedelta(days=number % APPRAISAL_DAYS), 8 + number % 13, number % 60):
            services.cast_ballot(
                project=project,
                device_id=f"jiangan-demo-{project.pk}-{number}",
                address=f"10.{20 + shift}.{number // 250}.{number % 250 + 1}",
                satisfaction=satisfaction,
                usefulness=max(1, satisfaction - 1) if number % 4 == 3 else satisfaction,
                took_part=number % 5 != 4,
                comment=comments[number] if number < len(comments) else "",
            )
