"""Golden ideas of the demo estate 碧海花园: 437 ideas, as in the estate's own drive.

Called by ``manage.py seed_demo`` inside its transaction. The texts repeat the estate's
themes in Chinese the way residents write them: most are about pet keeping (dogs off the
leash, dog mess, barking), parking (cars parked anywhere, too few spaces, e-bike charging,
blocked fire lanes) and stairwell clutter (old furniture, cardboard, bicycles, fire risk);
fewer about greenery, lifts, noise, hygiene, safety and facilities. Issue 7 groups them.

Everything comes from random.Random(SEED), so every run writes the same ideas (their
dates are relative to today). If the estate has ideas already, nothing is added.
`generate_texts` is shared with ``manage.py bench_ideas``.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from django.db.models import Count
from django.utils import timezone

from covenant.models import Community, Household, Membership, Party, RoleGrant, User
from proposals.models import (
    ActionItem,
    Campaign,
    Category,
    Comment,
    Deliberation,
    DeliberationPost,
    DeliberationStatusChange,
    Idea,
    Meeting,
    MeetingAttendance,
    Moderation,
    ModerationAction,
    OpenDataLink,
    OwnersVote,
    Priority,
    ReplyTemplate,
    Report,
    Representative,
    Resolution,
    ResolutionVersion,
    SignOff,
    StaffNote,
    Support,
    ThemeEdit,
    TimelineEntry,
)
from proposals.models import Theme as IdeaTheme
from proposals.search import search_tokens_for

SEED = 20260101
IDEA_TOTAL = 437
BATCH_SIZE = 1000
HISTORY_DAYS = 180
CAMPAIGN_DAYS_AGO = 45
# Captains who take part beyond their own home: record ideas for residents without a
# phone, comment and moderate. (Not the captain of building 7: tests delete that one.)
ACTIVE_CAPTAIN_BUILDINGS = (3, 5, 12, 17)

Status = Idea.Status

# --- Texts -----------------------------------------------------------------------------

PLACES = (
    "东门",
    "西门",
    "南门口",
    "中心花园",
    "儿童游乐场",
    "地下车库入口",
    "篮球场旁边",
    "会所门口",
    "主干道",
    "垃圾站旁边",
    "游泳池边",
    "{b}栋楼下",
    "{b}栋门口",
    "{b}栋一楼大堂",
    "{b}栋和{b2}栋之间",
)
TIMES = ("每天早上", "晚上七八点", "晚上十点以后", "周末", "下午放学的时候", "清晨六点多")


@dataclass(frozen=True)
class Theme:
    """One recurring concern: a category, title patterns and body parts to combine."""

    key: str
    category: str
    count: int
    titles: tuple[str, ...]
    openers: tuple[str, ...]
    middles: tuple[str, ...]
    suggestions: tuple[str, ...]
    comments: tuple[str, ...] = ()
    aligned: bool = False


THEMES: tuple[Theme, ...] = (
    Theme(
        "leash",
        "pets",
        38,
        (
            "遛狗请牵绳，{b}栋门口经常有大狗乱跑",
            "建议严格要求遛狗牵绳",
            "小区里遛狗不牵绳太危险了",
            "{place}遛狗不拴绳，孩子被吓哭",
            "希望物业管一管遛狗不牵绳的现象",
            "大型犬不牵绳在小区乱跑，老人孩子很害怕",
            "{b}栋有人遛狗从不牵绳",
        ),
        (
            "{time}在{place}经常看到有人遛狗不牵绳，",
            "我家孩子上周在{place}被一只没牵绳的狗追着跑，吓得大哭，",
            "{b}栋有几户养大型犬，出门遛狗从来不拴绳，",
            "早上送孩子上学，电梯口经常冲出一只没牵绳的狗，",
            "我是{b}栋的老住户，{time}去散步总遇到不牵绳的狗，",
        ),
        (
            "狗主人还说“我家狗不咬人”，可是老人孩子真的很害怕。",
            "万一咬伤人后果很严重，打狂犬疫苗也很麻烦。",
            "跟狗主人说了几次，对方都不当回事。",
            "有的狗还会扑人，上次差点把一位老人扑倒。",
        ),
        (
            "建议物业在各楼栋门口张贴文明养犬告示，遛狗必须牵绳。",
            "希望保安巡逻时对遛狗不牵绳的行为及时劝导，屡劝不改的在业主群通报。",
            "建议制定小区文明养犬公约，大型犬出门必须牵绳并戴嘴套。",
            "建议划定遛狗区域，遛狗一律牵绳。",
        ),
        (
            "支持！遛狗必须牵绳，这是最基本的。",
            "作为养狗人士，我支持牵绳，也希望大家互相理解。",
            "上周我家小孩也被狗吓到了，强烈附议。",
        ),
    ),
    Theme(
        "dog_mess",
        "pets",
        34,
        (
            "草坪和小路上狗粪太多，请狗主人自觉清理",
            "{place}狗屎没人清理，臭气熏天",
            "建议设置宠物粪便收集箱",
            "遛狗后不清理狗粪的问题能不能管管",
            "{b}栋楼下天天有狗粪",
            "狗粪随处可见，影响小区环境",
        ),
        (
            "{time}在{place}都能看到狗粪，",
            "小孩在草地上玩，到处都是狗屎，",
            "{b}栋楼下的绿化带几乎成了狗厕所，",
            "有些人遛狗时任由狗随地大小便，",
        ),
        (
            "踩到一脚真的很恶心，夏天味道更大。",
            "保洁阿姨每天都要清理，很辛苦。",
            "狗主人看见了也当没看见，直接走开。",
        ),
        (
            "建议在小区设置几个宠物粪便箱，并免费提供拾便袋。",
            "希望对不清理狗粪的狗主人进行提醒，监控拍到的可以公示。",
            "建议把清理狗粪写进文明养犬公约。",
        ),
        ("昨天又踩到狗屎了……", "建议多放几个拾便袋盒子。", "狗主人出门带个袋子不难吧。"),
    ),
    Theme(
        "barking",
        "pets",
        28,
        (
            "{b}栋有狗整夜叫，严重影响休息",
            "宠物扰民问题希望得到重视",
            "邻居家的狗白天黑夜叫个不停",
            "养狗扰民，夜里狗叫影响老人睡眠",
            "建议对小区犬只进行登记管理",
        ),
        (
            "{b}栋{floor}楼附近有户人家养了两条狗，主人上班后狗就一直叫，",
            "晚上十一点以后狗还在叫，",
            "最近{b}栋的狗叫声越来越多，",
            "小区养狗的越来越多，宠物扰民的问题也越来越突出，",
        ),
        (
            "家里有老人和婴儿，根本睡不好觉。",
            "上门沟通过一次，对方态度不好。",
            "有的狗没有办证也没打疫苗，让人担心。",
        ),
        (
            "希望物业上门沟通，提醒养狗的邻居注意。",
            "建议把宠物扰民写进小区文明养犬公约，并对犬只进行登记。",
            "建议物业和居委会一起做一次犬只登记和狂犬疫苗接种宣传。",
        ),
        ("晚上狗叫真的很吵，附议。", "希望养宠物的邻居多体谅一下。"),
    ),
    Theme(
        "parking_chaos",
        "parking",
        30,
        (
            "{place}乱停车严重，车辆进出困难",
            "小区道路两边乱停车，会车都困难",
            "{b}栋门口经常被车堵住",
            "建议划定停车位，禁止在路边乱停车",
            "乱停车问题太严重了，请物业管理",
        ),
        (
            "{time}，{place}两边停满了车，",
            "有的车直接停在人行道上，推婴儿车都过不去，",
            "{b}栋门口经常有外来车辆乱停车，",
            "主干道弯道处总有人乱停车，",
        ),
        (
            "开车出门要倒好几次才能出去。",
            "老人走路只能走到马路中间，很危险。",
            "打电话给车主，很多都不接。",
        ),
        (
            "建议物业在主干道画黄线禁停，对乱停车辆贴提示单。",
            "建议外来车辆一律不得在小区内过夜停放。",
            "希望保安加强巡查，发现乱停车及时联系车主挪车。",
        ),
        ("乱停车确实太严重了。", "晚上回来根本开不进去。"),
    ),
    Theme(
        "spaces",
        "parking",
        22,
        (
            "车位不够，能不能把{place}空地改成停车位",
            "小区车位严重不足，建议规划更多车位",
            "地下车库车位只租不卖，租金太贵",
            "建议推行错峰停车，缓解车位不足",
        ),
        (
            "小区里车越来越多，车位远远不够，",
            "晚上回来找车位要转好几圈，",
            "{b}栋附近只有十几个车位，",
        ),
        ("很多人只好把车停在路边，又造成乱停车。", "车位租金一年比一年贵。"),
        (
            "建议把{place}旁边的空地改造成临时停车位。",
            "建议和附近学校、商场合作错峰停车，共享车位。",
            "希望物业公开车位数量和租用情况，优先租给本小区业主。",
        ),
        ("车位不足是老问题了，期待解决。", "错峰停车是个好办法。"),
    ),
    Theme(
        "ebike",
        "parking",
        24,
        (
            "电动车充电难，建议增加充电桩",
            "{b}栋有人从楼上拉电线给电动车充电，太危险",
            "电动车推进电梯回家充电，要管一管",
            "建议在{place}建电动车集中充电棚",
            "电动车停车充电棚不够用",
        ),
        (
            "很多人把电动车推进电梯带回家充电，",
            "{b}栋有人从{floor}楼窗口拉电线下来给电动车充电，",
            "小区只有一个电动车充电棚，晚上根本充不上，",
            "电动车越来越多，停车和充电都成了问题，",
        ),
        (
            "电动车电池起火的新闻很多，想想都后怕。",
            "电线就挂在楼道外墙上，下雨天很危险。",
            "充电桩坏了好几个也没人修。",
        ),
        (
            "建议在{place}增设电动车集中停放充电棚，安装智能充电桩。",
            "建议电梯安装电动车阻车系统，禁止电动车上楼。",
            "希望物业尽快维修和增加充电桩，按时收费也可以。",
        ),
        ("电动车进电梯太危险了，支持禁止。", "充电桩越快装越好。"),
    ),
    Theme(
        "fire_lane",
        "parking",
        20,
        (
            "消防通道被私家车占用，一旦火灾后果不堪设想",
            "{b}栋旁边的消防通道天天停满车",
            "请清理消防通道上停的车辆",
            "消防通道不是停车场",
        ),
        (
            "{b}栋和{b2}栋之间的消防通道，晚上经常停着三四辆车，",
            "上次救护车来接病人，消防通道被车堵住开不进来，",
            "{place}的消防通道长期被占用，",
        ),
        ("真出了事，消防车根本进不来。", "耽误的可能就是一条人命。"),
        (
            "建议在消防通道画禁停标线、设置隔离桩，占用的车辆马上联系车主挪车。",
            "建议对占用消防通道的车辆拍照报给消防部门处理。",
        ),
        ("消防通道必须清出来，这是救命的路。", "强烈支持，必须严管。"),
    ),
    Theme(
        "clutter",
        "stairwell",
        30,
        (
            "楼道堆放杂物，请物业清理",
            "{b}栋{floor}楼楼道堆满旧家具",
            "楼道里堆放杂物影响通行",
            "请大家不要在楼道堆放杂物",
            "{b}栋楼道杂物堆积，长期没人管",
        ),
        (
            "{b}栋{floor}楼的楼道里堆了旧沙发、鞋柜和好几袋杂物，",
            "我们单元的楼道和楼梯间堆满了杂物，",
            "有住户把花盆、旧家具、装修剩下的材料都堆在楼道里，",
        ),
        (
            "楼道本来就窄，老人上下楼很不方便。",
            "跟邻居说过，对方说过几天就搬，结果一放就是半年。",
            "晚上楼道灯又暗，很容易绊倒。",
        ),
        (
            "建议物业联合楼长定期开展楼道清理行动，限期清走，逾期按无主物处理。",
            "希望物业发通知，楼道杂物限期自行清理。",
            "建议楼长带头，每个季度清理一次楼道。",
        ),
        ("我们楼的楼道也堆满了东西。", "建议楼长带头清理。", "检查前清一次，过后又堆回来了。"),
    ),
    Theme(
        "cardboard",
        "stairwell",
        20,
        (
            "楼道里纸箱、废品堆成山",
            "有住户在楼梯间囤积纸箱和塑料瓶",
            "{b}栋楼梯间堆满纸箱，有异味",
        ),
        (
            "{b}栋有住户在楼梯间囤积纸箱、旧报纸和塑料瓶，准备卖废品，",
            "楼道里的纸箱越堆越多，",
            "快递纸箱都堆在楼道里没人收拾，",
        ),
        ("夏天还有异味和蟑螂。", "纸箱最容易着火，太危险了。"),
        (
            "建议物业在楼下设置纸箱回收点，楼道里的纸箱统一清走。",
            "希望物业上门劝导，限期清理楼道纸箱杂物。",
        ),
        ("纸箱堆在楼道真的很危险。",),
    ),
    Theme(
        "bicycles",
        "stairwell",
        15,
        (
            "楼道里停放自行车和电动车，进出不方便",
            "{b}栋一楼大堂停满电动车和自行车",
            "楼梯口停放自行车堵住通道",
        ),
        (
            "{b}栋一楼大堂和楼梯口停放了好几辆自行车和电动车，",
            "有人把电动车停在楼道里充电，",
        ),
        ("推婴儿车、轮椅都过不去。", "电动车停在楼道充电是很大的消防隐患。"),
        (
            "建议在楼栋旁边建自行车棚，楼道里一律不准停车。",
            "希望物业清理楼道里的自行车和电动车。",
        ),
        ("楼道停电动车太危险了。",),
    ),
    Theme(
        "fire_risk",
        "stairwell",
        18,
        (
            "楼道堆物存在严重消防隐患",
            "楼道杂物堵住消防栓，火灾时怎么办",
            "{b}栋楼道杂物挡住安全出口",
            "消防隐患：楼道堆放杂物必须清理",
        ),
        (
            "{b}栋{floor}楼楼道的杂物把消防栓和灭火器都挡住了，",
            "楼道是逃生通道，现在堆满了杂物，",
            "安全出口的门后面堆满了东西，",
        ),
        ("一旦发生火灾，大家根本跑不出去。", "消防检查也提出过这个问题。"),
        (
            "建议物业联合消防部门开展楼道堆物专项整治，消除消防隐患。",
            "建议对楼道堆物的住户下发整改通知，拒不清理的由物业统一清理。",
        ),
        ("消防安全是大事，附议。", "上次消防演练就说了楼道不能堆东西。"),
    ),
    # The smaller themes mix several concerns: each title goes with the opener, middle
    # and suggestion at the same position (aligned=True).
    Theme(
        "greenery",
        "greenery",
        25,
        (
            "{place}的草坪被踩秃了，建议补种",
            "小区树木太久没修剪，遮挡{b}栋低层采光",
            "建议在{place}增加一些花草",
            "有人在绿化带里种菜，破坏公共绿地",
            "{b}栋楼下的大树枝干快碰到窗户，台风天很危险",
        ),
        (
            "{place}的草坪被人踩出了好几条小路，",
            "{b}栋楼下的树长得太高太密，",
            "{place}光秃秃的，只有几棵小树，",
            "有住户在绿化带里开荒种菜，还用粪水浇菜，",
            "{b}栋楼下的大树好几年没修剪了，",
        ),
        (
            "黄土都露出来了，下雨天一地泥。",
            "低层住户白天都要开灯。",
            "老人孩子在那里散步，觉得太单调。",
            "味道很大，还招了很多蚊子。",
            "台风季节树枝被吹断，上次还砸到了车。",
        ),
        (
            "建议物业安排补种草坪，并设置“请勿践踏”的提示牌。",
            "建议物业安排园林工人定期修剪树木。",
            "建议在{place}种些四季开花的植物。",
            "希望清理绿化带里的菜地，恢复绿化。",
            "建议台风季节前修剪树枝，消除隐患。",
        ),
        ("台风来之前一定要修剪。", "绿化好了大家心情也好。"),
        aligned=True,
    ),
    Theme(
        "elevator",
        "facilities",
        20,
        (
            "{b}栋电梯经常故障，建议尽快维修",
            "{b}栋只有一部电梯，建议加装电梯",
            "电梯老旧，希望启动电梯更新改造",
            "电梯里困人，维修太慢",
        ),
        (
            "{b}栋的电梯这个月已经坏了三次，",
            "{b}栋二十多层只有一部电梯，早上高峰要等很久，",
            "{b}栋的电梯用了快二十年，运行时晃得厉害，",
            "上周{b}栋电梯突然停在{floor}楼，困了人半个小时，",
        ),
        (
            "老人腿脚不便，只能爬楼梯。",
            "上班上学的都赶时间。",
            "大家坐电梯都提心吊胆。",
            "维修人员一个小时后才到。",
        ),
        (
            "建议物业加强电梯维修保养，公开维保记录。",
            "建议申请维修资金，加装一部电梯。",
            "建议申请维修资金，更新电梯。",
            "建议要求电梯维保单位缩短到场时间，并公开维保记录。",
        ),
        ("电梯安全最要紧。", "我们栋的电梯也经常坏。"),
        aligned=True,
    ),
    Theme(
        "noise",
        "noise",
        25,
        (
            "{b}栋装修噪音中午不停，影响休息",
            "广场舞音响太大声，晚上九点还在跳",
            "夜里有人在{place}大声喧哗",
            "建议规定装修时间，中午和晚上禁止施工",
        ),
        (
            "{b}栋有户在装修，中午十二点到两点也在电钻，",
            "{place}的广场舞音响开得很大，",
            "{time}总有人在{place}喝酒聊天，声音很大，",
            "小区装修的住户越来越多，有的晚上八点还在敲墙，",
        ),
        (
            "上夜班的人白天根本没法睡。",
            "家里小孩要备考，很受影响。",
            "吵得老人睡不着。",
            "住在隔壁的根本没法休息。",
        ),
        (
            "建议物业提醒装修住户遵守装修时间。",
            "希望跳广场舞的音响小声一点，晚上九点前结束。",
            "希望保安夜间巡查时劝导一下。",
            "建议物业规定装修时间并张贴告示，中午和晚上禁止施工。",
        ),
        ("噪音确实扰民。", "互相体谅一下就好了。"),
        aligned=True,
    ),
    Theme(
        "hygiene",
        "hygiene",
        25,
        (
            "垃圾分类投放点太少，建议增加",
            "{place}垃圾桶满了没人清，气味很大",
            "建议垃圾每天清运两次",
            "夏天蚊虫多，建议定期消杀",
            "{b}栋楼道卫生没人打扫",
        ),
        (
            "垃圾分类推行以后，投放点太少，",
            "{place}的垃圾桶经常满出来，",
            "垃圾站现在一天只清运一次，",
            "夏天小区里蚊子和老鼠特别多，",
            "{b}栋的楼道好久没人打扫了，",
        ),
        (
            "很多人分类不对，保洁要重新分拣。",
            "味道很大，路过都要捂鼻子。",
            "到了晚上垃圾就堆到地上了。",
            "小孩被蚊子咬得全身是包。",
            "楼梯扶手上全是灰，角落里还有烟头。",
        ),
        (
            "建议增加垃圾分类投放点，并安排人员在投放时间指导。",
            "建议增加垃圾桶，及时清理。",
            "建议垃圾每天早晚清运两次。",
            "建议物业定期消杀，清理积水。",
            "希望保洁每周至少打扫两次楼道。",
        ),
        ("垃圾分类需要多宣传。", "附议，夏天味道太大了。"),
        aligned=True,
    ),
    Theme(
        "safety",
        "safety",
        25,
        (
            "小区门禁形同虚设，外来人员随便进",
            "{place}监控是坏的，建议维修",
            "建议增加监控覆盖{place}",
            "门禁卡可以随便复制，建议升级门禁",
            "高空抛物太危险，建议安装高空摄像头",
        ),
        (
            "{place}的门禁经常坏，谁都可以进来，",
            "前几天{b}栋有电动车电池被偷，去调监控才发现{place}的监控是坏的，",
            "{place}一带没有监控，晚上很黑，",
            "现在门禁卡在外面花十块钱就能复制，",
            "{b}栋最近发生了高空抛物，差点砸到人，",
        ),
        (
            "外卖和推销的人随便进出楼栋。",
            "什么都没拍到。",
            "老人孩子多，安全最重要。",
            "租客搬走了卡还能用。",
            "抛物的人到现在都没找到。",
        ),
        (
            "建议物业尽快维修门禁，外来人员登记进入。",
            "建议物业尽快维修监控，定期检查。",
            "建议在{place}增加监控。",
            "建议升级人脸识别门禁。",
            "建议在{b}栋安装高空抛物监控摄像头。",
        ),
        ("安全问题不能马虎。", "监控一定要修好。"),
        aligned=True,
    ),
    Theme(
        "facilities",
        "facilities",
        25,
        (
            "{place}路灯坏了很久，晚上很黑",
            "健身器材老化损坏，存在安全隐患",
            "建议增设儿童游乐设施",
            "希望在{place}增加休息座椅",
            "快递柜不够用，建议增加",
        ),
        (
            "{place}的路灯坏了快一个月了，",
            "中心花园的健身器材生锈松动，",
            "小区里小孩很多，游乐设施只有一个滑梯，",
            "小区里老人多，{place}却没有地方坐，",
            "快递柜经常满，快递只能放在门卫室，",
        ),
        (
            "晚上走路要打手电筒。",
            "上次有老人在上面差点摔倒。",
            "周末排队都排不上。",
            "老人走累了只能坐在花坛边上。",
            "经常拿错或者丢件。",
        ),
        (
            "建议物业尽快维修路灯，定期检查。",
            "建议更换老化的健身器材。",
            "建议在儿童游乐场增设游乐设施，铺上软垫。",
            "建议在{place}增加几张休息座椅。",
            "建议增加快递柜。",
        ),
        ("路灯坏了晚上真的很黑。", "健身器材该换了。"),
        aligned=True,
    ),
    Theme(
        "other",
        "other",
        15,
        (
            "建议组织邻里节活动",
            "希望公示物业费收支情况",
            "建议开设社区长者饭堂",
            "建议建立{b}栋楼栋微信群",
        ),
        (
            "住了这么多年，邻居之间还不太认识，",
            "物业费每年都在交，但是不知道用在哪里，",
            "小区老人很多，不少是独居，",
            "{b}栋有事情通知都靠贴告示，",
        ),
        (
            "大家平时各忙各的。",
            "希望更透明一些。",
            "中午吃饭是个大问题。",
            "很多人根本看不到。",
        ),
        (
            "建议每年组织一次邻里节，让大家多交流。",
            "建议每季度在公告栏公示物业费收支。",
            "建议和社区合作开设长者饭堂。",
            "建议楼长建一个楼栋微信群，方便通知和沟通。",
        ),
        ("好建议！",),
        aligned=True,
    ),
)

GENERIC_COMMENTS = (
    "同意！",
    "支持，这个问题存在很久了。",
    "我们{b}栋也是这样。",
    "希望物业尽快处理。",
    "附议 +1",
    "说得对，早该管管了。",
    "楼长能不能在群里提醒一下？",
)
REPLIES = (
    "谢谢支持！",
    "是的，我也反映过好几次了。",
    "物业说下周会处理，等等看。",
    "同意楼上。",
    "希望这次能解决。",
)
CAPTAIN_COMMENTS = (
    "我是{b}栋楼长，已经在楼栋群里提醒大家了。",
    "楼长已记录，会和物业一起跟进。",
)

# Public replies of the property staff, by category and by the status they move to.
STAFF_REPLIES: dict[str, dict[str, tuple[str, ...]]] = {
    "pets": {
        Status.ACCEPTED: ("已收到，物业将在各楼栋张贴文明养犬告示，并加强巡查。",),
        Status.IN_PROGRESS: (
            "已安排保安每天早晚巡查，劝导遛狗不牵绳、不清理狗粪的行为。",
            "已上门与养犬住户沟通，提醒注意宠物扰民。",
        ),
        Status.DONE: (
            "已在小区增设6个宠物粪便箱并配备免费拾便袋，欢迎大家监督。",
            "文明养犬告示已张贴到每个楼栋，保安巡查记录在物业中心可查。",
        ),
    },
    "parking": {
        Status.ACCEPTED: ("已受理，物业正在统计车位和乱停车情况。",),
        Status.IN_PROGRESS: (
            "已联系消防部门，下周起在消防通道施划禁停标线。",
            "充电棚选址已初步确定，正在报价。",
        ),
        Status.DONE: (
            "消防通道已施划黄色禁停标线并安装隔离桩，占用车辆已联系车主挪走。",
            "新增电动车充电桩20个，已投入使用。",
        ),
    },
    "stairwell": {
        Status.ACCEPTED: ("已受理，将通知本楼住户限期自行清理楼道杂物。",),
        Status.IN_PROGRESS: ("已张贴限期清理通知，三天后由物业统一清理。",),
        Status.DONE: ("已安排保洁清理，共清走杂物约两车，请大家保持楼道畅通。", "已安排保洁清理。"),
    },
}
DEFAULT_REPLIES: dict[str, tuple[str, ...]] = {
    Status.ACCEPTED: ("已收到您的建议，物业已受理，将尽快安排处理。",),
    Status.IN_PROGRESS: ("已安排相关人员处理，预计两周内完成。",),
    Status.DONE: ("已处理完毕，感谢您的建议，欢迎继续监督。", "已安排维修，现已恢复正常。"),
}
DECLINE_REASONS: dict[str, str] = {
    "parking": "该区域为消防通道，按规定不能改为停车位，敬请理解；已在其他位置增设临时车位。",
    "facilities": "加装或更新电梯需本单元三分之二以上业主同意并申请维修资金，物业不能单方面实施，建议先在本单元征求意见。",
    "safety": "经核实，该位置监控工作正常，如有需要可到物业中心申请调取录像。",
    "default": "经评估，该建议目前条件不具备，暂不采纳，感谢理解。",
}
REFERRAL_REPLY = "此事涉及全体业主的共同利益，已提交业主协商议事会讨论，结果将在此公布。"
INTERIM_REPLIES = ("感谢反映，我们正在核实情况。", "已转交楼长跟进。")
STAFF_NOTES = (
    "已电话联系住户，口头提醒。",
    "需要和业委会商量经费。",
    "下次巡查时拍照留存。",
    "同类问题已有多条，考虑统一处理。",
)

REPLY_TEMPLATES: tuple[tuple[str, str], ...] = (
    ("已受理", "您好，您的建议已收到并受理，物业将在三个工作日内安排人员处理，结果会在这里公布。"),
    ("已安排处理", "已安排相关人员现场处理，预计一周内完成，届时会在这里更新进展。"),
    ("已完成", "已处理完毕，感谢您的建议。如仍有问题，欢迎继续留言或到物业服务中心反映。"),
    (
        "暂不采纳（需写明原因）",
        "经评估，该建议暂不采纳，原因是：＿＿＿＿。感谢您的理解，我们会继续关注。",
    ),
    ("提交协商议事", "此事涉及全体业主的共同利益，已提交业主协商议事会讨论，结果将在此公布。"),
)

# Extra ideas of the moderation demo: (building number, title, body).
REPORTED_IDEA = (
    3,
    "3栋天台有人私搭晾衣架，建议拆除",
    "3栋天台被人私自搭了晾衣架和雨棚，其他住户上不去。",
)
AUTO_HIDDEN_IDEA = (
    5,
    "5栋0802那户的狗天天叫，主人没素质",
    "5栋0802姓X的那户养的狗天天叫，主人电话138xxxxxxxx，大家一起去骂他。",
)
SPAM_IDEA = (
    17,
    "专业疏通下水道、开锁换锁",
    "专业疏通下水道、开锁换锁，上门服务，电话139xxxxxxxx。",
)
RUDE_COMMENT = "说这些有什么用，物业都是收钱不干活的，一群废物。"


def _slots(rng: random.Random, building: int, floor: int) -> dict[str, object]:
    """What a text's placeholders stand for: the same place in its title and body."""
    other = rng.randint(1, 26)
    if other == building:
        other = building % 26 + 1
    place = rng.choice(PLACES).format(b=building, b2=other)
    return {"b": building, "b2": other, "floor": floor, "place": place, "time": rng.choice(TIMES)}


