"""`apply`: the one function that turns a write record into rows.

A record is the fully resolved form of one NoteStore change (see
``notestore.records``): the handler on the primary has already decided
every GUID, USN and timestamp. Appliers read nothing but the record and the
database, so a replica replaying the same records in the same order ends up
with the same rows.

Record fields shared by every op: ``op``, ``user_id`` and ``usn``, the
highest USN the record uses (the account's update count afterwards); and,
on a write that uploads content, ``upload`` (the month and the bytes to
count against the user's quota).
Hashes travel as hex, binary bodies as base64, JSON-able maps as dicts.
"""

import base64
import json
import sqlite3

from shard import search

__all__ = ["apply"]


def apply(db, record):
    """Apply one write record to an open transaction on ``db``."""
    _APPLIERS[record["op"]](db, record)
    db.execute(
        "UPDATE accounts SET update_count = max(update_count, ?) WHERE user_id = ?",
        (record["usn"], record["user_id"]),
    )
    upload = record.get("upload")
    if upload is not None:
        _count_upload(db, record["user_id"], upload)


def _count_upload(db, user_id, upload):
    # ``upload``: {"month": "YYYY-MM", "bytes": n}, decided on the primary.
    db.execute(
        "DELETE FROM uploads WHERE user_id = ? AND month < ?",
        (user_id, upload["month"]),
    )
    db.execute(
        "INSERT INTO uploads (user_id, month, bytes) VALUES (?, ?, ?)"
        " ON CONFLICT (user_id, month) DO UPDATE SET bytes = bytes + excluded.bytes",
        (user_id, upload["month"], upload["bytes"]),
    )


# Accounts and notebooks


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
    user_id, notebook = record["user_id"], record["notebook"]
    _put_notebook(db, user_id, notebook)
    if notebook.get("default"):
        db.execute(
            "UPDATE accounts SET default_notebook = ? WHERE user_id = ?",
            (notebook["guid"], user_id),
        )
    demoted = record.get("demoted")
    if demoted is not None:
        db.execute(
            "UPDATE notebooks SET usn = ?, updated = ? WHERE guid = ? AND user_id = ?",
            (demoted["usn"], notebook["updated"], demoted["guid"], user_id),
        )


def _put_notebook(db, user_id, notebook):
    db.execute(
        "INSERT INTO notebooks (guid, user_id, name, name_key, stack, usn, created,"
        " updated) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (guid) DO UPDATE SET"
        " name = excluded.name, name_key = excluded.name_key, stack = excluded.stack,"
        " usn = excluded.usn, updated = excluded.updated",
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
    _put_publishing(db, user_id, notebook)


def _put_publishing(db, user_id, notebook):
    db.execute("DELETE FROM publishing WHERE notebook_guid = ?", (notebook["guid"],))
    publishing = notebook.get("publishing")
    if publishing is None and not notebook.get("published"):
        return
    publishing = publishing or {}
    uri = publishing.get("uri")
    db.execute(
        "INSERT INTO publishing (notebook_guid, user_id, published, uri, uri_key,"
        " sort_order, ascending, description) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (
            notebook["guid"],
            user_id,
            1 if notebook.get("published") else 0,
            uri,
            uri.casefold() if uri is not None else None,
            publishing.get("order"),
            _flag(publishing.get("ascending")),
            publishing.get("description"),
        ),
    )


def _apply_expunge_notebook(db, record):
    # The notebook's notes move to the default notebook and into the trash;
    # notes already in the trash keep their deletion time.
    user_id = record["user_id"]
    for guid, usn in record["moved"]:
        db.execute(
            "UPDATE notes SET notebook_guid = ?, active = 0,"
            " deleted = coalesce(deleted, ?), usn = ? WHERE guid = ? AND user_id = ?",
            (record["target"], record["deleted"], usn, guid, user_id),
        )
    db.execute(
        "DELETE FROM notebooks WHERE guid = ? AND user_id = ?",
        (record["guid"], user_id),
    )
    db.execute("DELETE FROM publishing WHERE notebook_guid = ?", (record["guid"],))
    _expunged(db, user_id, "notebook", record["guid"], record["usn"])
    _reindex(db, [guid for guid, _ in record["moved"]])


# Tags and saved searches


