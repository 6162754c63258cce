"""Chinese search: the tokenizer, recall on a labelled query set, ranking, and the indexes."""

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from rongmei.news import search, services
from rongmei.news.models import FeedEntry

from .conftest import add_article
from .search_corpus import RELEVANT, STORIES

on_postgresql = pytest.mark.skipif(connection.vendor != "postgresql",
                                   reason="PostgreSQL's GIN index and tsvector parser")
on_sqlite = pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's FTS5 table")


def publish_story(newsroom, title, body, *, days_ago=0, summary=""):
    when = timezone.now() - timedelta(days=days_ago, minutes=1)
    folder = services.archive_for(newsroom.center, when)
    return add_article(folder, title=title, body=body, summary=summary, publish=True,
                       channel=newsroom.channel, first_published_at=when)


def titles(query, **kwargs):
    return [entry.title for entry in search.search(query, **kwargs)]


# --- the tokenizer --------------------------------------------------------------------------

def test_full_width_latin_and_digits_index_as_half_width_lower_case():
    assert search.normalize("５Ｇ基站，Ｇ３２０国道") == "5g基站,g320国道"
    terms = search.index_terms("开通５Ｇ远程会诊")
    assert "5g" in terms
    assert "５ｇ" not in terms


def test_cjk_runs_index_their_characters_and_bigrams_and_punctuation_is_dropped():
    assert search.index_terms("莲子，丰收！") == ["莲子", "丰收", "莲", "子", "丰", "收"]
    # No bigram across punctuation; stop characters are not indexed on their own.
    terms = search.index_terms("乡村的路。新")
    assert "的" not in terms and "村的" in terms and "路新" not in terms


def test_mixed_latin_and_digits_index_whole_and_split_at_letter_digit_boundaries():
    terms = search.index_terms("G320国道和5G网络")
    assert {"g320", "g", "320", "5g", "5", "国道", "网络"} <= set(terms)
    assert [w.text for w in search.parse_query("G320国道")] == ["g320", "国道"]


def test_a_word_matches_however_the_sentence_around_it_is_segmented():
    # jieba cuts these sentences differently around the word; the index never segments,
    # so the word's bigrams are there every time.
    for sentence, word in [("推进乡村振兴战略", "乡村振兴"), ("白水镇羊肚菌喜获丰收", "羊肚菌"),
                           ("县融媒体中心上线新版", "融媒体"), ("莲子湖畔荷塘镇人", "荷塘镇"),
                           ("道路施工期间绕行", "道路施工")]:
        terms = set(search.index_terms(sentence))
        for query_word in search.parse_query(word):
            assert any(set(alt) <= terms for alt in query_word.alternatives), (sentence, word)


def test_query_drops_stop_words_and_keeps_county_words_whole():
    assert [w.text for w in search.parse_query("如何办理荷塘镇的羊肚菌补贴？")] == [
        "办理", "荷塘镇", "羊肚菌", "补贴"]
    assert search.parse_query("的了吗？") == []
    assert search.parse_query("！！…　") == []
    assert search.parse_query("") == []


def test_abbreviations_match_their_full_form():
    (word,) = search.parse_query("医保")
    assert ("医保",) in word.alternatives
    assert "医疗保险" in [spelling.text for spelling in word.spellings]
    (word,) = search.parse_query("医疗保险")
    assert ("医保",) in word.alternatives


def test_very_long_queries_are_cut_to_a_bounded_number_of_words():
    words = search.parse_query("，".join(["莲子", "羊肚菌", "乡村振兴", "融媒体"] * 20))
    assert len(words) <= search.MAX_QUERY_WORDS
    assert len(search.parse_query("莲" * 5000)[0].text) <= search.MAX_QUERY_CHARS


# --- recall on the labelled set -------------------------------------------------------------

@pytest.mark.django_db
def test_precision_and_recall_on_labelled_chinese_queries(newsroom):
    pages = {key: publish_story(newsroom, title, body, days_ago=days)
             for key, (title, body, days) in STORIES.items()}
    key_of = {page.pk: key for key, page in pages.items()}
    assert FeedEntry.objects.count() == len(STORIES)

    found_total = relevant_total = returned_total = correct_total = 0
    lines = []
    for query, relevant in RELEVANT.items():
        results = [key_of[entry.page_id] for entry in search.search(query)]
        correct = relevant & set(results)
        found_total += len(correct)
        relevant_total += len(relevant)
        returned_total += len(results)
        correct_total += len(correct)
        recall = len(correct) / len(relevant)
        precision = len(correct) / len(results) if results else 1.0
        missed = ",".join(sorted(relevant - correct)) or "-"
        extra = ",".join(sorted(set(results) - relevant)) or "-"
        lines.append(f"{query:<10} recall {recall:4.0%} precision {precision:4.0%} "
                     f"missed {missed} extra {extra}")
    recall = found_total / relevant_total
    precision = correct_total / returned_total
    print(f"\nnews search on {connection.vendor}: {len(RELEVANT)} queries, "
          f"{relevant_total} relevant pairs")
    print("\n".join(lines))
    print(f"overall recall {recall:.1%}, precision {precision:.1%}")
    assert len(RELEVANT) >= 100 and len(STORIES) >= 100
    # Measured 99.0 % recall, 98.7 % precision (117 queries, 307 relevant pairs).
    assert recall >= 0.97
    assert precision >= 0.97


