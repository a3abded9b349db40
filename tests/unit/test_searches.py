"""Saved searches: create, read, update, expunge, list; validation, limits."""

import pytest
from noteshard import CODES, MISSING_GUID, raises_not_found, raises_user_error

from notestore import validation
from notestore.edam import Types

pytestmark = pytest.mark.timeout(30)


def create(shard, token, name="Recipes", query="tag:food", **fields):
    search = Types.SavedSearch(name=name, query=query, **fields)
    return shard.service.createSearch(token, search)


def test_create_search_returns_it_with_user_format(shard, token):
    scope = Types.SavedSearchScope(includeAccount=True)

    search = create(shard, token, format=Types.QueryFormat.SEXP, scope=scope)

    assert (search.name, search.query) == ("Recipes", "tag:food")
    # EDAM ignores the client's format.
    assert search.format == Types.QueryFormat.USER
    assert search.scope == scope
    assert search.updateSequenceNum == shard.update_count(token)
    assert shard.service.getSearch(token, search.guid) == search
    assert shard.service.listSearches(token) == [search]


def test_empty_query_is_allowed(shard, token):
    assert create(shard, token, query="").query == ""


@pytest.mark.parametrize(
    "fields, code, parameter",
    [
        ({"name": None}, CODES.DATA_REQUIRED, "SavedSearch.name"),
        ({"name": " x"}, CODES.BAD_DATA_FORMAT, "SavedSearch.name"),
        ({"name": "x" * 101}, CODES.BAD_DATA_FORMAT, "SavedSearch.name"),
        ({"query": None}, CODES.DATA_REQUIRED, "SavedSearch.query"),
        ({"query": "x" * 1025}, CODES.BAD_DATA_FORMAT, "SavedSearch.query"),
        ({"query": "a\u2028b"}, CODES.BAD_DATA_FORMAT, "SavedSearch.query"),
    ],
)
def test_bad_search_is_refused(shard, token, fields, code, parameter):
    raises_user_error(code, parameter, create, shard, token, **fields)


def test_duplicate_name_is_a_conflict_in_any_case(shard, token):
    create(shard, token, name="Recipes")

    raises_user_error(
        CODES.DATA_CONFLICT, "SavedSearch.name", create, shard, token, name="RECIPES"
    )


def test_search_limit_is_limit_reached(shard, token, monkeypatch):
    monkeypatch.setattr(validation, "EDAM_USER_SAVED_SEARCHES_MAX", 1)
    create(shard, token, name="one")

    raises_user_error(CODES.LIMIT_REACHED, "SavedSearch", create, shard, token, "two")


def test_update_replaces_name_query_and_scope(shard, token):
    search = create(shard, token, scope=Types.SavedSearchScope(includeAccount=True))

    usn = shard.service.updateSearch(
        token, Types.SavedSearch(guid=search.guid, name="Food", query="tag:meal")
    )

    fetched = shard.service.getSearch(token, search.guid)
    assert (fetched.name, fetched.query, fetched.scope) == ("Food", "tag:meal", None)
    assert fetched.updateSequenceNum == usn == search.updateSequenceNum + 1


def test_update_checks_name_conflicts_with_other_searches_only(shard, token):
    create(shard, token, name="Taken")
    search = create(shard, token, name="Mine")

    raises_user_error(
        CODES.DATA_CONFLICT,
        "SavedSearch.name",
        shard.service.updateSearch,
        token,
        Types.SavedSearch(guid=search.guid, name="taken", query="x"),
    )
    shard.service.updateSearch(
        token, Types.SavedSearch(guid=search.guid, name="MINE", query="x")
    )


def test_expunge_search(shard, token):
    search = create(shard, token)

    usn = shard.service.expungeSearch(token, search.guid)

    assert usn == shard.update_count(token)
    assert shard.service.listSearches(token) == []
    raises_not_found("SavedSearch.guid", shard.service.getSearch, token, search.guid)


@pytest.mark.parametrize("method", ["getSearch", "expungeSearch"])
def test_unknown_or_malformed_search_guid(shard, token, method):
    call = getattr(shard.service, method)

    raises_not_found("SavedSearch.guid", call, token, MISSING_GUID)
    raises_user_error(CODES.BAD_DATA_FORMAT, "SavedSearch.guid", call, token, "x")


def test_update_of_unknown_search_is_not_found(shard, token):
    search = Types.SavedSearch(guid=MISSING_GUID, name="x", query="y")

    raises_not_found("SavedSearch.guid", shard.service.updateSearch, token, search)
