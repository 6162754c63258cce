"""One automaton per process, rebuilt when (and only when) the dictionary version changes."""

import pytest
from django.core.cache import cache

from rongmei.wordgate.dictionary import PROCESS_CACHE, VERSION_KEY, DictionaryCache

pytestmark = pytest.mark.django_db


@pytest.fixture
def other_process(settings):
    """A second worker's cache: same database and shared cache, its own automaton."""
    settings.WORDGATE_VERSION_CHECK_SECONDS = 0  # look at the version on every scan
    return DictionaryCache()


def test_another_process_notices_a_new_word_through_the_version(add_word, other_process):
    assert not other_process.matcher().find("新增禁词").hits
    builds = other_process.builds
    add_word("新增禁词")
    assert other_process.matcher().find("新增禁词").blocked
    assert other_process.builds == builds + 1


def test_an_unchanged_dictionary_is_not_rebuilt(other_process):
    other_process.matcher()
    builds = other_process.builds
    for _ in range(5):
        other_process.matcher().find("按装")
    assert other_process.builds == builds


def test_between_version_checks_a_scan_touches_neither_cache_nor_database(
        settings, django_assert_num_queries):
    settings.WORDGATE_VERSION_CHECK_SECONDS = 60
    process = DictionaryCache()
    process.matcher()
    cache.delete(VERSION_KEY)  # a cache read would now fall through to the database
    with django_assert_num_queries(0):
        assert process.matcher().find("代开发票").blocked


def test_within_the_check_interval_another_process_keeps_its_automaton(settings, add_word):
    settings.WORDGATE_VERSION_CHECK_SECONDS = 60
    process = DictionaryCache()
    process.matcher()
    add_word("稍后生效词")
    assert not process.matcher().find("稍后生效词").hits  # until its next check
    process.expire()
    assert process.matcher().find("稍后生效词").blocked


def test_every_kind_of_change_bumps_the_version(operator, add_word, other_process):
    from rongmei.wordgate.dictionary import current_token
    from rongmei.wordgate.services import word_set_active, word_update

    tokens = [current_token()]
    entry = add_word("版本测试词")
    tokens.append(current_token())
    word_update(actor=operator, entry=entry, word="版本测试词", level="review",
                kind="sensitive")
    tokens.append(current_token())
    assert other_process.matcher().find("版本测试词").review_hits
    word_set_active(actor=operator, entry=entry, active=False)
    tokens.append(current_token())
    assert not other_process.matcher().find("版本测试词").hits
    assert len(set(tokens)) == len(tokens)


def test_the_committed_version_reaches_the_cache(add_word, django_capture_on_commit_callbacks):
    from rongmei.wordgate.models import DictionaryVersion

    with django_capture_on_commit_callbacks(execute=True):
        add_word("提交后入缓存")
    assert cache.get(VERSION_KEY) == DictionaryVersion.objects.get(pk=1).token


def test_a_flushed_cache_falls_back_to_the_database_version(add_word, other_process):
    other_process.matcher()
    add_word("清空缓存后")
    cache.clear()  # Redis flushed
    assert other_process.matcher().find("清空缓存后").blocked


def test_the_process_that_changes_the_dictionary_sees_it_at_once(settings, add_word):
    settings.WORDGATE_VERSION_CHECK_SECONDS = 60
    PROCESS_CACHE.matcher()
    add_word("本进程即时生效")
    from rongmei.wordgate.services import scan

    assert scan("本进程即时生效").blocked


@pytest.mark.django_db(transaction=True)
def test_a_committed_change_reaches_a_worker_with_its_own_connection(settings, make_user):
    """Another "process": a thread with its own database connection and its own automaton,
    told only through the shared cache (Redis on PostgreSQL runs) and the version row."""
    import threading

    from django.db import connection

    from rongmei.wordgate.services import word_create

    settings.WORDGATE_VERSION_CHECK_SECONDS = 0
    worker = DictionaryCache()
    results = []

    def scan_in_worker(text):
        try:
            results.append(bool(worker.matcher().find(text).hits))
        finally:
            connection.close()

    def run(text):
        thread = threading.Thread(target=scan_in_worker, args=(text,))
        thread.start()
        thread.join()
        return results.pop()

    assert run("跨进程新词") is False
    word_create(actor=make_user("operator"), word="跨进程新词")  # commits (no test transaction)
    assert cache.get(VERSION_KEY)  # the token went into the shared cache on commit
    assert run("跨进程新词") is True
    assert worker.builds == 2


def test_while_one_thread_rebuilds_others_scan_with_the_previous_dictionary(add_word,
                                                                           other_process):
    other_process.matcher()
    add_word("重建期间")
    other_process._lock.acquire()  # as if another thread were rebuilding right now
    try:
        assert not other_process.matcher().find("重建期间").hits  # the previous automaton
    finally:
        other_process._lock.release()
    assert other_process.matcher().find("重建期间").blocked