# --- ranking, lifecycle, bad input ----------------------------------------------------------

@pytest.mark.django_db
def test_title_hits_rank_above_body_hits_then_newest(newsroom):
    # The feed copy's summary is the body's first 90 characters when none is written: keep
    # the body hit past them.
    opening = "会议总结了今年以来全县农业农村工作取得的成绩，分析了当前面临的形势，" * 3
    publish_story(newsroom, "县里召开秋季工作会", opening + "会上部署了羊肚菌越冬管理。",
                  days_ago=1)
    publish_story(newsroom, "羊肚菌进入采收期", "白水镇种植户忙采收。", days_ago=9)
    publish_story(newsroom, "羊肚菌价格走高", "鲜菇每斤八十元。", days_ago=3)
    publish_story(newsroom, "白水镇农业简报", "今年种植面积扩大。", days_ago=2,
                  summary="羊肚菌种植面积扩大到六百亩")
    assert titles("羊肚菌") == ["羊肚菌价格走高", "羊肚菌进入采收期", "白水镇农业简报",
                               "县里召开秋季工作会"]
    assert titles("羊肚菌", limit=2) == ["羊肚菌价格走高", "羊肚菌进入采收期"]


@pytest.mark.django_db
def test_every_word_of_the_query_must_match(newsroom):
    publish_story(newsroom, "荷塘镇莲子丰收", "莲农喜笑颜开。")
    publish_story(newsroom, "白水镇羊肚菌丰收", "菇农喜笑颜开。")
    assert titles("荷塘镇 莲子") == ["荷塘镇莲子丰收"]
    assert titles("丰收") == ["白水镇羊肚菌丰收", "荷塘镇莲子丰收"]
    assert titles("荷塘镇 羊肚菌") == []


@pytest.mark.django_db
def test_an_unpublished_story_disappears_from_results(newsroom):
    page = publish_story(newsroom, "县人民医院招聘护士", "报名截至本月底。")
    assert titles("招聘") == ["县人民医院招聘护士"]
    page.unpublish()
    assert titles("招聘") == []
    assert not FeedEntry.objects.filter(page_id=page.pk).exists()


@pytest.mark.django_db
def test_a_revised_story_is_found_by_its_new_words_only(newsroom):
    page = publish_story(newsroom, "县城道路施工通告", "解放路封闭施工。")
    page.title = "县城防汛通告"
    page.body = [("paragraph", "<p>请沿河群众注意防汛。</p>")]
    page.save_revision().publish()
    assert titles("防汛") == ["县城防汛通告"]
    assert titles("道路施工") == []


@pytest.mark.django_db
def test_reindex_rewrites_search_text_written_by_an_older_scheme(newsroom):
    page = publish_story(newsroom, "县融媒体中心招聘记者", "报名截至本月底。")
    FeedEntry.objects.filter(page=page).update(search_text="县 融 媒体 中心 招聘 记者")
    assert titles("融媒体") == []
    assert search.reindex() == 1
    assert titles("融媒体") == ["县融媒体中心招聘记者"]


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["", "   ", "！？。", "的", "\x00", "'\" OR 1=1 --",
                                   "莲子 AND (", "NEAR(莲子", "*", "a" * 10_000, None])
def test_a_bad_or_empty_query_finds_nothing_without_error(newsroom, query):
    publish_story(newsroom, "荷塘镇莲子丰收", "今年莲子喜获丰收。")
    results = search.search(query)
    assert all(entry.title == "荷塘镇莲子丰收" for entry in results)
    if query in ("", "   ", "！？。", "的", "\x00", "*", None):
        assert results == []


@pytest.mark.django_db
def test_search_api_and_page(newsroom, client):
    publish_story(newsroom, "全县5G基站突破600个", "行政村全覆盖。")
    response = client.get("/api/v1/news/search", {"q": "５Ｇ"})
    assert response.status_code == 200
    assert [item["title"] for item in response.json()] == ["全县5G基站突破600个"]
    response = client.get("/api/v1/news/search", {"q": "！！"})
    assert response.status_code == 200 and response.json() == []
    response = client.get("/search/", {"q": "5g基站"})
    assert response.status_code == 200
    assert "全县<mark>5G基站</mark>突破600个" in response.content.decode()


