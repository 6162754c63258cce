"""scan / scan_html / scan_fields / highlight_html: the interface other apps call."""

import pytest

from rongmei.wordgate.services import Hit, Verdict, highlight_html, scan, scan_fields, scan_html

pytestmark = pytest.mark.django_db


def test_clean_text_has_no_hits_and_an_empty_message():
    verdict = scan("县融媒体中心今天召开新闻发布会，介绍全县秋粮收购进展。")
    assert verdict == Verdict(hits=())
    assert not verdict.blocked and verdict.message == "" and verdict.block_hits == ()


def test_default_dictionary_blocks_an_illegal_advert_with_offsets_into_the_text():
    text = "本店代开发票，另有赌博网站推荐"
    verdict = scan(text)
    assert verdict.blocked
    assert [text[h.start:h.end] for h in verdict.hits] == ["代开发票", "赌博网站"]
    assert verdict.hits[0] == Hit("代开发票", 2, 6, "block", "sensitive", "")
    assert verdict.message == "含有禁用词：代开发票、赌博网站"


def test_typo_is_a_review_hit_with_the_right_form_as_suggestion():
    verdict = scan("师傅上门按装空调，大家再所难免有疏漏")
    assert not verdict.blocked
    assert [(h.word, h.kind, h.level, h.suggestion) for h in verdict.review_hits] == [
        ("按装", "typo", "review", "安装"), ("再所难免", "typo", "review", "在所难免")]
    assert verdict.message == "请核对：按装（应为“安装”）、再所难免（应为“在所难免”）"


def test_message_names_block_hits_then_review_hits_each_word_once():
    verdict = scan("赌博网站和代开发票；按装。又见赌博网站")
    assert verdict.message == "含有禁用词：赌博网站、代开发票；请核对：按装（应为“安装”）"
    assert len(verdict.block_hits) == 3 and len(verdict.review_hits) == 1


def test_review_level_sensitive_word_warns_without_blocking(add_word):
    add_word("某某传闻", level="review")
    verdict = scan("网传某某传闻不实")
    assert not verdict.blocked
    assert verdict.review_hits == (Hit("某某传闻", 2, 6, "review", "sensitive", ""),)
    assert verdict.message == "请核对：某某传闻"


@pytest.mark.parametrize("text", [
    "赌 博-网站", "赌*博*网*站", "赌\u200b博\u200d网\ufeff站", "赌　博，网站", "赌🎲博网站",
])
def test_spaces_punctuation_and_invisible_characters_inside_a_word_do_not_dodge(text):
    verdict = scan("看这里" + text + "吧")
    assert [h.word for h in verdict.hits] == ["赌博网站"]
    hit = verdict.hits[0]
    assert (hit.start, hit.end) == (3, 3 + len(text))


def test_full_width_and_upper_case_letters_match(add_word):
    add_word("vip代充")
    text = "专业ＶＩＰ代充"
    hit, = scan(text).hits
    assert text[hit.start:hit.end] == "ＶＩＰ代充" and hit.word == "vip代充"


def test_latin_entries_match_whole_words_only(add_word):
    add_word("bet365")
    assert scan("登录 bet365 领取").blocked
    assert scan("Bet365!").blocked
    assert not scan("abet3650").hits


def test_a_long_filler_separates_words_but_sentence_marks_and_white_space_are_filler():
    # A title or comment shows a line break as a space: line and paragraph separators,
    # form feeds, NEL and runs of (no-break) spaces are one filler character, however long
    # (adversarial review: "赌\u2028博网站" went public in classifieds, comments, titles).
    for evasion in ("赌\n博网站", "赌\u2028博网站", "赌\u2029博网站", "赌\x0c博网站", "赌\x85博网站",
                    "赌\u00a0\u00a0\u00a0\u00a0博网站", "赌 \n \u3000 \t博网站", "赌\x0b博网站"):
        assert scan(evasion).hits, repr(evasion)
    # 。！；… between the characters of a word are the commonest evasion (review finding):
    # punctuation of any kind is filler, as the issue asks.
    for evasion in ("赌。博网站", "赌！博；网…站", "出。售。枪。支"):
        assert scan(evasion).hits, evasion
    assert not scan("赌————博网站").hits  # four filler characters
    assert scan("赌———博网站").hits  # three still count as an evasion


def test_offsets_survive_characters_that_normalise_to_several():
    # "㈱" (one character) normalises to "(株)"; offsets still count original characters.
    text = "㈱ 代 开 发 票"
    hit, = scan(text).hits
    assert (hit.start, hit.end) == (2, 9) and text[hit.start:hit.end] == "代 开 发 票"


def test_overlapping_entries_shorter_one_inside_a_longer_as_severe_is_not_repeated(add_word):
    add_word("赌博", level="block")
    verdict = scan("严禁赌博网站")
    assert [h.word for h in verdict.hits] == ["赌博网站"]


def test_a_more_severe_entry_inside_a_milder_one_is_still_reported(add_word):
    add_word("某某代开发票广告", level="review")
    verdict = scan("某某代开发票广告")
    assert [(h.word, h.level) for h in verdict.hits] == [
        ("某某代开发票广告", "review"), ("代开发票", "block")]
    assert verdict.blocked