def _apply_put_tag(db, record):
    user_id, tag = record["user_id"], record["tag"]
    old = _select(db, "SELECT name FROM tags WHERE guid = ?", tag["guid"])
    db.execute(
        "INSERT INTO tags (guid, user_id, name, name_key, parent_guid, usn)"
        " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (guid) DO UPDATE SET"
        " name = excluded.name, name_key = excluded.name_key,"
        " parent_guid = excluded.parent_guid, usn = excluded.usn",
        (
            tag["guid"],
            user_id,
            tag["name"],
            tag["name"].casefold(),
            tag.get("parent_guid"),
            tag["usn"],
        ),
    )
    if old and old[0]["name"] != tag["name"]:
        # Tag names are searchable text of every note that carries them.
        _reindex(db, _tagged_notes(db, tag["guid"]))


def _apply_untag_all(db, record):
    _untag(db, record["user_id"], record["tag_guid"], record["notes"])


def _apply_expunge_tag(db, record):
    user_id, guid = record["user_id"], record["guid"]
    _untag(db, user_id, guid, record["notes"])
    for child, usn in record["children"]:
        db.execute(
            "UPDATE tags SET parent_guid = NULL, usn = ?"
            " WHERE guid = ? AND user_id = ?",
            (usn, child, user_id),
        )
    db.execute("DELETE FROM tags WHERE guid = ? AND user_id = ?", (guid, user_id))
    _expunged(db, user_id, "tag", guid, record["usn"])


def _untag(db, user_id, tag_guid, notes):
    db.execute("DELETE FROM note_tags WHERE tag_guid = ?", (tag_guid,))
    db.executemany(
        "UPDATE notes SET usn = ? WHERE guid = ? AND user_id = ?",
        [(usn, guid, user_id) for guid, usn in notes],
    )
    _reindex(db, [guid for guid, _ in notes])


def _tagged_notes(db, tag_guid):
    rows = db.execute("SELECT note_guid FROM note_tags WHERE tag_guid = ?", (tag_guid,))
    return [row[0] for row in rows]


def _apply_put_search(db, record):
    search = record["search"]
    db.execute(
        "INSERT OR REPLACE INTO searches (guid, user_id, name, name_key, query,"
        " scope, usn) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (
            search["guid"],
            record["user_id"],
            search["name"],
            search["name"].casefold(),
            search["query"],
            _json_or_none(search.get("scope")),
            search["usn"],
        ),
    )


def _apply_expunge_search(db, record):
    user_id, guid = record["user_id"], record["guid"]
    db.execute("DELETE FROM searches WHERE guid = ? AND user_id = ?", (guid, user_id))
    _expunged(db, user_id, "search", guid, record["usn"])


# Notes


def _apply_put_note(db, record):
    user_id, note = record["user_id"], record["note"]
    for tag in record.get("new_tags", ()):
        db.execute(
            "INSERT INTO tags (guid, user_id, name, name_key, parent_guid, usn)"
            " VALUES (?, ?, ?, ?, NULL, ?)",
            (tag["guid"], user_id, tag["name"], tag["name"].casefold(), tag["usn"]),
        )
    version = record.get("version")
    if version is not None:
        _save_version(db, user_id, note["guid"], version)
    if "content" in note:
        _put_note_row(db, user_id, note)
    else:
        _update_note_row(db, user_id, note)
    db.execute("DELETE FROM note_tags WHERE note_guid = ?", (note["guid"],))
    db.executemany(
        "INSERT INTO note_tags (note_guid, tag_guid, position) VALUES (?, ?, ?)",
        [(note["guid"], guid, i) for i, guid in enumerate(note["tag_guids"])],
    )
    if "resources" in record:
        _replace_resources(db, user_id, note["guid"], record["resources"])
    _reindex(db, [note["guid"]])


def _put_note_row(db, user_id, note):
    # An upsert, not INSERT OR REPLACE: the row keeps its rowid, which the
    # full-text index may key on.
    db.execute(
        "INSERT INTO notes (guid, user_id, notebook_guid, title, content,"
        " content_hash, content_length, created, updated, deleted, active, usn,"
        " attributes) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
        " ON CONFLICT (guid) DO UPDATE SET notebook_guid = excluded.notebook_guid,"
        " title = excluded.title, content = excluded.content,"
        " content_hash = excluded.content_hash,"
        " content_length = excluded.content_length, created = excluded.created,"
        " updated = excluded.updated, deleted = excluded.deleted,"
        " active = excluded.active, usn = excluded.usn,"
        " attributes = excluded.attributes",
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
            _flag(note["active"]),
            note["usn"],
            json.dumps(note.get("attributes", {})),
        ),
    )


