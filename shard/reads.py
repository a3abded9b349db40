"""The read queries of a shard's storage.

Every query names the owner, so another user's GUID is simply not found.
Queries that feed lists take many GUIDs at once (`tag_guids_of`,
`resources_of`): a sync chunk or a search page costs a handful of queries,
not one per note.
"""

from shard import search

__all__ = ["Reads"]

# Every column of a note but its content, for reads that never send it.
NOTE_META_COLUMNS = (
    "guid, user_id, notebook_guid, title, content_hash, content_length,"
    " created, updated, deleted, active, usn, attributes"
)
_NOTEBOOK_SELECT = (
    "SELECT n.*, p.published, p.uri, p.sort_order, p.ascending, p.description"
    " FROM notebooks n LEFT JOIN publishing p ON p.notebook_guid = n.guid"
)
_RESOURCE_META_COLUMNS = (
    "guid, user_id, note_guid, position, usn, mime, width, height, duration,"
    " body_hash, body_size, recognition_hash, recognition_size, alternate_hash,"
    " alternate_size, attributes"
)
# SQLite binds at most 32766 parameters; lists are queried in slices.
_IN_SLICE = 500


class Reads:
    """Read queries over ``self._db`` (a sqlite3 connection, Row factory)."""

    # Accounts

    def account(self, user_id):
        return self._one("SELECT * FROM accounts WHERE user_id = ?", user_id)

    def uploaded(self, user_id, month):
        """Bytes the user uploaded in ``month`` ("YYYY-MM")."""
        row = self._one(
            "SELECT bytes FROM uploads WHERE user_id = ? AND month = ?", user_id, month
        )
        return row["bytes"] if row is not None else 0

    # Notebooks

    def notebooks(self, user_id):
        sql = f"{_NOTEBOOK_SELECT} WHERE n.user_id = ? ORDER BY n.name_key"
        return self._all(sql, user_id)

    def notebook(self, user_id, guid):
        sql = f"{_NOTEBOOK_SELECT} WHERE n.user_id = ? AND n.guid = ?"
        return self._one(sql, user_id, guid)

    def notebook_by_name(self, user_id, name_key):
        sql = "SELECT * FROM notebooks WHERE user_id = ? AND name_key = ?"
        return self._one(sql, user_id, name_key)

    def notebook_by_uri(self, user_id, uri_key):
        sql = "SELECT * FROM publishing WHERE user_id = ? AND uri_key = ?"
        return self._one(sql, user_id, uri_key)

    def notebook_count(self, user_id):
        return self._count("SELECT count(*) FROM notebooks WHERE user_id = ?", user_id)

    def notes_in_notebook(self, user_id, notebook_guid):
        sql = (
            "SELECT guid FROM notes WHERE user_id = ? AND notebook_guid = ?"
            " ORDER BY usn"
        )
        return [row[0] for row in self._all(sql, user_id, notebook_guid)]

    # Tags

    def tags(self, user_id):
        sql = "SELECT * FROM tags WHERE user_id = ? ORDER BY name_key"
        return self._all(sql, user_id)

    def tag(self, user_id, guid):
        sql = "SELECT * FROM tags WHERE user_id = ? AND guid = ?"
        return self._one(sql, user_id, guid)

    def tag_by_name(self, user_id, name_key):
        sql = "SELECT * FROM tags WHERE user_id = ? AND name_key = ?"
        return self._one(sql, user_id, name_key)

    def tag_count(self, user_id):
        return self._count("SELECT count(*) FROM tags WHERE user_id = ?", user_id)

    def tag_parents(self, user_id):
        """Map every tag GUID of the user to its parent GUID (or None)."""
        sql = "SELECT guid, parent_guid FROM tags WHERE user_id = ?"
        return {row[0]: row[1] for row in self._all(sql, user_id)}

    def tags_in_notebook(self, user_id, notebook_guid):
        sql = (
            "SELECT * FROM tags WHERE user_id = ? AND guid IN (SELECT nt.tag_guid"
            " FROM note_tags nt JOIN notes n ON n.guid = nt.note_guid"
            " WHERE n.user_id = ? AND n.notebook_guid = ? AND n.active = 1)"
            " ORDER BY name_key"
        )
        return self._all(sql, user_id, user_id, notebook_guid)

    def tagged_notes(self, user_id, tag_guid):
        sql = (
            "SELECT n.guid FROM note_tags nt JOIN notes n ON n.guid = nt.note_guid"
            " WHERE nt.tag_guid = ? AND n.user_id = ? ORDER BY n.usn"
        )
        return [row[0] for row in self._all(sql, tag_guid, user_id)]

    # Saved searches

    def searches(self, user_id):
        sql = "SELECT * FROM searches WHERE user_id = ? ORDER BY name_key"
        return self._all(sql, user_id)

    def search(self, user_id, guid):
        sql = "SELECT * FROM searches WHERE user_id = ? AND guid = ?"
        return self._one(sql, user_id, guid)

    def search_by_name(self, user_id, name_key):
        sql = "SELECT * FROM searches WHERE user_id = ? AND name_key = ?"
        return self._one(sql, user_id, name_key)

    def search_count(self, user_id):
        return self._count("SELECT count(*) FROM searches WHERE user_id = ?", user_id)

    # Notes

    def note(self, user_id, guid):
        sql = "SELECT * FROM notes WHERE user_id = ? AND guid = ?"
        return self._one(sql, user_id, guid)

    def note_meta(self, user_id, guid):
        sql = f"SELECT {NOTE_META_COLUMNS} FROM notes WHERE user_id = ? AND guid = ?"
        return self._one(sql, user_id, guid)

    def notes_meta_of(self, user_id, guids):
        """Map note GUIDs to their rows without content."""
        # The unary + keeps SQLite off the (user_id, usn) index: given a
        # list of GUIDs it would otherwise scan every note of the account
        # (200 ms at 100,000 notes) instead of looking up each GUID.
        sql = f"SELECT {NOTE_META_COLUMNS} FROM notes WHERE +user_id = ?"
        sql += " AND guid IN ({})"
        return {row["guid"]: row for row in self._in(sql, guids, user_id)}

    def note_count(self, user_id):
        return self._count("SELECT count(*) FROM notes WHERE user_id = ?", user_id)

    def inactive_notes(self, user_id):
        sql = "SELECT guid FROM notes WHERE user_id = ? AND active = 0 ORDER BY usn"
        return [row[0] for row in self._all(sql, user_id)]

    def note_tag_guids(self, note_guid):
        return self.tag_guids_of([note_guid]).get(note_guid, [])

    def tag_guids_of(self, note_guids):
        """Map each note GUID to its tag GUIDs, in the note's order."""
        found = {}
        sql = (
            "SELECT note_guid, tag_guid FROM note_tags WHERE note_guid IN ({})"
            " ORDER BY note_guid, position"
        )
        for row in self._in(sql, note_guids):
            found.setdefault(row[0], []).append(row[1])
        return found

    def note_tag_names(self, note_guid):
        sql = (
            "SELECT t.name FROM note_tags nt JOIN tags t ON t.guid = nt.tag_guid"
            " WHERE nt.note_guid = ? ORDER BY nt.position"
        )
        return [row[0] for row in self._all(sql, note_guid)]

    # Note versions

    def note_versions(self, note_guid):
        sql = (
            "SELECT usn, saved, updated, title FROM note_versions"
            " WHERE note_guid = ? ORDER BY usn DESC"
        )
        return self._all(sql, note_guid)

    def note_version(self, note_guid, usn):
        sql = "SELECT * FROM note_versions WHERE note_guid = ? AND usn = ?"
        return self._one(sql, note_guid, usn)

    # Resources

    def resources_of(self, note_guids):
        """Map each note GUID to its resources' metadata rows, in order."""
        found = {}
        sql = (
            f"SELECT {_RESOURCE_META_COLUMNS} FROM resources"
            " WHERE note_guid IN ({}) ORDER BY note_guid, position"
        )
        for row in self._in(sql, note_guids):
            found.setdefault(row["note_guid"], []).append(row)
        return found

    def note_resources(self, note_guid):
        return self.resources_of([note_guid]).get(note_guid, [])

    def resource(self, user_id, guid):
        sql = (
            f"SELECT {_RESOURCE_META_COLUMNS} FROM resources"
            " WHERE user_id = ? AND guid = ?"
        )
        return self._one(sql, user_id, guid)

    def resource_by_hash(self, user_id, note_guid, body_hash):
        sql = (
            f"SELECT {_RESOURCE_META_COLUMNS} FROM resources"
            " WHERE user_id = ? AND note_guid = ? AND body_hash = ?"
            " ORDER BY position LIMIT 1"
        )
        return self._one(sql, user_id, note_guid, body_hash)

    def resource_bodies(self, guids, columns=("body", "recognition", "alternate")):
        """Map resource GUIDs to rows holding the asked-for body columns."""
        if not columns:
            return {}
        names = ", ".join(columns)
        sql = (
            f"SELECT resource_guid, {names} FROM resource_bodies"
            " WHERE resource_guid IN ({})"
        )
        return {row[0]: row for row in self._in(sql, guids)}

    # Sync: changed objects of one kind, in USN order

    def changed_notebooks(self, user_id, after_usn, limit, notebook_guids=None):
        sql = f"{_NOTEBOOK_SELECT} WHERE n.user_id = ? AND n.usn > ?"
        params = [user_id, after_usn]
        sql += _guid_filter("n.guid", notebook_guids, params)
        return self._all(sql + " ORDER BY n.usn LIMIT ?", *params, limit)

    def changed_tags(self, user_id, after_usn, limit):
        sql = "SELECT * FROM tags WHERE user_id = ? AND usn > ? ORDER BY usn LIMIT ?"
        return self._all(sql, user_id, after_usn, limit)

    def changed_searches(self, user_id, after_usn, limit):
        sql = (
            "SELECT * FROM searches WHERE user_id = ? AND usn > ? ORDER BY usn LIMIT ?"
        )
        return self._all(sql, user_id, after_usn, limit)

    def changed_notes(self, user_id, after_usn, limit, note_filter):
        """Notes changed after ``after_usn``, without content.

        ``note_filter`` is a (notebook GUIDs or None, content class or None)
        pair; a content class ending in ``*`` matches as a prefix.
        """
        sql = f"SELECT {NOTE_META_COLUMNS} FROM notes WHERE user_id = ? AND usn > ?"
        params = [user_id, after_usn]
        sql += _note_filter("", note_filter, params)
        return self._all(sql + " ORDER BY usn LIMIT ?", *params, limit)

    def changed_resources(self, user_id, after_usn, limit, note_filter):
        """Resources changed after their note last did (updateResource)."""
        columns = ", ".join(f"r.{c.strip()}" for c in _RESOURCE_META_COLUMNS.split(","))
        sql = (
            f"SELECT {columns} FROM resources r JOIN notes n ON n.guid = r.note_guid"
            " WHERE r.user_id = ? AND r.usn > ? AND r.usn > n.usn"
        )
        params = [user_id, after_usn]
        sql += _note_filter("n.", note_filter, params)
        return self._all(sql + " ORDER BY r.usn LIMIT ?", *params, limit)

    def expunged_since(self, user_id, after_usn, limit, kinds):
        marks = ", ".join("?" * len(kinds))
        sql = (
            "SELECT usn, kind, guid FROM expunged WHERE user_id = ? AND usn > ?"
            f" AND kind IN ({marks}) ORDER BY usn LIMIT ?"
        )
        return self._all(sql, user_id, after_usn, *kinds, limit)

    # Search (shard.search holds the index and the query planner)

    def find_notes(self, user_id, note_filter, now_ms, offset, max_notes):
        """The `search.SearchResult` of one page of a NoteFilter."""
        return search.find_notes(
            self._db, user_id, note_filter, now_ms, offset, max_notes
        )

    def count_notes(self, user_id, note_filter, with_trash, now_ms):
        return search.count_notes(self._db, user_id, note_filter, with_trash, now_ms)

    # Plumbing

    def _one(self, sql, *params):
        return self._db.execute(sql, params).fetchone()

    def _all(self, sql, *params):
        return self._db.execute(sql, params).fetchall()

    def _count(self, sql, *params):
        return self._db.execute(sql, params).fetchone()[0]

    def _in(self, sql, values, *params):
        """Run ``sql`` with its ``{}`` bound to slices of ``values``; the
        ``params`` bind the placeholders before it."""
        values = list(values)
        rows = []
        for start in range(0, len(values), _IN_SLICE):
            part = values[start : start + _IN_SLICE]
            marks = ", ".join("?" * len(part))
            rows.extend(self._db.execute(sql.format(marks), (*params, *part)))
        return rows


def _guid_filter(column, guids, params):
    if guids is None:
        return ""
    guids = sorted(guids)
    params.extend(guids)
    return f" AND {column} IN ({', '.join('?' * len(guids))})"


def _note_filter(prefix, note_filter, params):
    notebook_guids, content_class = note_filter
    sql = _guid_filter(f"{prefix}notebook_guid", notebook_guids, params)
    if content_class is None:
        return sql
    value = f"json_extract({prefix}attributes, '$.contentClass')"
    if content_class.endswith("*"):
        stem = content_class[:-1]
        params.extend([len(stem), stem])
        return sql + f" AND substr({value}, 1, ?) = ?"
    params.append(content_class)
    return sql + f" AND {value} = ?"