# --- the database indexes -------------------------------------------------------------------

@on_sqlite
@pytest.mark.django_db
def test_sqlite_search_repairs_an_fts_index_whose_triggers_a_table_rebuild_dropped(newsroom):
    publish_story(newsroom, "荷塘镇莲子丰收", "今年莲子喜获丰收。")
    # What Django's SQLite schema editor does to alter news_feedentry: the triggers go.
    with connection.cursor() as cursor:
        for trigger in search._FTS_TRIGGERS:
            cursor.execute(f"DROP TRIGGER {trigger}")
    publish_story(newsroom, "白水镇莲子收购", "收购价稳中有升。")  # written while unindexed
    assert sorted(titles("莲子")) == ["白水镇莲子收购", "荷塘镇莲子丰收"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM sqlite_master WHERE type = 'trigger' "
                       "AND name LIKE 'news_feedentry_fts_%'")
        assert cursor.fetchone()[0] == 3


@on_sqlite
@pytest.mark.django_db
def test_sqlite_query_reads_the_fts5_table(newsroom):
    publish_story(newsroom, "荷塘镇莲子丰收", "今年莲子喜获丰收。")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT rowid FROM {search.FTS_TABLE} WHERE {search.FTS_TABLE} "
                       "MATCH %s", ['"莲子" AND "丰收"'])
        assert len(cursor.fetchall()) == 1


@on_postgresql
@pytest.mark.django_db
def test_postgresql_lexemes_are_exactly_our_terms(newsroom):
    page = publish_story(newsroom, "G320国道莲乡段开工，５Ｇ基站同步建设",
                         "施工期间实行交通管制（半幅通行）。")
    entry = FeedEntry.objects.get(page=page)
    with connection.cursor() as cursor:
        cursor.execute("SELECT tsvector_to_array(to_tsvector('simple'::regconfig, search_text)) "
                       "FROM news_feedentry WHERE page_id = %s", [page.pk])
        lexemes = set(cursor.fetchone()[0])
    assert lexemes == set(entry.search_text.split())