def _update_note_row(db, user_id, note):
    db.execute(
        "UPDATE notes SET notebook_guid = ?, title = ?, created = ?, updated = ?,"
        " deleted = ?, active = ?, usn = ?, attributes = ?"
        " WHERE guid = ? AND user_id = ?",
        (
            note["notebook_guid"],
            note["title"],
            note["created"],
            note["updated"],
            note.get("deleted"),
            _flag(note["active"]),
            note["usn"],
            json.dumps(note.get("attributes", {})),
            note["guid"],
            user_id,
        ),
    )


def _apply_expunge_notes(db, record):
    user_id = record["user_id"]
    for guid, usn in record["notes"]:
        _unindex(db, guid)
        _delete_resources(db, _resource_guids(db, guid))
        for table, column in _NOTE_ROWS:
            db.execute(f"DELETE FROM {table} WHERE {column} = ?", (guid,))
        _expunged(db, user_id, "note", guid, usn)


_NOTE_ROWS = (
    ("notes", "guid"),
    ("note_tags", "note_guid"),
    ("note_versions", "note_guid"),
)


def _apply_copy_note(db, record):
    # A deep copy made from the source rows, which every node holds alike;
    # the record carries only the new identities and USNs.
    user_id, note, source = record["user_id"], record["note"], record["source"]
    db.execute(
        "INSERT INTO notes (guid, user_id, notebook_guid, title, content,"
        " content_hash, content_length, created, updated, deleted, active, usn,"
        " attributes) SELECT ?, user_id, ?, title, content, content_hash,"
        " content_length, created, updated, NULL, 1, ?, attributes"
        " FROM notes WHERE guid = ? AND user_id = ?",
        (note["guid"], note["notebook_guid"], note["usn"], source, user_id),
    )
    db.execute(
        "INSERT INTO note_tags (note_guid, tag_guid, position)"
        " SELECT ?, tag_guid, position FROM note_tags WHERE note_guid = ?",
        (note["guid"], source),
    )
    for old, new, usn in record["resources"]:
        _copy_resource(db, old, new, note["guid"], usn)
    _reindex(db, [note["guid"]])


def _copy_resource(db, old, new, note_guid, usn):
    db.execute(
        "INSERT INTO resources (guid, user_id, note_guid, position, usn, mime,"
        " width, height, duration, body_hash, body_size, recognition_hash,"
        " recognition_size, alternate_hash, alternate_size, attributes)"
        " SELECT ?, user_id, ?, position, ?, mime, width, height, duration,"
        " body_hash, body_size, recognition_hash, recognition_size,"
        " alternate_hash, alternate_size, attributes FROM resources WHERE guid = ?",
        (new, note_guid, usn, old),
    )
    db.execute(
        "INSERT INTO resource_bodies (resource_guid, body, recognition, alternate)"
        " SELECT ?, body, recognition, alternate FROM resource_bodies"
        " WHERE resource_guid = ?",
        (new, old),
    )


def _save_version(db, user_id, note_guid, version):
    (row,) = _select(db, "SELECT * FROM notes WHERE guid = ?", note_guid)
    snapshot = {
        "content": row["content"],
        "content_hash": bytes(row["content_hash"]).hex(),
        "content_length": row["content_length"],
        "created": row["created"],
        "deleted": row["deleted"],
        "active": bool(row["active"]),
        "notebook_guid": row["notebook_guid"],
        "attributes": json.loads(row["attributes"]),
        "tag_guids": _tag_guids(db, note_guid),
        "resources": _resource_snapshots(db, note_guid),
    }
    db.execute(
        "INSERT OR REPLACE INTO note_versions (note_guid, usn, user_id, saved,"
        " updated, title, snapshot) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (
            note_guid,
            row["usn"],
            user_id,
            version["saved"],
            row["updated"],
            row["title"],
            json.dumps(snapshot),
        ),
    )
    db.execute(
        "DELETE FROM note_versions WHERE note_guid = ? AND usn NOT IN (SELECT usn"
        " FROM note_versions WHERE note_guid = ? ORDER BY usn DESC LIMIT ?)",
        (note_guid, note_guid, version["keep"]),
    )


def _tag_guids(db, note_guid):
    rows = db.execute(
        "SELECT tag_guid FROM note_tags WHERE note_guid = ? ORDER BY position",
        (note_guid,),
    )
    return [row[0] for row in rows]


def _resource_snapshots(db, note_guid):
    rows = _select(
        db, "SELECT * FROM resources WHERE note_guid = ? ORDER BY position", note_guid
    )
    return [_resource_snapshot(row) for row in rows]


def _resource_snapshot(row):
    snapshot = {key: row[key] for key in _RESOURCE_SCALARS}
    for key in ("body_hash", "recognition_hash", "alternate_hash"):
        snapshot[key] = bytes(row[key]).hex() if row[key] is not None else None
    snapshot["attributes"] = json.loads(row["attributes"])
    return snapshot


