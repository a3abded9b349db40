"""The shard's SQLite database and the one function that changes it.

Every change arrives as a write record (see ``notestore.records``) and goes
through `Storage.commit`, which applies it with `apply` and appends it to
the write log in the same transaction. A replica applies the records it
receives with the same `apply`, so the two copies cannot diverge by code
path.
"""

import json
import logging
import sqlite3

__all__ = ["Storage", "apply"]

log = logging.getLogger(__name__)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS log (
    lsn INTEGER PRIMARY KEY,
    epoch INTEGER NOT NULL,
    body TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS accounts (
    user_id INTEGER PRIMARY KEY,
    update_count INTEGER NOT NULL,
    full_sync_before INTEGER NOT NULL,
    default_notebook TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS notebooks (
    guid TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL,
    name TEXT NOT NULL,
    name_key TEXT NOT NULL,
    stack TEXT,
    usn INTEGER NOT NULL,
    created INTEGER NOT NULL,
    updated INTEGER NOT NULL,
    UNIQUE (user_id, name_key)
);
CREATE TABLE IF NOT EXISTS tags (
    guid TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL,
    name TEXT NOT NULL,
    name_key TEXT NOT NULL,
    parent_guid TEXT,
    usn INTEGER NOT NULL,
    UNIQUE (user_id, name_key)
);
CREATE TABLE IF NOT EXISTS notes (
    guid TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL,
    notebook_guid TEXT NOT NULL,
    title TEXT NOT NULL,
    content TEXT NOT NULL,
    content_hash BLOB NOT NULL,
    content_length INTEGER NOT NULL,
    created INTEGER NOT NULL,
    updated INTEGER NOT NULL,
    deleted INTEGER,
    active INTEGER NOT NULL,
    usn INTEGER NOT NULL,
    attributes TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS notes_by_user_usn ON notes (user_id, usn);
CREATE TABLE IF NOT EXISTS note_tags (
    note_guid TEXT NOT NULL,
    tag_guid TEXT NOT NULL,
    position INTEGER NOT NULL,
    PRIMARY KEY (note_guid, tag_guid)
);
"""


class Storage:
    """One node's database: reads for the handlers, `commit` for writes.

    All calls block on SQLite; the shard runs them on its one event-loop
    thread, so a read never sees a half-applied record.
    """

    def __init__(self, path, synchronous="NORMAL"):
        self._db = sqlite3.connect(path, isolation_level=None)
        self._db.row_factory = sqlite3.Row
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute(f"PRAGMA synchronous={synchronous}")
        self._db.execute("PRAGMA foreign_keys=OFF")
        self._db.executescript(_SCHEMA)

    def close(self):
        self._db.close()

    def last_lsn(self):
        row = self._db.execute("SELECT max(lsn) FROM log").fetchone()
        return row[0] or 0

    def commit(self, epoch, record):
        """Apply ``record`` and log it as the next LSN, atomically.

        Returns the LSN. Raises sqlite3 errors unchanged; nothing is
        applied or logged when it raises.
        """
        db = self._db
        db.execute("BEGIN IMMEDIATE")
        try:
            apply(db, record)
            lsn = self.last_lsn() + 1
            db.execute(
                "INSERT INTO log (lsn, epoch, body) VALUES (?, ?, ?)",
                (lsn, epoch, json.dumps(record, separators=(",", ":"))),
            )
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")
        return lsn

    # Reads. Every query names the owner, so a GUID of another user is
    # simply not found.

    def account(self, user_id):
        return self._one("SELECT * FROM accounts WHERE user_id = ?", user_id)

    def notebooks(self, user_id):
        return self._all(
            "SELECT * FROM notebooks WHERE user_id = ? ORDER BY name_key", user_id
        )

    def notebook(self, user_id, guid):
        sql = "SELECT * FROM notebooks WHERE user_id = ? AND guid = ?"
        return self._one(sql, user_id, guid)

    def notebook_by_name(self, user_id, name_key):
        sql = "SELECT * FROM notebooks WHERE user_id = ? AND name_key = ?"
        return self._one(sql, user_id, name_key)

    def notebook_count(self, user_id):
        sql = "SELECT count(*) FROM notebooks WHERE user_id = ?"
        return self._db.execute(sql, (user_id,)).fetchone()[0]

    def tag(self, user_id, guid):
        return self._one(
            "SELECT * FROM tags WHERE user_id = ? AND guid = ?", user_id, guid
        )

    def tag_by_name(self, user_id, name_key):
        sql = "SELECT * FROM tags WHERE user_id = ? AND name_key = ?"
        return self._one(sql, user_id, name_key)

    def tag_count(self, user_id):
        sql = "SELECT count(*) FROM tags WHERE user_id = ?"
        return self._db.execute(sql, (user_id,)).fetchone()[0]

    def note(self, user_id, guid):
        return self._one(
            "SELECT * FROM notes WHERE user_id = ? AND guid = ?", user_id, guid
        )

    def note_count(self, user_id):
        sql = "SELECT count(*) FROM notes WHERE user_id = ?"
        return self._db.execute(sql, (user_id,)).fetchone()[0]

    def note_tag_guids(self, note_guid):
        sql = "SELECT tag_guid FROM note_tags WHERE note_guid = ? ORDER BY position"
        return [row[0] for row in self._db.execute(sql, (note_guid,))]

    def _one(self, sql, *params):
        return self._db.execute(sql, params).fetchone()

    def _all(self, sql, *params):
        return self._db.execute(sql, params).fetchall()


def apply(db, record):
    """Apply one write record to an open transaction on ``db``."""
    _APPLIERS[record["op"]](db, record)
    db.execute(
        "UPDATE accounts SET update_count = max(update_count, ?) WHERE user_id = ?",
        (record["usn"], record["user_id"]),
    )


def _apply_create_account(db, record):
    db.execute(
        "INSERT INTO accounts (user_id, update_count, full_sync_before,"
        " default_notebook) VALUES (?, ?, ?, ?)",
        (
            record["user_id"],
            record["usn"],
            record["full_sync_before"],
            record["notebook"]["guid"],
        ),
    )
    _put_notebook(db, record["user_id"], record["notebook"])


def _apply_put_notebook(db, record):
    notebook = record["notebook"]
    _put_notebook(db, record["user_id"], notebook)
    if notebook.get("default"):
        db.execute(
            "UPDATE accounts SET default_notebook = ? WHERE user_id = ?",
            (notebook["guid"], record["user_id"]),
        )
    demoted = record.get("demoted")
    if demoted is not None:
        db.execute(
            "UPDATE notebooks SET usn = ?, updated = ? WHERE guid = ? AND user_id = ?",
            (demoted["usn"], notebook["updated"], demoted["guid"], record["user_id"]),
        )


def _put_notebook(db, user_id, notebook):
    db.execute(
        "INSERT OR REPLACE INTO notebooks (guid, user_id, name, name_key, stack,"
        " usn, created, updated) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (
            notebook["guid"],
            user_id,
            notebook["name"],
            notebook["name"].casefold(),
            notebook.get("stack"),
            notebook["usn"],
            notebook["created"],
            notebook["updated"],
        ),
    )


def _apply_put_note(db, record):
    user_id = record["user_id"]
    for tag in record.get("new_tags", ()):
        db.execute(
            "INSERT INTO tags (guid, user_id, name, name_key, parent_guid, usn)"
            " VALUES (?, ?, ?, ?, NULL, ?)",
            (tag["guid"], user_id, tag["name"], tag["name"].casefold(), tag["usn"]),
        )
    note = record["note"]
    db.execute(
        "INSERT OR REPLACE INTO notes (guid, user_id, notebook_guid, title, content,"
        " content_hash, content_length, created, updated, deleted, active, usn,"
        " attributes) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            note["guid"],
            user_id,
            note["notebook_guid"],
            note["title"],
            note["content"],
            bytes.fromhex(note["content_hash"]),
            note["content_length"],
            note["created"],
            note["updated"],
            note.get("deleted"),
            1 if note["active"] else 0,
            note["usn"],
            json.dumps(note.get("attributes", {})),
        ),
    )
    db.execute("DELETE FROM note_tags WHERE note_guid = ?", (note["guid"],))
    db.executemany(
        "INSERT INTO note_tags (note_guid, tag_guid, position) VALUES (?, ?, ?)",
        [(note["guid"], guid, i) for i, guid in enumerate(note["tag_guids"])],
    )


_APPLIERS = {
    "create_account": _apply_create_account,
    "put_notebook": _apply_put_notebook,
    "put_note": _apply_put_note,
}
