"""Saved searches: a name, a query in the search grammar, a scope.

``SavedSearch.format`` is ignored as EDAM documents: every query is USER.
"""

from notestore import errors, validation
from notestore.notes import convert
from notestore.notes.base import check, check_guid, new_guid, record
from notestore.records import struct_to_dict

__all__ = ["SearchesMixin"]


class SearchesMixin:
    def listSearches(self, authenticationToken):
        account = self._account(authenticationToken)
        rows = self._storage.searches(account["user_id"])
        return [convert.search(row) for row in rows]

    def getSearch(self, authenticationToken, guid):
        account = self._account(authenticationToken)
        return convert.search(self._search_row(account, guid))

    def createSearch(self, authenticationToken, search):
        user_id = self._authenticate(authenticationToken)
        _check_search(search)
        with self._write_lock:
            account = self._account_of(user_id)
            self._check_search_name_free(account, search.name, None)
            count = self._storage.search_count(user_id)
            if count >= validation.EDAM_USER_SAVED_SEARCHES_MAX:
                raise errors.user_error("LIMIT_REACHED", "SavedSearch")
            entry = _search_entry(new_guid(), search, account["update_count"] + 1)
            self._write(record("put_search", account, entry["usn"], search=entry))
        return convert.search(self._storage.search(user_id, entry["guid"]))

    def updateSearch(self, authenticationToken, search):
        """Replace the search's name, query and scope."""
        user_id = self._authenticate(authenticationToken)
        if search is None:
            raise errors.user_error("DATA_REQUIRED", "SavedSearch")
        with self._write_lock:
            account = self._account_of(user_id)
            self._search_row(account, search.guid)
            _check_search(search)
            self._check_search_name_free(account, search.name, search.guid)
            entry = _search_entry(search.guid, search, account["update_count"] + 1)
            self._write(record("put_search", account, entry["usn"], search=entry))
        return entry["usn"]

    def expungeSearch(self, authenticationToken, guid):
        user_id = self._authenticate(authenticationToken)
        with self._write_lock:
            account = self._account_of(user_id)
            self._search_row(account, guid)
            usn = account["update_count"] + 1
            self._write(record("expunge_search", account, usn, guid=guid))
        return usn

    def _search_row(self, account, guid):
        check_guid(guid, "SavedSearch.guid")
        row = self._storage.search(account["user_id"], guid)
        return self._found(row, "SavedSearch.guid", guid)

    def _check_search_name_free(self, account, name, own_guid):
        same = self._storage.search_by_name(account["user_id"], name.casefold())
        if same is not None and same["guid"] != own_guid:
            raise errors.user_error("DATA_CONFLICT", "SavedSearch.name")


def _check_search(search):
    if search is None:
        raise errors.user_error("DATA_REQUIRED", "SavedSearch")
    check(validation.check_saved_search_name, search.name)
    check(validation.check_search_query, search.query)


def _search_entry(guid, search, usn):
    scope = struct_to_dict(search.scope) if search.scope is not None else None
    return {
        "guid": guid,
        "name": search.name,
        "query": search.query,
        "scope": scope,
        "usn": usn,
    }