def compose(theme: Theme, rng: random.Random, building: int, floor: int) -> tuple[str, str]:
    """A title and body on the theme, with this building's number and floor in places."""
    slots = _slots(rng, building, floor)
    if theme.aligned:
        # One concern of several: the title, opener, middle and suggestion at one position.
        index = rng.randrange(len(theme.titles))
        parts = [theme.openers[index], theme.middles[index], theme.suggestions[index]]
        if rng.random() < 0.15:
            parts.pop()
        title = theme.titles[index]
    else:
        title = rng.choice(theme.titles)
        parts = [rng.choice(theme.openers), rng.choice(theme.middles)]
        if rng.random() < 0.85:
            parts.append(rng.choice(theme.suggestions))
        if rng.random() < 0.3:
            parts.append(rng.choice(theme.middles))
    body = "".join(dict.fromkeys(parts))
    return title.format(**slots)[:80], body.format(**slots)


def theme_plan(total: int) -> list[Theme]:
    """`total` themes drawn in the proportions of THEMES (the demo's counts at 437)."""
    weight = sum(theme.count for theme in THEMES)
    plan: list[Theme] = []
    for theme in THEMES:
        plan += [theme] * round(theme.count * total / weight)
    while len(plan) < total:
        plan.append(THEMES[len(plan) % len(THEMES)])
    return plan[:total]