def test_partly_overlapping_hits_are_both_reported_and_the_longest_is_highlighted(add_word):
    add_word("网站推广")
    text = "赌博网站推广"
    verdict = scan(text)
    assert {h.word for h in verdict.hits} == {"赌博网站", "网站推广"}
    assert highlight_html(text, verdict.hits) == (
        '<mark class="wg-block" title="禁用词，须删除或改写">赌博网站</mark>推广')


def test_highlight_html_escapes_the_text_and_marks_typos_with_the_suggestion():
    text = "<b>请</b>按装&更新"
    html = highlight_html(text, scan(text).hits)
    assert html == ('&lt;b&gt;请&lt;/b&gt;<mark class="wg-review" title="建议：安装">按装</mark>'
                    "&amp;更新")


def test_highlight_html_escapes_suggestions_in_the_title(add_word):
    add_word("某错字", kind="typo", level="review", suggestion='正"><script>')
    text = "某错字"
    assert highlight_html(text, scan(text).hits) == (
        '<mark class="wg-review" title="建议：正&quot;&gt;&lt;script&gt;">某错字</mark>')


def test_scan_html_scans_visible_text_and_offsets_index_that_text():
    from rongmei.wordgate.services import html_visible_text

    html = ('<p>通知</p><script>var a="代开发票"</script><p>本店<b>按</b>装&nbsp;空调，'
            '<img alt="赌博网站" src="x.png"></p><!-- 办证刻章 -->')
    verdict = scan_html(html)
    visible = html_visible_text(html)
    assert [visible[h.start:h.end] for h in verdict.hits] == ["按装", "赌博网站"]
    assert "代开发票" not in visible and "办证刻章" not in visible


def test_scan_html_does_not_join_words_across_paragraphs():
    assert not scan_html("<p>不要赌</p><p>博网站</p>").hits
    assert not scan_html("不要赌<br>博网站").hits
    assert scan_html("<p>不要赌\n博网站</p>").hits  # a newline in the source is a space


def test_scan_fields_gives_one_verdict_per_field():
    verdicts = scan_fields(title="招聘兼职刷单", summary="正常摘要", body="")
    assert verdicts["title"].blocked
    assert verdicts["summary"].hits == () and verdicts["body"].hits == ()


def test_deactivated_entry_no_longer_matches(operator, add_word):
    from rongmei.wordgate.services import word_set_active

    entry = add_word("停用测试词")
    assert scan("停用测试词").blocked
    word_set_active(actor=operator, entry=entry, active=False)
    assert not scan("停用测试词").hits


def test_the_matcher_finds_exactly_what_a_naive_search_finds_on_random_text():
    """The automaton (characters written as symbol pairs) against str.find, on random
    dictionaries and texts from a small alphabet (many overlaps), astral characters too."""
    import random

    from rongmei.wordgate.matching import Entry, Matcher

    rng = random.Random(7)
    # Characters sharing low bytes (一 U+4E00, ሀ U+1200, 𠀀 U+20000; 丁 U+4E01, ā U+0101,
    # ȁ U+0201, 𠀁 U+20001) and nothing that normalisation changes.
    alphabet = ["一", "ሀ", "𠀀", "丁", "ā", "ȁ", "𠀁", "七"]
    for _ in range(30):
        words = {"".join(rng.choice(alphabet) for _ in range(rng.randint(2, 4)))
                 for _ in range(rng.randint(1, 12))}
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 60)))
        # The matching before filler skipping: inserted letters ("ā") would be skipped now.
        matcher = Matcher({w: Entry(w, "review", "sensitive", "") for w in words},
                          strong=False)
        found = set()
        for hit in matcher.find(text).hits:
            found.add((hit.word, hit.start, hit.end))
        expected = set()
        for word in words:
            at = text.find(word)
            while at != -1:
                expected.add((word, at, at + len(word)))
                at = text.find(word, at + 1)
        # Shadowed hits (inside a longer hit of the same level) are left out on purpose.
        assert found <= expected
        for word, start, end in expected - found:
            assert any(s <= start and end <= e and e - s > end - start for _, s, e in found)


@pytest.mark.parametrize("text", [
    "請聯繫代開發票",  # traditional characters
    "代a开b发c票", "代1开2发3票", "代の开ア发票", "代ㄅ开ㄆ发票",  # letters, digits, kana, bopomofo
    "代😀开🎉发票", "代\u200b开\u200d发票", "代Ｘ开发票",  # emoji, zero-width, full-width
    "代開-x-發票",  # all at once, within the bounded gap
])
def test_evasions_are_seen_through_and_reported_where_they_are(text):
    verdict = scan(text)
    hit, = verdict.block_hits
    assert hit.word == "代开发票"
    found = text[hit.start:hit.end]
    assert found[0] == "代" and found[-1] in "票"


def test_the_filler_between_characters_is_bounded():
    assert not scan("代abcd开发票").hits
    assert not scan("代1234开发票").hits
    assert scan("代abc开发票").blocked


def test_a_traditional_dictionary_entry_matches_simplified_text(add_word):
    add_word("測試禁詞")
    assert scan("这是测试禁词").blocked
