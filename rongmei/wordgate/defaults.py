"""The default dictionary a new county starts with (installed by migration 0002, restorable
with ``rongmei wordgate_defaults``).

Illegal-advertising and fraud phrases that are spam wherever they appear block publishing;
crime topics a newsroom legitimately reports on (打击高利贷, 防范非法集资) only ask for a
second look. Typos are common slips in news copy. No names of people or organisations.
Operators extend or switch off any of these in the console (敏感词库).
"""

from __future__ import annotations

from .normalize import normalize_word

BLOCK_SENSITIVE = [
    ("赌博网站", "赌博广告"), ("网络赌场", "赌博广告"), ("线上赌场", "赌博广告"),
    ("博彩平台", "赌博广告"), ("赌球平台", "赌博广告"), ("百家乐投注", "赌博广告"),
    ("代开发票", "违法广告"), ("发票代开", "违法广告"), ("办证刻章", "违法广告"),
    ("刻章办证", "违法广告"), ("代办假证", "违法广告"), ("出售假文凭", "违法广告"),
    ("出售银行卡", "电信诈骗"), ("收购银行卡", "电信诈骗"), ("出租银行卡", "电信诈骗"),
    ("刷单返利", "电信诈骗"), ("兼职刷单", "电信诈骗"), ("出售个人信息", "侵犯个人信息"),
    ("出售公民信息", "侵犯个人信息"), ("考试答案出售", "考试作弊"), ("替考枪手", "考试作弊"),
    ("出售枪支", "违禁品"), ("出售迷药", "违禁品"), ("代孕服务", "违法广告"),
    ("黑客接单", "违法广告"), ("无抵押秒批贷款", "非法放贷广告"),
]
REVIEW_SENSITIVE = [
    ("高利贷", "新闻中可能正当出现（如“打击高利贷”），请核对语境"),
    ("套路贷", "新闻中可能正当出现，请核对语境"),
    ("非法集资", "新闻中可能正当出现，请核对语境"),
    ("传销", "新闻中可能正当出现，请核对语境"),
    ("六合彩", "新闻中可能正当出现，请核对语境"),
    ("裸贷", "新闻中可能正当出现，请核对语境"),
    ("日赚千元", "疑似诈骗广告"),
    ("加微信领红包", "疑似诈骗广告"),
]
TYPOS = [
    ("按装", "安装"), ("既使", "即使"), ("在接再厉", "再接再厉"), ("再接再励", "再接再厉"),
    ("一愁莫展", "一筹莫展"), ("迫不急待", "迫不及待"), ("再所难免", "在所难免"),
    ("穿流不息", "川流不息"), ("默守成规", "墨守成规"), ("谈笑风声", "谈笑风生"),
    ("甘败下风", "甘拜下风"), ("走头无路", "走投无路"), ("震憾", "震撼"), ("松驰", "松弛"),
    ("针贬时弊", "针砭时弊"), ("一如继往", "一如既往"), ("金榜提名", "金榜题名"),
    ("既往不究", "既往不咎"), ("水笼头", "水龙头"), ("脉博", "脉搏"), ("国藉", "国籍"),
    ("家俱", "家具"), ("布署", "部署"), ("沉缅", "沉湎"), ("重迭", "重叠"),
    ("竟赛", "竞赛"), ("坐阵指挥", "坐镇指挥"), ("饮鸠止渴", "饮鸩止渴"),
    ("美仑美奂", "美轮美奂"), ("世外桃园", "世外桃源"), ("直接了当", "直截了当"),
    ("哀声叹气", "唉声叹气"), ("按步就班", "按部就班"), ("出奇不意", "出其不意"),
    ("一股作气", "一鼓作气"), ("莫明其妙", "莫名其妙"), ("鬼斧神功", "鬼斧神工"),
    ("不径而走", "不胫而走"), ("情不自尽", "情不自禁"), ("言简意骇", "言简意赅"),
    ("天翻地复", "天翻地覆"), ("原封不懂", "原封不动"), ("变本加利", "变本加厉"),
]
TYPO_NOTES = {"既使": "“既使……又……”句式中是正确用法，请核对"}


def _entries():
    for word, note in BLOCK_SENSITIVE:
        yield word, "block", "sensitive", "", note
    for word, note in REVIEW_SENSITIVE:
        yield word, "review", "sensitive", "", note
    for word, right in TYPOS:
        yield word, "review", "typo", right, TYPO_NOTES.get(word, "常见错别字")



def install_defaults(word_model, version_model=None) -> int:
    """Add the default entries that are missing (by normalised form); entries already there,
    active or not, are left as the operators set them. Takes the model classes so that the
    data migration can pass its historical ones. Returns how many were added."""
    existing = set(word_model.objects.values_list("normalized", flat=True))
    missing = []
    for word, level, kind, suggestion, note in _entries():
        normalized = normalize_word(word)
        if normalized not in existing:
            existing.add(normalized)
            missing.append(word_model(word=word, normalized=normalized, level=level, kind=kind,
                                      suggestion=suggestion, note=note))
    word_model.objects.bulk_create(missing)
    if version_model is not None:
        version_model.objects.update_or_create(pk=1, defaults={"token": "default-1"})
    return len(missing)


def default_words() -> list[str]:
    return [word for word, *_ in _entries()]
