"""Word lists for finding quantified targets in Chinese task text.

The lists contain the vocabulary of government target-setting. Verbs introduce a
target (达/建成/打造 N) and other words set its comparator (不少于, 超过, 以上, 左右).
Measure words and units follow a number, and a few verbs end the noun phrase that
names what is counted.
"""

from __future__ import annotations

from citybase.plan.parsing.results import Comparator

# Units written in Chinese, longest first so that 平方公里 wins over 公里.
CHINESE_UNITS: tuple[str, ...] = tuple(
    sorted(
        (
            "个百分点", "个工作日", "工作日", "个月", "人次", "平方公里", "平方千米", "平方米",
            "立方米", "公里", "千米", "公顷", "千瓦时", "千瓦", "兆瓦", "小时", "分钟",
            "吨", "亩", "米", "元", "个", "家", "台", "辆", "架", "所", "座", "条", "项",
            "套", "处", "名", "人", "户", "件", "次", "款", "类", "部", "张", "只", "栋",
            "幢", "间", "份", "支", "场", "枚", "根", "盏", "艘", "天", "周", "倍", "秒",
        ),
        key=len,
        reverse=True,
    )
)

# Units written in Latin letters; a number directly followed by letters that are not
# one of these (5G, 4K, V2X) names a technology.
LATIN_UNITS: tuple[str, ...] = (
    "Gbps", "Mbps", "Kbps", "Tbps", "GB", "TB", "PB", "EB", "km²", "km2", "km",
    "kWh", "kW", "MW", "GW", "G", "M", "T", "P",
)

# Single letters that are units only when a level is set (带宽达100G), never in 5G or 4K.
AMBIGUOUS_LATIN_UNITS: tuple[str, ...] = ("G", "M", "T", "P")

PERCENT_UNITS: tuple[str, ...] = ("%", "‰")

# A measure word that begins a longer word is not a unit: 百万家庭, 个人, 项目.
FALSE_UNIT_WORDS: tuple[str, ...] = (
    "家庭", "家居", "家属", "家长", "个人", "个性", "个体", "个案", "台账", "台阶", "名单",
    "名称", "名录", "项目", "条件", "条例", "条款", "处置", "处理", "件事", "人员", "人才",
    "人工", "人群", "人口", "人民", "次要", "场景", "场馆", "场所", "场地", "部门", "部署",
    "部件", "类型", "类别", "张图", "户籍", "套餐", "份额", "支持", "支撑", "间隔", "米粮",
    "元素", "天气", "周边", "周期", "所有", "所属", "座谈", "款式", "只有", "倍增",
)

# Words directly before a number that make it a target, and the comparator they set.
TRIGGERS: dict[str, Comparator] = {
    "达到": Comparator.REACH, "达": Comparator.REACH, "建成": Comparator.REACH,
    "建设": Comparator.REACH, "打造": Comparator.REACH, "形成": Comparator.REACH,
    "发展": Comparator.REACH, "集聚": Comparator.REACH, "培育": Comparator.REACH,
    "创建": Comparator.REACH, "新增": Comparator.REACH, "引进": Comparator.REACH,
    "覆盖": Comparator.REACH, "部署": Comparator.REACH, "完成": Comparator.REACH,
    "推出": Comparator.REACH, "开通": Comparator.REACH, "建立": Comparator.REACH,
    "培养": Comparator.REACH, "吸引": Comparator.REACH, "举办": Comparator.REACH,
    "提高到": Comparator.REACH, "提高至": Comparator.REACH, "提升到": Comparator.REACH,
    "提升至": Comparator.REACH, "增加到": Comparator.REACH, "增加至": Comparator.REACH,
    "增长到": Comparator.REACH, "增长至": Comparator.REACH, "扩大到": Comparator.REACH,
    "扩大至": Comparator.REACH, "接入": Comparator.REACH, "实现": Comparator.REACH,
    # 等 closes a list and counts it: "…等10家直播和短视频基地".
    "等": Comparator.REACH,
    "超过": Comparator.MORE_THAN, "多于": Comparator.MORE_THAN, "高于": Comparator.MORE_THAN,
    "大于": Comparator.MORE_THAN,
    "不少于": Comparator.AT_LEAST, "不低于": Comparator.AT_LEAST, "至少": Comparator.AT_LEAST,
    "不小于": Comparator.AT_LEAST,
    "不超过": Comparator.AT_MOST, "不高于": Comparator.AT_MOST, "不多于": Comparator.AT_MOST,
    "最多": Comparator.AT_MOST,
    "低于": Comparator.LESS_THAN, "少于": Comparator.LESS_THAN, "小于": Comparator.LESS_THAN,
    "不足": Comparator.LESS_THAN,
    "约为": Comparator.ABOUT, "大约": Comparator.ABOUT, "约": Comparator.ABOUT,
}
TRIGGER_WORDS: tuple[str, ...] = tuple(sorted(TRIGGERS, key=len, reverse=True))

# Triggers that set a level rather than build things; only these make "100G" a target.
LEVEL_TRIGGERS: frozenset[str] = frozenset(
    {
        "达到", "达", "提高到", "提高至", "提升到", "提升至", "增加到", "增加至", "超过", "不少于",
        "不低于", "至少", "不小于", "不超过", "不高于", "低于", "约为", "约", "大约",
    }
)

# Adverbs before a target verb that set the comparator: 至少建设3个平台.
ADVERB_COMPARATORS: dict[str, Comparator] = {
    "至少": Comparator.AT_LEAST, "最多": Comparator.AT_MOST, "大约": Comparator.ABOUT, "约": Comparator.ABOUT,
}

# Words allowed between a trigger and its number: 覆盖全区463平方公里, 达到累计100家.
MODIFIERS: tuple[str, ...] = ("累计", "共计", "总计", "共", "全区", "全域", "全市", "力争", "争取")

# Words after the number and unit that set the comparator (Civil Code art. 1259:
# 以上/以下/以内 include the number).
SUFFIXES: dict[str, Comparator] = {
    "及以上": Comparator.AT_LEAST, "以上": Comparator.AT_LEAST,
    "以下": Comparator.AT_MOST, "以内": Comparator.AT_MOST,
    "左右": Comparator.ABOUT, "上下": Comparator.ABOUT,
}
SUFFIX_WORDS: tuple[str, ...] = tuple(sorted(SUFFIXES, key=len, reverse=True))

ASPIRATIONAL_WORDS = ("力争", "争取")
CUMULATIVE_WORDS = ("累计",)

# Words that end the noun phrase naming what is counted: 150台自动驾驶出租车|参与示范运行.
NOUN_PHRASE_STOPS: tuple[str, ...] = (
    "参与", "参加", "实施", "开展", "进行", "接入", "投入", "提供", "实现", "运行", "完成",
    "落地", "入驻", "上线", "落户",
)

# Nominalised verbs: in "道路的开放" the thing counted is 道路, not 开放.
ACTION_NOUNS: tuple[str, ...] = ("开放", "建设", "应用", "覆盖", "接入", "运行", "改造", "升级", "部署")

# Words stripped from the front of a subject: 力争存算一体数据中心机架数 → 存算一体数据中心机架数.
LEADING_WORDS: tuple[str, ...] = tuple(
    sorted(
        (
            "力争", "争取", "累计", "逐步", "基本", "全面", "成功", "持续", "进一步", "加快",
            "推动", "创建", "建成", "建设", "打造", "形成", "实现", "完成", "新增", "确保",
        ),
        key=len,
        reverse=True,
    )
)
TRAILING_WORDS: tuple[str, ...] = ("累计", "共计", "总计", "共", "约")
