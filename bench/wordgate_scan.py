"""Word gate scan speed: ``python -m bench.wordgate_scan [--words 50000] [--chars 3000]``.

Builds a dictionary of N entries (deterministic; half made of characters that occur in the
article, so the automaton follows many partial matches, as it does with a real dictionary
over news copy), builds the Aho-Corasick matcher the gate uses (``rongmei.wordgate.matching``),
and scans a news article of about ``--chars`` characters that holds a few dictionary words,
some with spaces and punctuation inserted to dodge the filter. In the same run it times the
naive check ``for word in words: if word in text`` over the raw text (which does less: no
normalisation, no offsets, and it misses the dodged words) and prints one JSON line:

    build_seconds      building the automaton from the entries (CPU seconds; and wall)
    scans_per_second   full scans per CPU second (normalise, match, map offsets back) of the article
    before_per_second  the same with the matching before issue 13 (no traditional → simplified,
                       letters/digits/kana between the characters of a word not skipped)
    slowdown           before_per_second / scans_per_second (must stay within 2)
    naive_per_second   naive loops over the same article
    speedup            scans_per_second / naive_per_second
    hits, naive_hits   what each found

The matcher needs no database: the figures are the in-process cost of a scan. Loading the
entries from the database when the dictionary version changes is a separate, rare cost.
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import sys
import time

NEWS = (
    "十一月二十五日上午，县融媒体中心召开全县秋冬季安全生产工作推进会，"
    "会议总结了前三季度全县安全生产工作，分析了当前面临的形势，部署了下一阶段重点任务。"
    "县应急管理局负责人介绍，今年以来全县共开展隐患排查一千二百余次，整改问题三百多处。"
    "会议要求，各乡镇和县直有关部门要压实责任，加强道路交通、建筑施工、燃气和消防等重点领域的监管，"
    "确保群众生命财产安全。荷塘镇上塘村的脐橙今年迎来丰收，村民们忙着采摘、分拣、装箱，"
    "通过电商平台销往全国各地。村党支部书记说，合作社统一品牌、统一标准，价格比去年提高了两成。"
    "县人民医院开展义诊进社区活动，为老年人免费测量血压血糖，讲解冬季常见病的预防知识。"
    "白水镇中心小学组织学生参观县博物馆，了解家乡的历史文化和红色故事。"
    "县住房和城乡建设局提醒市民，冬季使用燃气要注意通风，发现泄漏及时关闭阀门并拨打报修电话。"
)
PLANTED = ("赌 博-网站", "代开发票", "师傅上门按装", "办*证*刻*章", "迫不急待",
           "代開發票", "赌a博1网の站")


def build_article(chars: int, rng: random.Random) -> str:
    sentences = [s + "。" for s in NEWS.split("。") if s]
    parts, length = [], 0
    while length < chars:
        sentence = rng.choice(sentences)
        parts.append(sentence)
        length += len(sentence)
    for phrase in PLANTED:  # a few problems, spread through the article
        parts.insert(rng.randrange(len(parts)), f"有人留言称{phrase}，")
    return "".join(parts)[: chars + 100]


def build_words(n: int, article: str, rng: random.Random) -> list[str]:
    from rongmei.wordgate.normalize import normalize_word

    local = sorted({c for c in article if "\u4e00" <= c <= "\u9fff"})
    words = {"赌博网站", "代开发票", "按装", "办证刻章", "迫不急待"}
    while len(words) < n:
        if len(words) % 2:
            size = rng.randint(3, 6)
            word = "".join(rng.choice(local) for _ in range(size))
        else:
            size = rng.randint(2, 6)
            word = "".join(chr(rng.randint(0x4E00, 0x9FA5)) for _ in range(size))
        if normalize_word(word) == word:
            words.add(word)
    return sorted(words)


def timed_rate(function, *, min_seconds: float, min_runs: int) -> float:
    """Runs per CPU second of this process (wall time is at the mercy of whatever else the
    machine runs; both methods are single-threaded, so CPU time compares them fairly)."""
    runs, started = 0, time.process_time()
    while True:
        function()
        runs += 1
        elapsed = time.process_time() - started
        if runs >= min_runs and elapsed >= min_seconds:
            return runs / elapsed


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--words", type=int, default=50_000)
    parser.add_argument("--chars", type=int, default=3_000)
    parser.add_argument("--seconds", type=float, default=2.0,
                        help="minimum time spent timing each method")
    args = parser.parse_args(argv)

    from rongmei.wordgate.matching import Entry, Matcher

    rng = random.Random(20261126)
    article = build_article(args.chars, rng)
    words = build_words(args.words, article, rng)
    entries = {w: Entry(w, "block", "sensitive", "") for w in words}

    started, wall = time.process_time(), time.perf_counter()
    matcher = Matcher(entries)
    build_seconds = time.process_time() - started
    build_wall_seconds = time.perf_counter() - wall

    verdict = matcher.find(article)
    before = Matcher(entries, strong=False)
    before_hits = len(before.find(article).hits)

    def naive():
        return [word for word in words if word in article]

    naive_hits = len(naive())
    scan_rate = timed_rate(lambda: matcher.find(article), min_seconds=args.seconds,
                           min_runs=20)
    before_rate = timed_rate(lambda: before.find(article), min_seconds=args.seconds,
                             min_runs=20)
    naive_rate = timed_rate(naive, min_seconds=args.seconds, min_runs=3)
    print(json.dumps({
        "bench": "wordgate-scan", "words": len(words), "article_chars": len(article),
        "build_seconds": round(build_seconds, 3),
        "build_wall_seconds": round(build_wall_seconds, 3),
        "scans_per_second": round(scan_rate, 1),
        "scan_ms": round(1000 / scan_rate, 3),
        "before_per_second": round(before_rate, 1),
        "slowdown": round(before_rate / scan_rate, 2),
        "naive_per_second": round(naive_rate, 2),
        "naive_ms": round(1000 / naive_rate, 2),
        "speedup": round(scan_rate / naive_rate, 1),
        "hits": len(verdict.hits), "before_hits": before_hits, "naive_hits": naive_hits,
        "python": platform.python_version(),
    }, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