def generate_texts(
    rng: random.Random, count: int, building_floors: Sequence[tuple[int, int]]
) -> list[tuple[Theme, str, str, int]]:
    """`count` (theme, title, body, index into building_floors) tuples, shuffled."""
    plan = theme_plan(count)
    rng.shuffle(plan)
    rows = []
    for theme in plan:
        where = rng.randrange(len(building_floors))
        number, floor = building_floors[where]
        title, body = compose(theme, rng, number, floor)
        rows.append((theme, title, body, where))
    return rows


# --- Seeding ---------------------------------------------------------------------------


@dataclass
class _Resident:
    user: User
    household: Household
    number: int  # building number


@dataclass
class _Plan:
    idea: Idea
    theme: Theme | None
    supporters: set[int] = field(default_factory=set)
    last_activity: datetime | None = None


def _when(rng: random.Random, start: datetime, end: datetime) -> datetime:
    span = max((end - start).total_seconds(), 60)
    return start + timedelta(seconds=rng.uniform(0, span))


def _created_at(rng: random.Random, now: datetime) -> datetime:
    # A third of the ideas came in during the campaign, the rest over the half-year.
    if rng.random() < 0.35:
        days = rng.uniform(0.2, CAMPAIGN_DAYS_AGO)
    else:
        days = rng.uniform(CAMPAIGN_DAYS_AGO, HISTORY_DAYS)
    return now - timedelta(days=days)


def _residents(community: Community, role_holders: set[int]) -> list[_Resident]:
    memberships = (
        Membership.objects.filter(
            status=Membership.Status.VERIFIED, household__building__community=community
        )
        .select_related("user", "household__building")
        .order_by("pk")
    )
    seen: set[int] = set()
    residents = []
    for membership in memberships:
        if membership.user_id in seen or membership.user_id in role_holders:
            continue
        seen.add(membership.user_id)
        residents.append(
            _Resident(membership.user, membership.household, membership.household.building.number)
        )
    return residents


def _categories() -> dict[str, Category]:
    categories = Category.objects.in_bulk(field_name="slug")
    for theme in THEMES:
        if theme.category not in categories:
            categories[theme.category], _ = Category.objects.get_or_create(
                slug=theme.category, defaults={"name": theme.category, "name_en": theme.category}
            )
    return categories


def _status_path(rng: random.Random, age_days: float) -> list[str]:
    """The statuses an idea went through after submitted, older ones further along."""
    if age_days < 7:
        weights = {"submitted": 85, "accepted": 10, "declined": 2, "withdrawn": 3}
    elif age_days < CAMPAIGN_DAYS_AGO:
        weights = {"submitted": 45, "accepted": 20, "in_progress": 15, "done": 8}
        weights |= {"declined": 5, "referred": 4, "withdrawn": 3}
    else:
        weights = {"submitted": 20, "accepted": 12, "in_progress": 15, "done": 33}
        weights |= {"declined": 10, "referred": 6, "withdrawn": 4}
    final = rng.choices(list(weights), weights=list(weights.values()))[0]
    return {
        "submitted": [],
        "accepted": [Status.ACCEPTED],
        "in_progress": [Status.ACCEPTED, Status.IN_PROGRESS],
        "done": [Status.ACCEPTED, Status.IN_PROGRESS, Status.DONE]
        if rng.random() < 0.7
        else [Status.ACCEPTED, Status.DONE],
        "declined": [Status.DECLINED],
        "referred": [Status.REFERRED],
        "withdrawn": [Status.WITHDRAWN],
    }[final]


