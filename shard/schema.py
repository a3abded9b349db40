"""The data tables of a shard's SQLite database.

Every object table carries its owner (``user_id``) and an index on
``(user_id, usn)``: sync reads each kind of object in USN order, a chunk at
a time. GUIDs are the primary keys; no GUID is ever reused, so a GUID in
``expunged`` names an object that no longer exists anywhere.

Resource bodies (data, recognition, alternate data) live in
``resource_bodies``, apart from the metadata, so that sync and note reads
never page through them. Blobs and JSON are stored as given by the write
record; timestamps are ms since the epoch.

``uploads`` counts the bytes each user uploaded in the current month (see
``notestore.quota``); rows of earlier months are dropped as a new month's
first upload is counted.
"""

__all__ = ["DATA_SCHEMA"]

DATA_SCHEMA = """
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
CREATE INDEX IF NOT EXISTS notebooks_by_user_usn ON notebooks (user_id, usn);
CREATE TABLE IF NOT EXISTS publishing (
    notebook_guid TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL,
    published INTEGER NOT NULL,
    uri TEXT,
    uri_key TEXT,
    sort_order INTEGER,
    ascending INTEGER,
    description TEXT
);
CREATE INDEX IF NOT EXISTS publishing_by_uri ON publishing (user_id, uri_key);
CREATE TABLE IF NOT EXISTS tags (
    guid TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL,
    name TEXT NOT NULL,
    name_key TEXT NOT NULL,
    parent_guid TEXT,
    usn INTEGER NOT NULL,
    UNIQUE (user_id, name_key)
);
CREATE INDEX IF NOT EXISTS tags_by_user_usn ON tags (user_id, usn);
CREATE TABLE IF NOT EXISTS searches (
    guid TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL,
    name TEXT NOT NULL,
    name_key TEXT NOT NULL,
    query TEXT NOT NULL,
    scope TEXT,
    usn INTEGER NOT NULL,
    UNIQUE (user_id, name_key)
);
CREATE INDEX IF NOT EXISTS searches_by_user_usn ON searches (user_id, usn);
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
CREATE INDEX IF NOT EXISTS notes_by_notebook ON notes (notebook_guid);
CREATE TABLE IF NOT EXISTS note_tags (
    note_guid TEXT NOT NULL,
    tag_guid TEXT NOT NULL,
    position INTEGER NOT NULL,
    PRIMARY KEY (note_guid, tag_guid)
);
CREATE INDEX IF NOT EXISTS note_tags_by_tag ON note_tags (tag_guid);
CREATE TABLE IF NOT EXISTS resources (
    guid TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL,
    note_guid TEXT NOT NULL,
    position INTEGER NOT NULL,
    usn INTEGER NOT NULL,
    mime TEXT NOT NULL,
    width INTEGER,
    height INTEGER,
    duration INTEGER,
    body_hash BLOB NOT NULL,
    body_size INTEGER NOT NULL,
    recognition_hash BLOB,
    recognition_size INTEGER,
    alternate_hash BLOB,
    alternate_size INTEGER,
    attributes TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS resources_by_user_usn ON resources (user_id, usn);
CREATE INDEX IF NOT EXISTS resources_by_note ON resources (note_guid, position);
CREATE TABLE IF NOT EXISTS resource_bodies (
    resource_guid TEXT PRIMARY KEY,
    body BLOB NOT NULL,
    recognition BLOB,
    alternate BLOB
);
CREATE TABLE IF NOT EXISTS note_versions (
    note_guid TEXT NOT NULL,
    usn INTEGER NOT NULL,
    user_id INTEGER NOT NULL,
    saved INTEGER NOT NULL,
    updated INTEGER NOT NULL,
    title TEXT NOT NULL,
    snapshot TEXT NOT NULL,
    PRIMARY KEY (note_guid, usn)
);
CREATE TABLE IF NOT EXISTS expunged (
    user_id INTEGER NOT NULL,
    usn INTEGER NOT NULL,
    kind TEXT NOT NULL,
    guid TEXT NOT NULL,
    PRIMARY KEY (user_id, usn)
);
CREATE TABLE IF NOT EXISTS uploads (
    user_id INTEGER NOT NULL,
    month TEXT NOT NULL,
    bytes INTEGER NOT NULL,
    PRIMARY KEY (user_id, month)
);
"""