_RESOURCE_SCALARS = (
    "guid",
    "mime",
    "width",
    "height",
    "duration",
    "usn",
    "body_size",
    "recognition_size",
    "alternate_size",
)


# Resources


def _replace_resources(db, user_id, note_guid, resources):
    kept = {resource["guid"] for resource in resources}
    gone = [guid for guid in _resource_guids(db, note_guid) if guid not in kept]
    _delete_resources(db, gone)
    for position, resource in enumerate(resources):
        _put_resource_row(db, user_id, note_guid, position, resource)
        _put_resource_bodies(db, resource)


def _put_resource_row(db, user_id, note_guid, position, resource):
    db.execute(
        "INSERT OR REPLACE INTO resources (guid, user_id, note_guid, position, usn,"
        " mime, width, height, duration, body_hash, body_size, recognition_hash,"
        " recognition_size, alternate_hash, alternate_size, attributes)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            resource["guid"],
            user_id,
            note_guid,
            position,
            resource["usn"],
            resource["mime"],
            resource.get("width"),
            resource.get("height"),
            resource.get("duration"),
            bytes.fromhex(resource["body_hash"]),
            resource["body_size"],
            _hex_or_none(resource.get("recognition_hash")),
            resource.get("recognition_size"),
            _hex_or_none(resource.get("alternate_hash")),
            resource.get("alternate_size"),
            json.dumps(resource.get("attributes", {})),
        ),
    )


def _put_resource_bodies(db, resource):
    # Bodies travel only when they are new; an unchanged resource keeps
    # the bodies it has.
    guid = resource["guid"]
    if "body" in resource:
        db.execute(
            "INSERT OR REPLACE INTO resource_bodies (resource_guid, body)"
            " VALUES (?, ?)",
            (guid, base64.b64decode(resource["body"])),
        )
    for key in ("recognition", "alternate"):
        if key in resource:
            db.execute(
                f"UPDATE resource_bodies SET {key} = ? WHERE resource_guid = ?",
                (_b64_or_none(resource[key]), guid),
            )


def _apply_put_resource(db, record):
    resource = record["resource"]
    db.execute(
        "UPDATE resources SET usn = ?, mime = ?, width = ?, height = ?,"
        " duration = ?, attributes = ? WHERE guid = ? AND user_id = ?",
        (
            resource["usn"],
            resource["mime"],
            resource.get("width"),
            resource.get("height"),
            resource.get("duration"),
            json.dumps(resource.get("attributes", {})),
            resource["guid"],
            record["user_id"],
        ),
    )


def _resource_guids(db, note_guid):
    rows = db.execute("SELECT guid FROM resources WHERE note_guid = ?", (note_guid,))
    return [row[0] for row in rows]


def _delete_resources(db, guids):
    for guid in guids:
        db.execute("DELETE FROM resources WHERE guid = ?", (guid,))
        db.execute("DELETE FROM resource_bodies WHERE resource_guid = ?", (guid,))


# Shared steps


def _expunged(db, user_id, kind, guid, usn):
    db.execute(
        "INSERT INTO expunged (user_id, usn, kind, guid) VALUES (?, ?, ?, ?)",
        (user_id, usn, kind, guid),
    )


def _reindex(db, note_guids):
    # After the notes, note_tags and resources rows are written.
    for guid in note_guids:
        search.index_note(db, guid)


def _unindex(db, note_guid):
    search.unindex_note(db, note_guid)


def _select(db, sql, *params):
    # Appliers run on connections of any row factory (a replica's, a test's).
    cursor = db.cursor()
    cursor.row_factory = sqlite3.Row
    return cursor.execute(sql, params).fetchall()


def _flag(value):
    return None if value is None else (1 if value else 0)


def _json_or_none(value):
    return None if value is None else json.dumps(value)


def _hex_or_none(value):
    return None if value is None else bytes.fromhex(value)


def _b64_or_none(value):
    return None if value is None else base64.b64decode(value)


_APPLIERS = {
    "create_account": _apply_create_account,
    "put_notebook": _apply_put_notebook,
    "expunge_notebook": _apply_expunge_notebook,
    "put_tag": _apply_put_tag,
    "untag_all": _apply_untag_all,
    "expunge_tag": _apply_expunge_tag,
    "put_search": _apply_put_search,
    "expunge_search": _apply_expunge_search,
    "put_note": _apply_put_note,
    "copy_note": _apply_copy_note,
    "expunge_notes": _apply_expunge_notes,
    "put_resource": _apply_put_resource,
}