def _reply(rng: random.Random, category: str, status: str) -> str:
    if status == Status.DECLINED:
        return DECLINE_REASONS.get(category, DECLINE_REASONS["default"])
    if status == Status.REFERRED:
        return REFERRAL_REPLY
    replies = STAFF_REPLIES.get(category, DEFAULT_REPLIES).get(status) or DEFAULT_REPLIES[status]
    return rng.choice(replies)


class _Seeder:
    def __init__(self, users: dict[str, User], community: Community):
        from covenant.management.commands.seed_demo import (
            ADMIN_EMAIL,
            STEWARD_EMAILS,
            captain_email,
        )

        self.rng = random.Random(SEED)
        self.now = timezone.now()
        self.community = community
        self.admin = users[ADMIN_EMAIL]
        self.stewards = [users[email] for email in STEWARD_EMAILS]
        self.captains = {n: users[captain_email(n)] for n in ACTIVE_CAPTAIN_BUILDINGS}
        role_holders = set(
            RoleGrant.objects.filter(community=community).values_list("user_id", flat=True)
        )
        self.residents = _residents(community, role_holders)
        self.by_building: dict[int, list[_Resident]] = {}
        for resident in self.residents:
            self.by_building.setdefault(resident.number, []).append(resident)
        self.categories = _categories()
        self.plans: list[_Plan] = []
        self.comments: list[Comment] = []
        self.timeline: list[TimelineEntry] = []
        self.actions: list[tuple[ModerationAction, datetime]] = []
        self.reports: list[tuple[Report, datetime]] = []
        self.merges: list[tuple[_Plan, _Plan]] = []
        self.notes: list[StaffNote] = []

    # Ideas -------------------------------------------------------------------------

    def _idea(
        self,
        *,
        author: User,
        household: Household,
        theme: Theme | None,
        category: Category,
        title: str,
        body: str,
        created_at: datetime,
        **extra,
    ) -> _Plan:
        idea = Idea(
            community=self.community,
            category=category,
            title=title,
            body=body,
            author=author,
            household=household,
            building=household.building,
            floor=household.floor,
            search_tokens=search_tokens_for(title, body),
            created_at=created_at,
            status_changed_at=created_at,
            last_activity_at=created_at,
            **extra,
        )
        plan = _Plan(idea, theme, last_activity=created_at)
        self.plans.append(plan)
        return plan

    def plan_ideas(self, campaign: Campaign) -> None:
        rng = self.rng
        floors = [(r.number, r.household.floor) for r in self.residents]
        recorded_left = 8
        for theme, title, body, where in generate_texts(rng, IDEA_TOTAL - 3, floors):
            author = self.residents[where]
            created = _created_at(rng, self.now)
            extra = {"hide_name": rng.random() < 0.15}
            if self.now - created < timedelta(days=CAMPAIGN_DAYS_AGO - 1) and rng.random() < 0.85:
                extra["campaign"] = campaign
            household = author.household
            user = author.user
            if recorded_left and author.number in self.captains and rng.random() < 0.25:
                # The captain wrote it down for a resident without a phone.
                recorded_left -= 1
                user = self.captains[author.number]
                extra |= {
                    "recorded_by": user,
                    "resident_name": rng.choice(("陈伯", "黄婆婆", "李奶奶", "伍叔")),
                }
                extra["hide_name"] = False
                household = self._household_without_phone(author.number) or household
            self._idea(
                author=user,
                household=household,
                theme=theme,
                category=self.categories[theme.category],
                title=title,
                body=body,
                created_at=created,
                **extra,
            )

    def _household_without_phone(self, number: int) -> Household | None:
        if not hasattr(self, "_empty"):
            occupied = {r.household.pk for r in self.residents}
            self._empty: dict[int, list[Household]] = {}
            households = Household.objects.filter(
                building__community=self.community,
                building__number__in=ACTIVE_CAPTAIN_BUILDINGS,
            ).select_related("building")
            for household in households.order_by("pk"):
                if household.pk not in occupied:
                    self._empty.setdefault(household.building.number, []).append(household)
        empty = self._empty.get(number)
        return self.rng.choice(empty) if empty else None

    def plan_moderation_ideas(self) -> None:
        for number, title, body in (REPORTED_IDEA, AUTO_HIDDEN_IDEA, SPAM_IDEA):
            author = self.rng.choice(self.by_building[number])
            created = self.now - timedelta(days=self.rng.uniform(2, 20))
            category = self.categories["pets" if number == 5 else "other"]
            self._idea(
                author=author.user,
                household=author.household,
                theme=None,
                category=category,
                title=title,
                body=body,
                created_at=created,
            )

    # Supports, comments, status ------------------------------------------------------

    def plan_supports(self) -> None:
        rng = self.rng
        for plan in self.plans:
            wanted = min(int(rng.lognormvariate(1.8, 1.0)), 180)
            if plan.theme is not None and plan.theme.category in {"pets", "parking", "stairwell"}:
                wanted = int(wanted * 1.4)
            same = [
                r.user.pk
                for r in self.by_building.get(plan.idea.building.number, [])
                if r.user.pk != plan.idea.author_id
            ]
            everyone = [r.user.pk for r in self.residents if r.user.pk != plan.idea.author_id]
            chosen = set(rng.sample(same, min(len(same), wanted // 3)))
            while len(chosen) < min(wanted, len(everyone)):
                chosen.add(rng.choice(everyone))
            plan.supporters = chosen

    def plan_comments(self) -> None:
        rng = self.rng
        by_user = {r.user.pk: r for r in self.residents}
        for plan in self.plans:
            idea = plan.idea
            count = min(int(len(plan.supporters) * rng.uniform(0.05, 0.2)) + rng.randint(0, 2), 30)
            theme_comments = plan.theme.comments if plan.theme else ()
            pool = list(plan.supporters) or [r.user.pk for r in self.residents[:50]]
            tops: list[Comment] = []
            for _ in range(count):
                author_id = rng.choice(pool)
                resident = by_user.get(author_id)
                number = resident.number if resident else idea.building.number
                text = rng.choice(theme_comments + GENERIC_COMMENTS)
                if tops and rng.random() < 0.25:
                    parent = rng.choice(tops)
                    reply_author = idea.author_id if rng.random() < 0.4 else author_id
                    comment = Comment(
                        idea=idea,
                        parent=parent,
                        author_id=reply_author,
                        body=rng.choice(REPLIES),
                        created_at=_when(rng, parent.created_at, self.now),
                    )
                else:
                    comment = Comment(
                        idea=idea,
                        author_id=author_id,
                        body=text.format(b=number),
                        created_at=_when(rng, idea.created_at, self.now),
                    )
                    tops.append(comment)
                self.comments.append(comment)
            captain = self.captains.get(idea.building.number)
            if captain and captain.pk != idea.author_id and rng.random() < 0.3:
                comment = Comment(
                    idea=idea,
                    author=captain,
                    body=rng.choice(CAPTAIN_COMMENTS).format(b=idea.building.number),
                    created_at=_when(rng, idea.created_at, self.now),
                )
                self.comments.append(comment)

    def plan_triage(self) -> None:
        rng = self.rng
        notes = []
        for plan in self.plans:
            idea = plan.idea
            if plan.theme is None:
                continue
            age = (self.now - idea.created_at).total_seconds() / 86400
            path = _status_path(rng, age)
            steward = rng.choice(self.stewards)
            when = idea.created_at
            status = Status.SUBMITTED
            if (path and path != [Status.WITHDRAWN]) or rng.random() < 0.2:
                idea.assignee = steward
            if rng.random() < 0.15:
                when = _when(rng, when, min(when + timedelta(days=3), self.now))
                self.timeline.append(
                    TimelineEntry(
                        idea=idea,
                        actor=steward,
                        public_reply=rng.choice(INTERIM_REPLIES),
                        created_at=when,
                    )
                )
            for to_status in path:
                when = _when(rng, when, min(when + timedelta(days=age / (len(path) + 1)), self.now))
                actor = idea.author if to_status == Status.WITHDRAWN else steward
                reply = (
                    ""
                    if to_status == Status.WITHDRAWN
                    else _reply(rng, idea.category.slug, to_status)
                )
                if to_status == Status.ACCEPTED and rng.random() < 0.3:
                    reply = ""
                self.timeline.append(
                    TimelineEntry(
                        idea=idea,
                        actor=actor,
                        from_status=status,
                        to_status=to_status,
                        public_reply=reply,
                        created_at=when,
                    )
                )
                status = to_status
                idea.status_changed_at = when
            idea.status = status
            if theme_is_urgent(plan.theme) and status in {Status.SUBMITTED, Status.ACCEPTED}:
                idea.priority = Idea.Priority.URGENT
            elif len(plan.supporters) > 40:
                idea.priority = Idea.Priority.HIGH
            elif rng.random() < 0.1:
                idea.priority = Idea.Priority.LOW
            plan.last_activity = max(plan.last_activity, when)
            if idea.assignee and rng.random() < 0.06:
                notes.append(StaffNote(idea=idea, author=steward, body=rng.choice(STAFF_NOTES)))
        self.notes = notes

    # Moderation ------------------------------------------------------------------------

    def _reporters(self, plan: _Plan, count: int) -> list[User]:
        candidates = [r.user for r in self.residents if r.user.pk != plan.idea.author_id]
        return self.rng.sample(candidates, count)

    def _report(self, *, reporters, at, resolved=None, **target) -> None:
        for reporter in reporters:
            when = _when(self.rng, at, min(at + timedelta(days=1), self.now))
            reason, note = self.rng.choice(REPORT_REASONS)
            report = Report(
                reporter=reporter, reason=reason, note=note, resolved_at=resolved, **target
            )
            self.reports.append((report, when))

    def plan_moderation(self) -> None:
        reported, auto_hidden, spam = self.plans[-3:]
        now = self.now
        # Two reports waiting in building 3's queue.
        reported.idea.report_count = 2
        self._report(
            reporters=self._reporters(reported, 2), at=reported.idea.created_at, idea=reported.idea
        )
        # Three reports from different residents: hidden until a moderator decides.
        idea = auto_hidden.idea
        idea.report_count = 3
        idea.moderation = Moderation.AUTO_HIDDEN
        self._report(reporters=self._reporters(auto_hidden, 3), at=idea.created_at, idea=idea)
        self.actions.append(
            (
                ModerationAction(idea=idea, action=ModerationAction.Action.AUTO_HIDE),
                idea.created_at + timedelta(days=1),
            )
        )
        # An advertisement, hidden by building 17's captain; its reports settled.
        idea = spam.idea
        idea.moderation = Moderation.HIDDEN
        idea.hidden_reason = "广告信息，与小区事务无关。"
        self._report(
            reporters=self._reporters(spam, 2), at=idea.created_at, resolved=now, idea=idea
        )
        self.actions.append(
            (
                ModerationAction(
                    idea=idea,
                    actor=self.captains[17],
                    action=ModerationAction.Action.HIDE,
                    reason=idea.hidden_reason,
                ),
                idea.created_at + timedelta(days=1),
            )
        )
        # One more reported idea, from a building with a busy idea box.
        extra = next(p for p in self.plans if p.theme and p.idea.building.number == 12)
        extra.idea.report_count = 1
        self._report(reporters=self._reporters(extra, 1), at=extra.idea.created_at, idea=extra.idea)

    def plan_comment_moderation(self, saved_comments: list[Comment]) -> None:
        """A rude comment hidden by building 3's captain, and a reported one waiting."""
        in_3 = [
            c
            for c in saved_comments
            if c.idea.building.number == 3
            and c.parent_id is None
            and c.author_id != self.captains[3].pk
        ]
        hidden, reported = in_3[0], in_3[1]
        hidden.body = RUDE_COMMENT
        hidden.moderation = Moderation.HIDDEN
        hidden.hidden_reason = "含人身攻击，请文明发言。"
        reported.report_count = 1
        Comment.objects.bulk_update(
            [hidden, reported], ["body", "moderation", "hidden_reason", "report_count"]
        )
        self.actions.append(
            (
                ModerationAction(
                    idea=hidden.idea,
                    comment=hidden,
                    actor=self.captains[3],
                    action=ModerationAction.Action.HIDE,
                    reason=hidden.hidden_reason,
                ),
                hidden.created_at + timedelta(hours=5),
            )
        )
        reporter = next(r.user for r in self.residents if r.user.pk not in {reported.author_id})
        self.reports.append(
            (
                Report(comment=reported, reporter=reporter, reason=Report.Reason.ABUSE),
                reported.created_at,
            )
        )

    def plan_duplicates(self) -> None:
        """Two ideas merged into an earlier one on the same theme; supports move along."""
        for key in ("dog_mess", "fire_lane"):
            same = sorted(
                (
                    p
                    for p in self.plans
                    if p.theme and p.theme.key == key and p.idea.moderation == Moderation.VISIBLE
                ),
                key=lambda p: p.idea.created_at,
            )
            original, duplicate = same[0], same[-1]
            duplicate.idea.title = original.idea.title
            duplicate.idea.search_tokens = search_tokens_for(
                duplicate.idea.title, duplicate.idea.body
            )
            moved = (duplicate.supporters | {duplicate.idea.author_id}) - {original.idea.author_id}
            original.supporters |= moved
            actor = self.captains.get(duplicate.idea.building.number, self.admin)
            if actor.pk in {duplicate.idea.author_id, original.idea.author_id}:
                actor = self.admin
            self.actions.append(
                (
                    ModerationAction(
                        idea=duplicate.idea,
                        actor=actor,
                        action=ModerationAction.Action.MERGE,
                        reason="与较早的建议内容相同，已合并。",
                    ),
                    duplicate.idea.created_at + timedelta(days=2),
                )
            )
            self.merges.append((duplicate, original))

    # Writing --------------------------------------------------------------------------

    def write(self) -> dict[str, int]:
        rng = self.rng
        ideas = [plan.idea for plan in self.plans]
        Idea.objects.bulk_create(ideas, batch_size=BATCH_SIZE)
        for duplicate, original in self.merges:
            duplicate.idea.duplicate_of = original.idea
        Idea.objects.bulk_update([d.idea for d, _ in self.merges], ["duplicate_of"])

        supports = []
        for plan in self.plans:
            for user_id in sorted(plan.supporters):
                at = _when(rng, plan.idea.created_at, self.now)
                supports.append(Support(idea=plan.idea, user_id=user_id, created_at=at))
                plan.last_activity = max(plan.last_activity, at)
        Support.objects.bulk_create(supports, batch_size=BATCH_SIZE)

        tops = [c for c in self.comments if c.parent is None]
        replies = [c for c in self.comments if c.parent is not None]
        Comment.objects.bulk_create(tops, batch_size=BATCH_SIZE)
        for reply in replies:
            reply.parent_id = reply.parent.pk
        Comment.objects.bulk_create(replies, batch_size=BATCH_SIZE)
        self.plan_comment_moderation(tops)

        TimelineEntry.objects.bulk_create(self.timeline, batch_size=BATCH_SIZE)
        StaffNote.objects.bulk_create(self.notes, batch_size=BATCH_SIZE)

        visible_comments: dict[int, int] = {}
        last_comment: dict[int, datetime] = {}
        for comment in self.comments:
            if comment.moderation == Moderation.VISIBLE:
                visible_comments[comment.idea.pk] = visible_comments.get(comment.idea.pk, 0) + 1
            last = last_comment.get(comment.idea.pk)
            last_comment[comment.idea.pk] = (
                max(last, comment.created_at) if last else comment.created_at
            )
        for plan in self.plans:
            idea = plan.idea
            idea.support_count = len(plan.supporters)
            idea.comment_count = visible_comments.get(idea.pk, 0)
            candidates = [plan.last_activity, last_comment.get(idea.pk, idea.created_at)]
            idea.last_activity_at = min(max(candidates), self.now)
        Idea.objects.bulk_update(
            ideas,
            ["support_count", "comment_count", "last_activity_at"],
            batch_size=BATCH_SIZE,
        )

        # auto_now_add stamps these with now; give them their time in the story.
        actions = [action for action, _ in self.actions]
        ModerationAction.objects.bulk_create(actions)
        reports = [report for report, _ in self.reports]
        Report.objects.bulk_create(reports)
        for objects, timed in ((actions, self.actions), (reports, self.reports)):
            for obj, (_, at) in zip(objects, timed, strict=True):
                obj.created_at = min(at, self.now)
        ModerationAction.objects.bulk_update(actions, ["created_at"])
        Report.objects.bulk_update(reports, ["created_at"])
        return {"ideas": len(ideas), "supports": len(supports), "comments": len(self.comments)}


def theme_is_urgent(theme: Theme | None) -> bool:
    return theme is not None and theme.key in {"fire_lane", "fire_risk"}


def _campaign(community: Community, admin: User) -> Campaign:
    today = timezone.localdate()
    return Campaign.objects.create(
        community=community,
        title=f"{today.year}年金点子征集",
        description=(
            "小区居民金点子征集活动：关于宠物饲养、停车、楼道堆物、绿化、安全、公共设施等，"
            "任何让碧海花园更好的想法都欢迎提出。物业和业委会将逐条回复，"
            "附议多的建议将列为重点工作。"
        ),
        starts_on=today - timedelta(days=CAMPAIGN_DAYS_AGO),
        ends_on=today + timedelta(days=35),
        created_by=admin,
    )


def _reply_templates() -> None:
    existing = set(ReplyTemplate.objects.values_list("title", flat=True))
    ReplyTemplate.objects.bulk_create(
        [ReplyTemplate(title=t, body=b) for t, b in REPLY_TEMPLATES if t not in existing]
    )


def seed(*, users: dict[str, User], say: Callable[[str], None]) -> None:
    from covenant.management.commands.seed_demo import ADMIN_EMAIL, COMMUNITY_NAME

    started = time.perf_counter()
    community = Community.objects.get(name=COMMUNITY_NAME)
    _seed_owners_votes(
        community=community,
        admin=users[ADMIN_EMAIL],
        say=say,
    )
    existing = Idea.objects.filter(community=community).count()
    if existing:
        say(f"金点子 ideas: {existing} already there, nothing added")
        seed_priorities(community=community, users=users, say=say)
        return
    seeder = _Seeder(users, community)
    campaign = _campaign(community, users[ADMIN_EMAIL])
    seeder.plan_ideas(campaign)
    seeder.plan_moderation_ideas()
    seeder.plan_supports()
    seeder.plan_moderation()
    seeder.plan_duplicates()
    seeder.plan_comments()
    seeder.plan_triage()
    counts = seeder.write()
    _reply_templates()
    deliberations = _seed_deliberations(community, users)
    _link_votes_to_deliberations(community)
    _open_data_links(community, users[ADMIN_EMAIL])
    in_campaign = sum(1 for plan in seeder.plans if plan.idea.campaign_id)
    say(
        f"金点子 ideas: {counts['ideas']} ({in_campaign} in “{campaign.title}”; "
        f"supports {counts['supports']:,}, comments {counts['comments']:,}; "
        f"三方议事 deliberations {deliberations}) in {time.perf_counter() - started:.1f} s"
    )
    seed_priorities(community=community, users=users, say=say)


def _open_data_links(community: Community, admin: User) -> None:
    """One link in use by the sub-district office, one revoked after a study ended."""
    now = timezone.now()
    OpenDataLink.objects.create(
        community=community,
        label="台城街道办 社区治理科",
        created_by=admin,
        created_at=now - timedelta(days=40),
        last_used_at=now - timedelta(days=3),
        use_count=6,
    )
    OpenDataLink.objects.create(
        community=community,
        label="五邑大学 社区治理课题组",
        created_by=admin,
        created_at=now - timedelta(days=120),
        last_used_at=now - timedelta(days=70),
        use_count=2,
        revoked_at=now - timedelta(days=60),
        revoked_by=admin,
    )


# --- Themes and priority work ----------------------------------------------------------

# (category, a word its theme shares, title, owner, status, activity category, goals,
#  progress: (days ago, said, did))
PRIORITIES = (
    (
        "pets",
        "牵绳",
        "文明养宠",
        "party1",
        Priority.Status.ACTIVE,
        "pets",
        "居民反映最多的是**遛狗不牵绳**、**狗粪不清理**和**犬吠扰民**。\n\n"
        "- 三个月内制定并公示《碧海花园文明养犬公约》\n"
        "- 每栋楼门口张贴牵绳提示，中心花园设三个拾便袋箱\n"
        "- 志愿者每周两次在遛狗高峰时段劝导",
        (
            (60, "遛狗不牵绳，孩子被吓哭。", "党总支、物业、楼长三方议事，决定起草文明养犬公约。"),
            (
                38,
                "草坪上狗粪太多，踩到好几次。",
                "中心花园和东门草坪设置了三个拾便袋箱，每天补袋。",
            ),
            (12, "晚上七八点大狗乱跑最多。", "红心碧海志愿队开始晚间劝导，两周劝导四十多人次。"),
        ),
    ),
    (
        "parking",
        "停车",
        "规范停车",
        "steward1",
        Priority.Status.ACTIVE,
        "parking",
        "主干道两侧和消防通道**乱停车**，会车困难，消防车进不来。\n\n"
        "- 重新划定停车线，消防通道全线画黄色禁停网格\n"
        "- 外来车辆登记进出，夜间巡查占道车辆\n"
        "- 研究地下车库空置车位低价出租方案，提交业主表决",
        (
            (50, "主干道两边停满车，会车都困难。", "物业重新施划了主干道停车线，禁停路段立牌。"),
            (25, "消防通道经常被占。", "消防通道画上黄色网格，夜间巡查时电话通知车主挪车。"),
        ),
    ),
    (
        "stairwell",
        "杂物",
        "清理楼道杂物",
        "captain03",
        Priority.Status.PLANNED,
        "stairwells",
        "楼道堆放旧家具、纸箱和自行车，**堵住逃生通道**，还有火灾隐患。\n\n"
        "- 楼长逐栋摸排，提前七天张贴清理通知\n"
        "- 物业与志愿者每月一次集中清理，无主物按规定处置\n"
        "- 清理后每季度复查一次",
        ((20, "楼道里堆满纸箱，晚上容易绊倒。", "楼长完成了3栋、5栋的摸排，张贴了清理通知。"),),
    ),
)


# Each priority's deliberation (seeded before the priorities), by their topics.
PRIORITY_DELIBERATIONS = {
    "规范停车": "规范停车：消防通道、车位与充电",
    "文明养宠": "文明养宠公约",
    "清理楼道杂物": "清理楼道杂物",
}


def seed_priorities(*, community: Community, users: dict[str, User], say) -> None:
    """Group the ideas into themes and make the three most-raised ones priority work,
    as the estate did after its drive. Nothing is added if priority work exists."""
    from covenant.management.commands.seed_demo import demo_email
    from proposals import selectors, services
    from volunteers import demo as volunteers_demo
    from volunteers.selectors import activities_for_linking

    if Priority.objects.filter(community=community).exists():
        say(f"重点工作 priority work: {Priority.objects.count()} (exist; none added)")
        return
    started = time.perf_counter()
    result = services.regroup_ideas(community=community)
    if not activities_for_linking(community_id=community.pk).exists():
        # The volunteers' demo comes later; their activities are wanted here.
        volunteers_demo.seed(users=users, say=say)
    today = timezone.localdate()
    themes = list(
        IdeaTheme.objects.filter(community=community)
        .annotate(
            size=Count("memberships", filter=selectors.counted_in_themes("memberships__idea__"))
        )
        .select_related("category")
        .order_by("-size", "pk")
    )
    for slug, word, title, owner, status, activity_category, goals, progress in PRIORITIES:
        in_category = [theme for theme in themes if theme.category.slug == slug]
        theme = next((t for t in in_category if word in t.shared_keyword_list), None)
        theme = theme or next(iter(in_category), None)
        if theme is None:
            continue
        owner_user = users[demo_email(owner)]
        services.rename_theme(theme=theme, name=title, actor=users[demo_email("steward1")])
        priority = services.promote_theme(
            theme=theme,
            actor=users[demo_email("party1")],
            title=title,
            owner=owner_user,
            goals=goals,
            status=status,
            activities=activities_for_linking(community_id=community.pk).filter(
                category=activity_category
            )[:3],
            deliberations=Deliberation.objects.filter(
                community=community, topic=PRIORITY_DELIBERATIONS[title]
            ),
        )
        for days_ago, said, did in progress:
            services.add_progress(
                priority=priority,
                author=owner_user,
                happened_on=today - timedelta(days=days_ago),
                you_said=said,
                we_did=did,
            )
    say(
        f"主题 themes: {result.themes} from {result.ideas} ideas; 重点工作 priority work: "
        f"{Priority.objects.filter(community=community).count()} "
        f"in {time.perf_counter() - started:.1f} s"
    )


REPORT_REASONS = [
    (Report.Reason.PRIVACY, "里面写了邻居的门牌号"),
    (Report.Reason.FALSE, "天台没有搭建，说的不对"),
    (Report.Reason.ABUSE, ""),
    (Report.Reason.SPAM, "像是广告"),
    (Report.Reason.OTHER, "和小区无关"),
]


def unseed(community_name: str | None = None) -> None:
    """Delete the demo estate's ideas, campaigns and owners' votes (tests tidying up
    before they delete the estate's users, which ideas and votes protect)."""
    from covenant.management.commands.seed_demo import COMMUNITY_NAME

    Deliberation.objects.filter(community__name=community_name or COMMUNITY_NAME).delete()
    OwnersVote.objects.filter(community__name=community_name or COMMUNITY_NAME).delete()
    estate = community_name or COMMUNITY_NAME
    Priority.objects.filter(community__name=estate).delete()  # owners are protected
    ThemeEdit.objects.filter(community__name=estate).delete()
    IdeaTheme.objects.filter(community__name=estate).delete()
    ideas = Idea.objects.filter(community__name=community_name or COMMUNITY_NAME)
    ideas.exclude(duplicate_of=None).update(duplicate_of=None)
    ideas.delete()
    Campaign.objects.filter(community__name=community_name or COMMUNITY_NAME).delete()
    OpenDataLink.objects.filter(community__name=community_name or COMMUNITY_NAME).delete()


# --- Three-party deliberations (三方联动议事协商) ------------------------------------------
# Written directly, like the ideas: the story's notifications were read long ago.

PARKING_BACKGROUND = """金点子征集中，**规范停车**是居民反映最多的三大主题之一，共收到八十多条相关建议，主要集中在：

- 消防通道、单元门口长期被私家车占用；
- 地面车位不足，访客车辆随意停放；
- 电动车在楼道、大堂充电，存在火灾隐患。

社区党总支牵头，邀请楼长代表和物业共同协商，形成三方都认可的停车管理办法。"""

PARKING_POSTS = (
    (
        Party.PARTY_BRANCH,
        0,
        "感谢各位。今天先把问题摆出来：消防通道占用是底线问题，必须先解决；车位不足需要长远规划。请物业先介绍现状。",
    ),
    (
        Party.PROPERTY,
        0,
        "目前地面车位 312 个，地下车位 540 个，已售或租出 498 个。晚上八点后东门、3 栋和 5 栋之间的消防通道经常停满车，我们巡逻劝离效果有限。",
    ),
    (
        Party.RESIDENTS,
        3,
        "3 栋住户普遍反映：晚上回来找不到车位，只能停路边。大家愿意配合，但希望地下车位租金能优惠，并增加访客临时车位。",
    ),
    (
        Party.RESIDENTS,
        5,
        "5 栋老人多，消防通道被堵最让人担心。建议在通道上画黄色网格线，装上提示牌，物业夜间加强巡查。",
    ),
    (
        Party.PROPERTY,
        0,
        "可以在一个月内完成网格线和提示牌。地下车位租金方面，可以对本小区业主推出半年优惠，每月减 50 元，需要和公司报批。",
    ),
    (
        Party.PARTY_BRANCH,
        0,
        "建议把电动车集中充电桩也纳入这次协商，社区可以协调街道的专项资金支持一部分。",
    ),
    (
        Party.RESIDENTS,
        3,
        "同意。住户还希望违停处理有个公开的流程，不要只贴条，先电话提醒，屡次不改再通报。",
    ),
    (
        Party.PROPERTY,
        0,
        "同意按“电话提醒—书面告知—楼栋公告”三步走，物业负责记录，每月在公开记录里公布处理情况。",
    ),
)
PARKING_RESIDENT_POSTS = (
    "支持画网格线！上周救护车进来差点被挡住。",
    "地下车位优惠的话我愿意租一个，希望尽快落实。",
    "充电桩能不能装在 12 栋旁边的空地？那里离大家都近。",
)
PARKING_POINTS = (
    (3, "3 栋楼长汇总：本栋 26 户反映访客车位不够，建议在北门增设 10 个临时车位。"),
    (5, "5 栋楼长汇总：老人希望消防通道旁边保留一个临时上下车点，方便接送看病。"),
)
PARKING_RESOLUTION = """**碧海花园规范停车协商决议**

1. 消防通道及单元门口全天禁止停车，物业在一个月内施划黄色网格线、设置提示牌；
2. 违停处理按“电话提醒—书面告知—楼栋公告”三步进行，物业每月在公开记录公布情况；
3. 地下车位对本小区业主推出半年租金优惠（每月减 50 元）；
4. 在 12 栋旁空地建设电动车集中充电棚，社区协调专项资金，物业负责建设和运营；
5. 北门增设 10 个访客临时车位，5 栋消防通道旁保留临时上下车点。"""
PARKING_FIRST_DRAFT = """1. 消防通道全天禁止停车，物业施划网格线；
2. 地下车位租金优惠；
3. 建设电动车集中充电棚。"""
PARKING_ACTIONS = (
    (
        "施划消防通道黄色网格线、设置提示牌",
        Party.PROPERTY,
        -10,
        ActionItem.Status.DONE,
        "已完成东门、3 栋、5 栋周边共 6 处网格线和 12 块提示牌。",
    ),
    (
        "地下车位半年租金优惠报批并公布",
        Party.PROPERTY,
        14,
        ActionItem.Status.IN_PROGRESS,
        "公司已同意，正在准备公告，下周发布。",
    ),
    (
        "协调街道专项资金建设电动车充电棚",
        Party.PARTY_BRANCH,
        45,
        ActionItem.Status.IN_PROGRESS,
        "已向街道提交申请，首批资金预计下月到位。",
    ),
    ("各楼栋宣传停车新规、收集违停反馈", Party.RESIDENTS, 20, ActionItem.Status.PLANNED, ""),
)

PETS_BACKGROUND = """**文明养宠**是金点子中排名第一的主题：遛狗不牵绳、宠物粪便不清理、夜间犬吠扰民。

希望三方商定一份《碧海花园文明养宠公约》，既照顾养宠家庭，也保障其他居民的安全和环境卫生。"""
PETS_POSTS = (
    (
        Party.PARTY_BRANCH,
        0,
        "养宠家庭和不养宠的居民都是邻居，公约要兼顾双方。建议先登记、再宣传、后管理。",
    ),
    (
        Party.RESIDENTS,
        3,
        "居民的诉求很集中：出门必须牵绳，大型犬戴嘴套，粪便随手清理。楼长们可以挨家挨户宣传。",
    ),
    (
        Party.PROPERTY,
        0,
        "物业可以在中心花园设三个宠物便便箱，免费提供拾便袋。但违规处理我们没有执法权，这一点需要在公约里说清楚。",
    ),
)
PETS_RESOLUTION = """**碧海花园文明养宠公约**

1. 犬只出户必须牵绳，大型犬须佩戴嘴套，电梯内主动避让他人；
2. 宠物粪便随手清理，物业在中心花园设置三个便便箱并免费提供拾便袋；
3. 每晚 22 点至次日 7 点避免犬吠扰民；
4. 养犬家庭到物业服务中心登记，楼长协助宣传；
5. 屡次违反公约的，由楼长上门沟通，社区党总支协调，必要时报告执法部门。"""

STAIRWELL_BACKGROUND = """楼道堆放旧家具、纸箱和自行车，既影响通行，也有严重的火灾隐患。

本次议事讨论集中清理的时间安排、暂存场地，以及清理后如何长效管理。"""
STAIRWELL_POSTS = (
    (Party.PROPERTY, 0, "我们建议分楼栋集中清理，每栋提前一周通知，暂存点设在地下室 B1 东侧空地。"),
    (Party.RESIDENTS, 12, "12 栋有几户老人的旧家具自己搬不动，希望志愿者帮忙。"),
    (Party.PARTY_BRANCH, 0, "红心碧海志愿队可以组织两次集中清理活动，党员带头。"),
)


def _demo_people(community: Community, users: dict[str, User]) -> dict[str, object]:
    from covenant.management.commands.seed_demo import (
        ADMIN_EMAIL,
        PARTY_EMAILS,
        STEWARD_EMAILS,
        captain_email,
    )

    role_holders = set(
        RoleGrant.objects.filter(community=community).values_list("user_id", flat=True)
    )
    residents = list(
        User.objects.filter(
            memberships__household__building__community=community,
            memberships__status=Membership.Status.VERIFIED,
        )
        .exclude(pk__in=role_holders)
        .distinct()
        .order_by("pk")[:6]
    )
    return {
        "admin": users[ADMIN_EMAIL],
        "party": users[PARTY_EMAILS[0]],
        "party2": users[PARTY_EMAILS[1]],
        "steward": users[STEWARD_EMAILS[0]],
        "steward2": users[STEWARD_EMAILS[1]],
        "captains": {n: users[captain_email(n)] for n in (3, 5, 12)},
        "residents": residents,
    }


def _speaker(people: dict, party: str, building: int) -> User:
    if party == Party.PARTY_BRANCH:
        return people["party"]
    if party == Party.PROPERTY:
        return people["steward"]
    return people["captains"][building]


class _DeliberationWriter:
    def __init__(self, community: Community, people: dict, opened_days_ago: int):
        self.community = community
        self.people = people
        self.now = timezone.now()
        self.clock = self.now - timedelta(days=opened_days_ago)

    def tick(self, hours: float = 20) -> datetime:
        moment = timezone.localtime(self.clock + timedelta(hours=hours))
        if not 8 <= moment.hour < 22:
            # People write in the day: night-time steps move on to the next morning.
            days = 1 if moment.hour >= 22 else 0
            moment = (moment + timedelta(days=days)).replace(hour=8, minute=40 + moment.minute % 20)
        self.clock = min(moment, self.now - timedelta(minutes=5))
        return self.clock

    def open(self, *, topic: str, background: str, opener: User) -> Deliberation:
        self.deliberation = Deliberation.objects.create(
            community=self.community, topic=topic, background=background, opened_by=opener,
            created_at=self.clock, status_changed_at=self.clock,
        )  # fmt: skip
        self.status(Deliberation.Status.OPEN, opener)
        return self.deliberation

    def status(self, to_status: str, actor: User) -> None:
        deliberation = self.deliberation
        DeliberationStatusChange.objects.create(
            deliberation=deliberation, actor=actor, from_status=deliberation.status
            if to_status != Deliberation.Status.OPEN else "",
            to_status=to_status, created_at=self.clock,
        )  # fmt: skip
        deliberation.status = to_status
        deliberation.status_changed_at = self.clock
        deliberation.save(update_fields=["status", "status_changed_at"])

    def seat(self, building_captains: Sequence[int]) -> None:
        people = self.people
        seats = [(people["party"], Party.PARTY_BRANCH), (people["steward"], Party.PROPERTY)]
        seats += [(people["captains"][n], Party.RESIDENTS) for n in building_captains]
        Representative.objects.bulk_create(
            Representative(
                deliberation=self.deliberation, user=user, party=party, named_by=people["party"],
                created_at=self.clock,
            )
            for user, party in seats
        )  # fmt: skip

    def posts(self, posts) -> None:
        for party, building, body in posts:
            DeliberationPost.objects.create(
                deliberation=self.deliberation, author=_speaker(self.people, party, building),
                kind=DeliberationPost.Kind.REPRESENTATIVE, party=party, body=body,
                created_at=self.tick(),
            )  # fmt: skip

    def residents_say(self, texts, points=()) -> None:
        for resident, body in zip(self.people["residents"], texts, strict=False):
            DeliberationPost.objects.create(
                deliberation=self.deliberation, author=resident,
                kind=DeliberationPost.Kind.RESIDENT, body=body, created_at=self.tick(5),
            )  # fmt: skip
        for number, body in points:
            captain = self.people["captains"][number]
            DeliberationPost.objects.create(
                deliberation=self.deliberation, author=captain,
                kind=DeliberationPost.Kind.BUILDING_POINT, building=captain.role_grants.get(
                    role="captain"
                ).building, body=body, created_at=self.tick(5),
            )  # fmt: skip

    def link(self, ideas: list[Idea], actor: User) -> None:
        deliberation = self.deliberation
        deliberation.ideas.add(*ideas)
        reply = f"已纳入三方议事[{deliberation.topic}]({deliberation.get_absolute_url()})。"
        referable = [idea for idea in ideas if idea.status in {"submitted", "accepted"}]
        self._move(referable, Idea.Status.REFERRED, actor, reply)

    def _move(self, ideas: list[Idea], to_status: str, actor: User, reply: str) -> None:
        # Never before the idea's own last change, so its timeline stays in order.
        latest = self.now - timedelta(minutes=1)
        entries = []
        for idea in ideas:
            at = min(max(self.clock, idea.status_changed_at + timedelta(minutes=1)), latest)
            entries.append(
                TimelineEntry(
                    idea=idea, actor=actor, from_status=idea.status, to_status=to_status,
                    public_reply=reply, created_at=at,
                )
            )  # fmt: skip
            idea.status, idea.status_changed_at = to_status, at
            idea.last_activity_at = max(idea.last_activity_at, at)
        TimelineEntry.objects.bulk_create(entries)
        Idea.objects.bulk_update(ideas, ["status", "status_changed_at", "last_activity_at"])

    def resolve(self, drafts: Sequence[str], signers: dict[str, str]) -> Resolution:
        """Propose each draft in turn; the last one gets the given answers by party."""
        people = self.people
        resolution = Resolution.objects.create(
            deliberation=self.deliberation, proposed_by=people["party"], created_at=self.tick()
        )
        self.status(Deliberation.Status.RESOLUTION_PROPOSED, people["party"])
        voices = {
            Party.PARTY_BRANCH: people["party"],
            Party.RESIDENTS: people["captains"][3],
            Party.PROPERTY: people["steward"],
        }
        for number, text in enumerate(drafts, start=1):
            version = ResolutionVersion.objects.create(
                resolution=resolution, number=number, text=text, written_by=people["party"],
                created_at=self.tick(),
            )  # fmt: skip
            answers = signers if number == len(drafts) else {Party.PARTY_BRANCH: "agree"}
            for party, decision in answers.items():
                SignOff.objects.create(
                    version=version, party=party, signed_by=voices[party], decision=decision,
                    comment="" if decision == "agree" else "需要补充访客车位的安排。",
                    created_at=self.tick(6),
                )  # fmt: skip
        return resolution


def _open_ideas(community: Community, slug: str) -> list[Idea]:
    return list(
        Idea.objects.filter(
            community=community, category__slug=slug, moderation=Moderation.VISIBLE,
            duplicate_of__isnull=True,
            status__in=["submitted", "accepted", "in_progress", "referred"],
        ).order_by("-support_count", "pk")
    )  # fmt: skip


def _seed_deliberations(community: Community, users: dict[str, User]) -> int:
    people = _demo_people(community, users)
    admin, party = people["admin"], people["party"]

    # 规范停车: all three parties spoke, a meeting with minutes, resolution adopted.
    writer = _DeliberationWriter(community, people, opened_days_ago=40)
    parking = writer.open(
        topic="规范停车：消防通道、车位与充电", background=PARKING_BACKGROUND, opener=party
    )
    writer.seat([3, 5])
    ideas = _open_ideas(community, "parking")
    writer.link(ideas, party)
    writer.status(Deliberation.Status.IN_SESSION, party)
    writer.posts(PARKING_POSTS[:4])
    writer.residents_say(PARKING_RESIDENT_POSTS, PARKING_POINTS)
    meeting = Meeting.objects.create(
        deliberation=parking, starts_at=writer.tick(48), place="社区党群服务中心二楼会议室",
        agenda="1. 物业介绍停车现状\n2. 楼长代表反映住户意见\n3. 讨论消防通道管理和车位优惠",
        minutes=(
            "**出席**：三方代表共 9 人。\n\n"
            "1. 三方一致同意消防通道全天禁停，物业一个月内完成网格线；\n"
            "2. 物业同意向公司申请地下车位租金优惠；\n"
            "3. 社区党总支协调街道资金建设充电棚；\n"
            "4. 违停处理按三步走，每月公开。"
        ),
        minutes_recorded_by=admin, minutes_recorded_at=writer.tick(3), scheduled_by=party,
    )  # fmt: skip
    MeetingAttendance.objects.bulk_create(
        MeetingAttendance(meeting=meeting, party=p, attendees=names)
        for p, names in (
            (Party.PARTY_BRANCH, f"{people['party'].name}、{people['party2'].name}"),
            (Party.RESIDENTS, "、".join(people["captains"][n].name for n in (3, 5, 12))),
            (Party.PROPERTY, f"{people['steward'].name}、{people['steward2'].name}"),
        )
    )
    writer.posts(PARKING_POSTS[4:])
    resolution = writer.resolve(
        [PARKING_FIRST_DRAFT, PARKING_RESOLUTION],
        {Party.PARTY_BRANCH: "agree", Party.PROPERTY: "agree", Party.RESIDENTS: "agree"},
    )
    today = timezone.localdate()
    ActionItem.objects.bulk_create(
        ActionItem(
            resolution=resolution, title=title, owner_party=owner, due_on=today + timedelta(days=due),
            status=status, progress_note=note, owner=people["steward"] if owner == Party.PROPERTY else None,
            updated_by=admin, updated_at=writer.tick(2),
        )
        for title, owner, due, status, note in PARKING_ACTIONS
    )  # fmt: skip
    resolution.adopted_at = writer.tick(4)
    resolution.save(update_fields=["adopted_at"])
    writer.status(Deliberation.Status.RESOLVED, people["steward"])
    referred = [idea for idea in ideas if idea.status == Idea.Status.REFERRED]
    reply = f"三方已通过[{parking.topic}]({parking.get_absolute_url()})的决议，正在落实。"
    writer._move(referred, Idea.Status.IN_PROGRESS, people["steward"], reply)

    # 文明养宠: a resolution awaiting the property's sign-off.
    writer = _DeliberationWriter(community, people, opened_days_ago=15)
    writer.open(topic="文明养宠公约", background=PETS_BACKGROUND, opener=people["captains"][3])
    writer.seat([3])
    writer.link(_open_ideas(community, "pets")[:30], people["captains"][3])
    writer.status(Deliberation.Status.IN_SESSION, people["captains"][3])
    writer.posts(PETS_POSTS)
    writer.residents_say(["希望公约里写明电梯里怎么避让，我家孩子怕狗。"])
    writer.resolve([PETS_RESOLUTION], {Party.PARTY_BRANCH: "agree", Party.RESIDENTS: "agree"})

    # 清理楼道杂物: in session, a meeting coming up.
    writer = _DeliberationWriter(community, people, opened_days_ago=6)
    stairwell = writer.open(
        topic="清理楼道杂物", background=STAIRWELL_BACKGROUND, opener=people["steward"]
    )
    writer.seat([12])
    writer.link(_open_ideas(community, "stairwell")[:20], people["steward"])
    writer.status(Deliberation.Status.IN_SESSION, people["steward"])
    writer.posts(STAIRWELL_POSTS)
    Meeting.objects.create(
        deliberation=stairwell, starts_at=writer.now + timedelta(days=4, hours=2),
        place="物业服务中心会议室", agenda="1. 确定各楼栋清理时间表\n2. 暂存场地和志愿者分工",
        scheduled_by=people["steward"],
    )  # fmt: skip
    return 3


# --- Owners' votes (业主表决) -----------------------------------------------------------


@dataclass(frozen=True)
class _DemoVote:
    title: str
    question: str
    matter: str
    opened_days_ago: float
    runs_days: float
    online_share: float  # of the households with a verified owner on the portal
    paper_share: float  # of the other households: paper ballots collected at the door
    choices: tuple[float, float]  # agree, object; the rest abstain
    deliberation_topic: str = ""  # the deliberation the vote came from, if any


DEMO_VOTES = (
    _DemoVote(
        title="规范停车：地面划线停车位方案",
        question=(
            "为解决乱停乱放、消防通道被占的问题，物业与业委会筹备组提出在小区主干道一侧"
            "施划 **126 个地面停车位**，按月租用，收入扣除划线及管理成本后全部计入业主"
            "共有收益。\n\n- 消防通道两侧全部禁停并加装地桩\n- 划线费用约 3.8 万元，由共有收益"
            "先行垫付\n- 方案及车位图已张贴在各楼栋大堂\n\n请问：您是否同意按上述方案施划"
            "地面停车位？"
        ),
        matter=OwnersVote.Matter.ORDINARY,
        opened_days_ago=20,  # after the parking deliberation adopted its resolution
        runs_days=14,
        online_share=0.9,
        paper_share=0.62,
        choices=(0.70, 0.20),
        deliberation_topic="规范停车：消防通道、车位与充电",
    ),
    _DemoVote(
        title="续筹专项维修资金并更换 3、5 栋老旧电梯",
        question=(
            "3 栋、5 栋电梯已运行十余年，故障频繁。维修资金账户余额不足以更换，"
            "拟按每平方米 25 元向全体业主续筹专项维修资金，用于更换两栋共 4 部电梯。"
            "\n\n请问：您是否同意续筹专项维修资金？"
        ),
        matter=OwnersVote.Matter.RAISE_FUND,
        opened_days_ago=75,
        runs_days=21,
        online_share=0.8,
        paper_share=0.05,
        choices=(0.62, 0.30),
    ),
    _DemoVote(
        title="修订《管理规约》：增加文明养宠条款",
        question=(
            "金点子征集中，文明养宠是大家提得最多的话题。三方议事协商后，拟在《管理规约》"
            "中增加：\n\n1. 遛狗必须牵绳，大型犬须戴嘴套\n2. 宠物粪便由主人即时清理\n"
            "3. 晚上十点后不得在楼道内遛狗\n\n请问：您是否同意将上述条款写入《管理规约》？"
        ),
        matter=OwnersVote.Matter.ORDINARY,
        opened_days_ago=4,
        runs_days=14,
        online_share=0.35,
        paper_share=0.1,
        choices=(0.75, 0.15),
        deliberation_topic="文明养宠公约",
    ),
)


def _link_votes_to_deliberations(community: Community) -> None:
    """The parking and pet-keeping votes put what the three parties resolved to the
    owners (the votes are seeded first, the deliberations with the ideas)."""
    for plan in DEMO_VOTES:
        if plan.deliberation_topic:
            deliberation = Deliberation.objects.filter(
                community=community, topic=plan.deliberation_topic
            ).first()
            OwnersVote.objects.filter(community=community, title=plan.title).update(
                deliberation=deliberation
            )


def _seed_owners_votes(*, community: Community, admin: User, say: Callable[[str], None]) -> None:
    """Two closed votes (one passed, one short of the turnout) and one open, with ballots
    of the demo's verified owners and paper ballots entered by the admin. Written in
    bulk, without notifications: the demo's mailbox stays quiet. The demo resident's
    unit (3-1201) has not voted in the open one yet, so its ballot form shows."""
    from covenant.management.commands.seed_demo import DEMO_UNIT
    from proposals.models import Ballot, VoteRollEntry

    if OwnersVote.objects.filter(community=community).exists():
        say("业主表决 owners' votes: already there, nothing added")
        return
    rng = random.Random(f"{SEED}:votes")
    now = timezone.now()
    households = list(
        Household.objects.filter(building__community=community)
        .order_by("pk")
        .values_list("pk", "floor_area")
    )
    owner_of: dict[int, int] = {}
    for user_id, household_id in (
        Membership.objects.filter(
            household__building__community=community,
            relation=Membership.Relation.OWNER,
            status=Membership.Status.VERIFIED,
        )
        .order_by("pk")
        .values_list("user_id", "household_id")
    ):
        owner_of.setdefault(household_id, user_id)
    kept = set(
        Household.objects.filter(
            building__community=community, building__number=DEMO_UNIT[0], unit=DEMO_UNIT[1]
        ).values_list("pk", flat=True)
    )
    roll, ballots = [], []
    for plan in DEMO_VOTES:
        opens_at = now - timedelta(days=plan.opened_days_ago)
        closes_at = opens_at + timedelta(days=plan.runs_days)
        vote = OwnersVote.objects.create(
            community=community, title=plan.title, question=plan.question, matter=plan.matter,
            status=OwnersVote.Status.CLOSED if closes_at < now else OwnersVote.Status.OPEN,
            opens_at=opens_at, closes_at=closes_at,
            closed_at=closes_at if closes_at < now else None, created_by=admin,
            electorate_households=len(households),
            electorate_area=sum((area for _pk, area in households), Decimal(0)),
        )  # fmt: skip
        last = min(now, closes_at)
        for household_id, area in households:
            roll.append(VoteRollEntry(vote=vote, household_id=household_id, floor_area=area))
            owner = owner_of.get(household_id)
            online = owner is not None and rng.random() < plan.online_share
            paper = owner is None and rng.random() < plan.paper_share
            if not (online or paper) or (vote.status == "open" and household_id in kept):
                continue
            draw = rng.random()
            choice = "agree" if draw < plan.choices[0] else "object"
            if draw >= plan.choices[0] + plan.choices[1]:
                choice = "abstain"
            cast_at = _when(rng, opens_at, last)
            ballots.append(
                Ballot(
                    vote=vote, household_id=household_id, floor_area=area, choice=choice,
                    cast_by_id=owner if online else admin.pk, on_paper=paper,
                    first_cast_at=cast_at, cast_at=cast_at,
                    change_count=1 if rng.random() < 0.04 else 0,
                )
            )  # fmt: skip
    VoteRollEntry.objects.bulk_create(roll, batch_size=BATCH_SIZE)
    Ballot.objects.bulk_create(ballots, batch_size=BATCH_SIZE)
    say(f"业主表决 owners' votes: {len(DEMO_VOTES)} ({len(ballots):,} ballots)")


# --- The second estate (翠湖苑): a few ideas of its own ----------------------------------

# (category, title, text, building, days ago, status, the steward's public reply)
SECOND_ESTATE_IDEAS = (
    (
        "greenery",
        "翠湖边的步道想加几盏路灯",
        "晚上沿湖散步的老人不少，步道北段没有路灯，黑乎乎的容易摔倒。",
        2,
        3,
        Idea.Status.SUBMITTED,
        "",
    ),
    (
        "parking",
        "电动车充电桩不够用",
        "6 栋楼下只有两个充电口，晚上排队，有人把车推进大堂充电，很危险。",
        6,
        12,
        Idea.Status.ACCEPTED,
        "已收到，物业正在评估在 5、6 栋之间增设一组充电桩。",
    ),
    (
        "pets",
        "湖边草坪遛狗请拴绳",
        "周末孩子在草坪上玩，常有大狗不拴绳跑过来，家长很紧张。",
        3,
        20,
        Idea.Status.IN_PROGRESS,
        "已在草坪入口加装提示牌，楼长会上门宣传文明养宠。",
    ),
    (
        "hygiene",
        "垃圾分类点晚上满溢",
        "2 栋旁边的分类点晚上八点就满了，能不能加一次清运？",
        2,
        35,
        Idea.Status.DONE,
        "已调整为每天两次清运，晚上九点加收一次。",
    ),
    (
        "facilities",
        "小区门禁卡能否改成人脸识别",
        "老人常忘带门禁卡，建议大门加装人脸识别，自愿登记。",
        1,
        50,
        Idea.Status.DECLINED,
        "经业主代表商议，人脸信息涉及隐私，暂不采用，改为给老人补办挂绳门禁卡。",
    ),
)


def seed_second_estate(
    *, estate: Community, users: dict[str, User], say: Callable[[str], None]
) -> None:
    """A few ideas of 翠湖苑's residents, some answered by its steward. Ideas already
    there (by title, in this estate) are left alone."""
    from covenant.management.commands.seed_demo import SECOND_STEWARD_EMAIL

    steward = users[SECOND_STEWARD_EMAIL]
    now = timezone.now()
    categories = _categories()
    existing = set(Idea.objects.filter(community=estate).values_list("title", flat=True))
    authors = list(
        Membership.objects.filter(
            household__building__community=estate, status=Membership.Status.VERIFIED
        )
        .exclude(user__role_grants__community=estate)
        .select_related("user", "household__building")
        .order_by("household__building__number", "household__floor", "pk")
    )
    made = 0
    for slug, title, body, building, days_ago, status, reply in SECOND_ESTATE_IDEAS:
        if title in existing:
            continue
        home = next(m for m in authors if m.household.building.number == building)
        created = now - timedelta(days=days_ago)
        answered = created + timedelta(hours=20)
        idea = Idea.objects.create(
            community=estate,
            category=categories[slug],
            title=title,
            body=body,
            author=home.user,
            household=home.household,
            building=home.household.building,
            floor=home.household.floor,
            status=status,
            search_tokens=search_tokens_for(title, body),
            created_at=created,
            status_changed_at=answered if reply else created,
            last_activity_at=answered if reply else created,
        )
        if reply:
            TimelineEntry.objects.create(
                idea=idea,
                actor=steward,
                from_status=Idea.Status.SUBMITTED,
                to_status=status,
                public_reply=reply,
                created_at=answered,
            )
        made += 1
    say(
        f"  金点子 ideas in {estate.name}: {Idea.objects.filter(community=estate).count()} (new: {made})"
    )
