"""Tags: a per-account hierarchy of case-insensitively unique names.

Taking a tag off notes changes those notes, so untagAll and expungeTag give
each affected note a new USN. Expunging a tag moves its children to the
top level (they change too) rather than expunging them.
"""

from notestore import errors, validation
from notestore.notes import convert
from notestore.notes.base import check, check_guid, new_guid, record

__all__ = ["TagsMixin"]


class TagsMixin:
    def listTags(self, authenticationToken):
        account = self._account(authenticationToken)
        return [convert.tag(row) for row in self._storage.tags(account["user_id"])]

    def listTagsByNotebook(self, authenticationToken, notebookGuid):
        """Tags on at least one active note of the notebook."""
        account = self._account(authenticationToken)
        self._notebook_row(account, notebookGuid)
        rows = self._storage.tags_in_notebook(account["user_id"], notebookGuid)
        return [convert.tag(row) for row in rows]

    def getTag(self, authenticationToken, guid):
        account = self._account(authenticationToken)
        return convert.tag(self._tag_row(account, guid))

    def createTag(self, authenticationToken, tag):
        user_id = self._authenticate(authenticationToken)
        _check_tag(tag)
        with self._write_lock:
            account = self._account_of(user_id)
            self._check_name_free(account, tag.name, None)
            self._check_parent(account, tag.parentGuid, None)
            count, maximum = self._storage.tag_count, validation.EDAM_USER_TAGS_MAX
            if self._at_limit(account, count, maximum):
                raise errors.user_error("LIMIT_REACHED", "Tag")
            entry = _tag_entry(new_guid(), tag, account["update_count"] + 1)
            self._write(record("put_tag", account, entry["usn"], tag=entry))
        return convert.tag(self._storage.tag(user_id, entry["guid"]))

    def updateTag(self, authenticationToken, tag):
        """Set the tag's name and parent (unset: a top-level tag)."""
        user_id = self._authenticate(authenticationToken)
        if tag is None:
            raise errors.user_error("DATA_REQUIRED", "Tag")
        with self._write_lock:
            account = self._account_of(user_id)
            self._tag_row(account, tag.guid)
            _check_tag(tag)
            self._check_name_free(account, tag.name, tag.guid)
            self._check_parent(account, tag.parentGuid, tag.guid)
            entry = _tag_entry(tag.guid, tag, account["update_count"] + 1)
            self._write(record("put_tag", account, entry["usn"], tag=entry))
        return entry["usn"]

    def untagAll(self, authenticationToken, guid):
        user_id = self._authenticate(authenticationToken)
        with self._write_lock:
            account = self._account_of(user_id)
            self._tag_row(account, guid)
            notes = self._renumber(account, self._storage.tagged_notes(user_id, guid))
            if notes:
                usn = notes[-1][1]
                self._write(
                    record("untag_all", account, usn, tag_guid=guid, notes=notes)
                )

    def expungeTag(self, authenticationToken, guid):
        user_id = self._authenticate(authenticationToken)
        with self._write_lock:
            account = self._account_of(user_id)
            self._tag_row(account, guid)
            tagged = self._storage.tagged_notes(user_id, guid)
            parents = self._storage.tag_parents(user_id)
            children = sorted(child for child, p in parents.items() if p == guid)
            numbered = self._renumber(account, tagged + children)
            usn = account["update_count"] + len(numbered) + 1
            change = record(
                "expunge_tag",
                account,
                usn,
                guid=guid,
                notes=numbered[: len(tagged)],
                children=numbered[len(tagged) :],
            )
            self._write(change)
        return usn

    def _renumber(self, account, guids):
        """Pair each GUID with the next USN, in order."""
        usn = account["update_count"]
        return [[guid, usn + i] for i, guid in enumerate(guids, 1)]

    def _tag_row(self, account, guid):
        check_guid(guid, "Tag.guid")
        row = self._storage.tag(account["user_id"], guid)
        return self._found(row, "Tag.guid", guid)

    def _check_name_free(self, account, name, own_guid):
        same = self._storage.tag_by_name(account["user_id"], name.casefold())
        if same is not None and same["guid"] != own_guid:
            raise errors.user_error("DATA_CONFLICT", "Tag.name")

    def _check_parent(self, account, parent_guid, own_guid):
        if parent_guid is None:
            return
        parents = self._storage.tag_parents(account["user_id"])
        if parent_guid not in parents:
            raise errors.not_found("Tag.parentGuid", parent_guid)
        # Walk up from the new parent; meeting the tag itself is a cycle.
        seen, guid = set(), parent_guid
        while guid is not None and guid not in seen:
            if guid == own_guid:
                raise errors.user_error("DATA_CONFLICT", "Tag.parentGuid")
            seen.add(guid)
            guid = parents.get(guid)


def _check_tag(tag):
    if tag is None:
        raise errors.user_error("DATA_REQUIRED", "Tag")
    check(validation.check_tag_name, tag.name)
    if tag.parentGuid is not None:
        check_guid(tag.parentGuid, "Tag.parentGuid")


def _tag_entry(guid, tag, usn):
    return {"guid": guid, "name": tag.name, "parent_guid": tag.parentGuid, "usn": usn}
