import pytest


@pytest.fixture(autouse=True)
def _fresh_dictionary_cache():
    """Each test starts with no automaton in this process (the database was rolled back)."""
    from rongmei.wordgate.dictionary import PROCESS_CACHE

    PROCESS_CACHE.reset()
    yield
    PROCESS_CACHE.reset()


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