@on_postgresql
@pytest.mark.django_db
def test_postgresql_query_uses_the_gin_index(newsroom):
    publish_story(newsroom, "荷塘镇莲子丰收", "今年莲子喜获丰收。")
    words = search.parse_query("莲子 丰收")
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        condition = search._match_condition(words, connection)
        sql, params = condition.as_sql(None, connection)
        cursor.execute(f"EXPLAIN SELECT page_id FROM news_feedentry WHERE {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert search.PG_VECTOR_INDEX in plan, plan
    # The re-check reads the stored vector; it never parses the text again.
    assert "to_tsvector" not in plan, plan
    assert titles("莲子 丰收") == ["荷塘镇莲子丰收"]


# --- word boundaries, traditional characters, the operators' dictionary ----------------------

@pytest.mark.django_db
def test_a_word_is_not_found_across_two_words_of_the_story(newsroom):
    publish_story(newsroom, "莲乡县长期坚持生态优先", "森林覆盖率达六成。")
    publish_story(newsroom, "湖南京剧团送戏下乡", "演出经典剧目。")
    publish_story(newsroom, "农贸市场上海鲜价格回落", "水产品价格下降。")
    publish_story(newsroom, "县长走访企业", "现场解决用工难题。")
    publish_story(newsroom, "副县长督导森林防火", "检查林区。")
    assert sorted(titles("县长")) == sorted(["县长走访企业", "副县长督导森林防火"])
    assert titles("南京") == [] and titles("上海") == []
    assert titles("京剧") == ["湖南京剧团送戏下乡"]
    assert titles("海鲜") == ["农贸市场上海鲜价格回落"]


@pytest.mark.django_db
def test_compound_words_match_with_a_word_in_between_and_in_order_only(newsroom):
    publish_story(newsroom, "县委副书记主持召开防汛调度会", "部署防汛。")
    publish_story(newsroom, "推进乡村全面振兴", "出台十条措施。")
    publish_story(newsroom, "书记谈县委工作", "振兴乡村。")  # the parts, reversed
    assert titles("县委书记") == ["县委副书记主持召开防汛调度会"]
    assert titles("乡村振兴") == ["推进乡村全面振兴"]


@pytest.mark.django_db
def test_traditional_queries_find_simplified_stories_and_the_other_way(newsroom):
    publish_story(newsroom, "县医疗保障局开展专项行动", "打击欺诈骗保。")
    publish_story(newsroom, "鄉村振興示範村建設", "繁體稿件。")
    assert titles("醫療保障") == ["县医疗保障局开展专项行动"]
    assert titles("乡村振兴") == ["鄉村振興示範村建設"]


@pytest.mark.django_db
def test_unit_names_of_the_tree_are_words_of_the_dictionary(newsroom):
    words = search.dictionary_words()
    assert newsroom.county.hetang.name in words
    assert "县委书记" in words and "副县长" in words


@pytest.mark.django_db
def test_results_mark_the_matched_words_and_newer_stories_rank_higher(newsroom, client):
    publish_story(newsroom, "荷塘镇莲子丰收 <b>", "莲子每斤六元。", days_ago=400)
    publish_story(newsroom, "荷塘鎮蓮子上市", "新鲜莲子上市。", days_ago=1)
    response = client.get("/api/v1/news/search", {"q": "莲子"})
    items = response.json()
    assert [item["title"] for item in items] == ["荷塘鎮蓮子上市", "荷塘镇莲子丰收 <b>"]
    assert items[0]["title_html"] == "荷塘鎮<mark>蓮子</mark>上市"
    assert items[1]["title_html"] == "荷塘镇<mark>莲子</mark>丰收 &lt;b&gt;"
    page = client.get("/search/", {"q": "莲子"}).content.decode()
    assert "<mark>蓮子</mark>" in page


@pytest.mark.django_db
def test_queries_that_find_nothing_are_logged_for_operators(newsroom, client):
    from rongmei.news.models import SearchMiss

    client.get("/api/v1/news/search", {"q": "火星基地"}, REMOTE_ADDR="203.0.113.1")
    client.get("/search/", {"q": "火星基地"}, REMOTE_ADDR="203.0.113.2")
    client.get("/search/", {"q": "火星基地"}, REMOTE_ADDR="203.0.113.2")  # same address, day
    client.get("/search/", {"q": "！！"})  # nothing searchable: not a miss worth reading
    miss = SearchMiss.objects.get()
    assert (miss.query, miss.count) == ("火星基地", 2)


@pytest.mark.django_db
def test_one_address_cannot_flood_the_list_of_misses(newsroom, client):
    """A script sending random queries adds at most 30 misses an hour, and the searches it
    sends still answer; another address is not affected."""
    from rongmei.news.models import SearchMiss
    from rongmei.news.search import MISSES_PER_CLIENT_HOUR

    for n in range(MISSES_PER_CLIENT_HOUR + 10):
        answer = client.get("/api/v1/news/search", {"q": f"乱码{n:03d}号"},
                            REMOTE_ADDR="198.51.100.9")
        assert answer.status_code == 200 and answer.json() == []
    assert SearchMiss.objects.count() == MISSES_PER_CLIENT_HOUR
    client.get("/search/", {"q": "火星基地"}, REMOTE_ADDR="198.51.100.10")
    assert SearchMiss.objects.filter(query="火星基地").exists()


@pytest.mark.django_db
def test_operators_edit_words_and_synonyms_in_the_console(newsroom, client, make_user):
    from rongmei.core import roles

    publish_story(newsroom, "脱贫户开起莲子作坊", "收入超过十万元。")
    publish_story(newsroom, "荷叶坪新建游客中心", "接待能力翻番。")
    assert titles("扶贫") == ["脱贫户开起莲子作坊"]  # a built-in group
    assert titles("返贫") == []

    from rongmei.news.models import SearchSynonym

    client.force_login(newsroom.people.editor)  # Wagtail sends those without the right home
    assert client.get("/admin/news/search-dictionary/").status_code in (302, 403)
    client.post("/admin/news/search-dictionary/", {"action": "add_synonym", "words": "返贫 脱贫"})
    assert not SearchSynonym.objects.exists()

    client.force_login(make_user(roles.OPERATOR))
    assert client.get("/admin/news/search-dictionary/").status_code == 200
    response = client.post("/admin/news/search-dictionary/",
                           {"action": "add_synonym", "words": "返贫 脱贫"})
    assert response.status_code == 302
    assert titles("返贫") == ["脱贫户开起莲子作坊"]
    assert client.post("/admin/news/search-dictionary/",
                       {"action": "add_synonym", "words": "返贫"}).status_code == 400

    # 坪新 is a word by chance of the general dictionary; the place name makes it whole.
    response = client.post("/admin/news/search-dictionary/",
                           {"action": "add_word", "word": "荷叶坪", "note": "地名"})
    assert response.status_code == 302
    assert titles("荷叶坪") == ["荷叶坪新建游客中心"]
    assert "荷叶坪" in search.dictionary_words()
