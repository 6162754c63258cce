import pytest


@pytest.fixture(autouse=True)
def _fresh_dictionary_cache():
    """Each test starts with no automaton in this process (the database was rolled back)."""
    from rongmei.wordgate.dictionary import PROCESS_CACHE

    PROCESS_CACHE.reset()
    yield
    PROCESS_CACHE.reset()


@pytest.fixture(autouse=True)
def _default_dictionary(request):
    """The default dictionary from the data migration. Another app's transactional test in
    the same worker may have flushed the tables; put it back (tests here rely on it)."""
    if request.node.get_closest_marker("django_db") is None:
        return
    from rongmei.wordgate.models import WordEntry
    from rongmei.wordgate.services import install_default_dictionary

    if not WordEntry.objects.filter(word="代开发票").exists():
        install_default_dictionary()


@pytest.fixture
def operator(make_user):
    return make_user("operator")


@pytest.fixture
def add_word(operator):
    """Add a dictionary entry as an operator: add_word("词语", level=..., kind=..., suggestion=...)."""
    from rongmei.wordgate.services import word_create

    def add(word, *, level="block", kind="sensitive", suggestion="", note=""):
        return word_create(actor=operator, word=word, level=level, kind=kind,
                           suggestion=suggestion, note=note)

    return add
