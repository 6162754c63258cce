"""Dictionary writes: validation, duplicates, roles, defaults, commands."""

import pytest

from rongmei.core.errors import ServiceError
from rongmei.wordgate.models import WordEntry
from rongmei.wordgate.services import install_default_dictionary, scan, word_create

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", ["editor", "chief_editor", "director", "reporter", None])
def test_only_operators_and_administrators_change_the_dictionary(make_user, role):
    actor = make_user(role) if role else make_user()
    with pytest.raises(ServiceError) as error:
        word_create(actor=actor, word="越权词")
    assert error.value.status == 403 and error.value.message == "只有运营人员和管理员可以维护敏感词库"
    assert not WordEntry.objects.filter(word="越权词").exists()


def test_administrator_adds_words(make_user):
    entry = word_create(actor=make_user("administrator"), word="管理员新增")
    assert entry.normalized == "管理员新增" and entry.is_active


def test_duplicates_are_found_by_normalised_form(add_word):
    add_word("ABC 测试")
    with pytest.raises(ServiceError) as error:
        add_word("ａｂｃ测-试")
    assert (error.value.code, error.value.field) == ("duplicate_word", "word")
    assert error.value.message == "词库中已有“ABC 测试”"


def test_a_deactivated_duplicate_says_it_can_be_reactivated(operator, add_word):
    from rongmei.wordgate.services import word_set_active

    word_set_active(actor=operator, entry=add_word("停用的词"), active=False)
    with pytest.raises(ServiceError, match="已停用，可在列表中重新启用"):
        add_word("停用的词")


def test_the_database_refuses_a_typo_without_its_right_form(operator):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        WordEntry.objects.create(word="某错", normalized="某错", kind="typo", level="review")


def test_default_dictionary_is_restored_without_touching_operators_changes(operator):
    from rongmei.wordgate.services import word_set_active

    stopped = WordEntry.objects.get(word="高利贷")
    word_set_active(actor=operator, entry=stopped, active=False)
    WordEntry.objects.filter(word="代开发票").delete()
    assert install_default_dictionary() == 1
    assert scan("代开发票").blocked
    stopped.refresh_from_db()
    assert not stopped.is_active
    assert install_default_dictionary() == 0


def test_default_dictionary_has_no_single_characters_and_valid_typos():
    from rongmei.wordgate.defaults import _entries
    from rongmei.wordgate.services import validate_entry

    entries = list(_entries())
    assert len(entries) >= 60
    for word, level, kind, suggestion, note in entries:
        validate_entry(word=word, level=level, kind=kind, suggestion=suggestion, note=note)


def test_check_command_prints_hits_and_exits_1_when_blocked(capsys):
    from django.core.management import call_command

    with pytest.raises(SystemExit) as exit_:
        call_command("wordgate_check", "本店代开发票，师傅按装")
    assert exit_.value.code == 1
    out = capsys.readouterr().out
    assert "2-6\tblock\tsensitive\t代开发票" in out and "=> 安装" in out
    call_command("wordgate_check", "今天天气晴")
    assert "未发现敏感词或常见错别字" in capsys.readouterr().out


def test_defaults_command_reports_what_it_added(capsys):
    from django.core.management import call_command

    WordEntry.objects.filter(word__in=["代开发票", "按装"]).delete()
    call_command("wordgate_defaults")
    assert "补充 2 条" in capsys.readouterr().out


def test_a_word_that_grows_under_normalisation_past_the_limit_is_refused(add_word):
    with pytest.raises(ServiceError) as error:
        add_word("㍿" * 20)  # 20 characters, 80 once normalised (㍿ → 株式会社)
    assert error.value.code == "word_too_long"


def test_editing_a_missing_entry_is_refused_before_it_is_looked_up(client, make_user):
    from django.urls import reverse

    client.force_login(make_user("editor"))
    response = client.get(reverse("wordgate_words:edit", args=[999999]))
    assert response.status_code == 302  # refused, not "not found"
