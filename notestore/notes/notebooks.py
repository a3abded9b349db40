"""Notebooks: list, read, create, update, expunge; the one default notebook.

An account always has exactly one default notebook. Making another one the
default changes the old default too (its ``defaultNotebook`` turns false),
so both carry new USNs; the old default takes the lower one, so that the
USN a call returns is the account's update count.
"""

from notestore import errors, validation
from notestore.edam import Types
from notestore.notes import convert
from notestore.notes.base import check, new_guid, record

__all__ = ["NotebooksMixin"]

_SORT_ORDERS = frozenset(Types.NoteSortOrder._VALUES_TO_NAMES)


class NotebooksMixin:
    def listNotebooks(self, authenticationToken):
        account = self._account(authenticationToken)
        rows = self._storage.notebooks(account["user_id"])
        return [convert.notebook(row, account["default_notebook"]) for row in rows]

    def getNotebook(self, authenticationToken, guid):
        account = self._account(authenticationToken)
        row = self._notebook_row(account, guid)
        return convert.notebook(row, account["default_notebook"])

    def getDefaultNotebook(self, authenticationToken):
        account = self._account(authenticationToken)
        return self._notebook_out(account, account["default_notebook"])

    def createNotebook(self, authenticationToken, notebook):
        user_id = self._authenticate(authenticationToken)
        if notebook is None:
            raise errors.user_error("DATA_REQUIRED", "Notebook")
        _check_notebook(notebook)
        with self._write_lock:
            account = self._account_of(user_id)
            self._check_unique(account, notebook, None)
            count = self._storage.notebook_count(user_id)
            if count >= validation.EDAM_USER_NOTEBOOKS_MAX:
                raise errors.user_error("LIMIT_REACHED", "Notebook")
            change = self._notebook_record(account, notebook, None)
            self._write(change)
        return self._notebook_out(self._account_of(user_id), change["notebook"]["guid"])

    def updateNotebook(self, authenticationToken, notebook):
        """Replace name, stack (unset: none) and publishing (unset: kept).

        ``defaultNotebook=True`` makes the notebook the default; False is
        ignored, since the only way to stop being the default is for
        another notebook to become it.
        """
        user_id = self._authenticate(authenticationToken)
        if notebook is None:
            raise errors.user_error("DATA_REQUIRED", "Notebook")
        with self._write_lock:
            account = self._account_of(user_id)
            current = self._notebook_row(account, notebook.guid)
            _check_notebook(notebook)
            self._check_unique(account, notebook, current["guid"])
            change = self._notebook_record(account, notebook, current)
            self._write(change)
        return change["usn"]

    def expungeNotebook(self, authenticationToken, guid):
        """Expunge a notebook; its notes go to the default notebook's trash.

        The default notebook itself cannot be expunged (DATA_CONFLICT
        "Notebook.defaultNotebook"): make another notebook the default first.
        """
        user_id = self._authenticate(authenticationToken)
        with self._write_lock:
            account = self._account_of(user_id)
            self._notebook_row(account, guid)
            if self._storage.notebook_count(user_id) <= 1:
                raise errors.user_error("LIMIT_REACHED", "Notebook")
            if guid == account["default_notebook"]:
                raise errors.user_error("DATA_CONFLICT", "Notebook.defaultNotebook")
            change = self._expunge_notebook_record(account, guid)
            self._write(change)
        return change["usn"]

    def _expunge_notebook_record(self, account, guid):
        usn = account["update_count"]
        notes = self._storage.notes_in_notebook(account["user_id"], guid)
        moved = [[note, usn + i] for i, note in enumerate(notes, 1)]
        return record(
            "expunge_notebook",
            account,
            usn + len(moved) + 1,
            guid=guid,
            moved=moved,
            target=account["default_notebook"],
            deleted=self._now_ms(),
        )

    def _notebook_out(self, account, guid):
        row = self._storage.notebook(account["user_id"], guid)
        return convert.notebook(row, account["default_notebook"])

    def _check_unique(self, account, notebook, own_guid):
        user_id = account["user_id"]
        same = self._storage.notebook_by_name(user_id, notebook.name.casefold())
        if same is not None and same["guid"] != own_guid:
            raise errors.user_error("DATA_CONFLICT", "Notebook.name")
        uri = notebook.publishing.uri if notebook.publishing else None
        if uri is not None:
            same = self._storage.notebook_by_uri(user_id, uri.casefold())
            if same is not None and same["notebook_guid"] != own_guid:
                raise errors.user_error("DATA_CONFLICT", "Publishing.uri")

    def _notebook_record(self, account, notebook, current):
        usn = account["update_count"]
        now_ms = self._now_ms()
        guid = current["guid"] if current else new_guid()
        entry = {
            "guid": guid,
            "name": notebook.name,
            "stack": notebook.stack,
            "created": current["created"] if current else now_ms,
            "updated": now_ms,
            "default": bool(notebook.defaultNotebook),
            **_publishing_entry(notebook, current),
        }
        body = {"notebook": entry}
        previous = account["default_notebook"]
        if entry["default"] and previous != guid:
            # The old default changes too; see the module docstring.
            usn += 1
            body["demoted"] = {"guid": previous, "usn": usn}
        entry["usn"] = usn + 1
        return record("put_notebook", account, usn + 1, **body)


def _check_notebook(notebook):
    check(validation.check_notebook_name, notebook.name)
    if notebook.stack is not None:
        check(validation.check_notebook_stack, notebook.stack)
    if notebook.publishing is not None:
        _check_publishing(notebook.publishing)


def _check_publishing(publishing):
    if publishing.uri is None:
        raise errors.user_error("DATA_REQUIRED", "Publishing.uri")
    check(validation.check_publishing_uri, publishing.uri)
    if publishing.publicDescription is not None:
        check(validation.check_publishing_description, publishing.publicDescription)
    if publishing.order is not None and publishing.order not in _SORT_ORDERS:
        raise errors.user_error("BAD_DATA_FORMAT", "Publishing.order")


def _publishing_entry(notebook, current):
    """The notebook's publishing after the call: what it sends replaces,
    what it leaves unset stays as stored."""
    stored = _stored_publishing(current)
    publishing = stored["publishing"]
    if notebook.publishing is not None:
        publishing = {
            "uri": notebook.publishing.uri,
            "order": notebook.publishing.order,
            "ascending": notebook.publishing.ascending,
            "description": notebook.publishing.publicDescription,
        }
    published = stored["published"]
    if notebook.published is not None:
        published = bool(notebook.published)
    if published and publishing is None:
        raise errors.user_error("DATA_REQUIRED", "Publishing.uri")
    return {"published": published, "publishing": publishing}


def _stored_publishing(row):
    if row is None or row["published"] is None:
        return {"published": False, "publishing": None}
    ascending = row["ascending"]
    return {
        "published": bool(row["published"]),
        "publishing": {
            "uri": row["uri"],
            "order": row["sort_order"],
            "ascending": bool(ascending) if ascending is not None else None,
            "description": row["description"],
        },
    }
