"""A NoteStore service over a real SQLite shard storage, for unit tests.

SQLite is a library, so each test gets its own database file in tmp_path;
no service is started. Writes go through ``Storage.commit`` exactly as on a
primary, which also fills the write log that replication ships.
"""

import contextlib
import hashlib
import json
import sqlite3

import pytest

from notestore.edam import Errors, NoteStore, Types
from notestore.noteservice import NoteStoreService
from notestore.tokens import TokenSigner
from shard.storage import Storage

SECRET = b"unit-test-cluster-secret-0123456789"
NOW_S = 1_700_000_000
NOW_MS = NOW_S * 1000
MISSING_GUID = "ffffffff-ffff-ffff-ffff-ffffffffffff"
CODES = Errors.EDAMErrorCode
DATA_TABLES = (
    "accounts",
    "notebooks",
    "publishing",
    "tags",
    "searches",
    "notes",
    "note_tags",
    "resources",
    "resource_bodies",
    "note_versions",
    "expunged",
    "note_search",
    "note_search_facts",
    "uploads",
)


class Clock:
    """A settable clock in seconds, shared by the signer and the service."""

    def __init__(self):
        self.now_s = NOW_S

    def __call__(self):
        return self.now_s


def enml(body=""):
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<!DOCTYPE en-note SYSTEM "http://xml.evernote.com/pub/enml2.dtd">'
        f"<en-note>{body}</en-note>"
    )


def media(body, mime="image/png"):
    return f'<en-media type="{mime}" hash="{hashlib.md5(body).hexdigest()}"/>'


def resource(body, mime="image/png", **fields):
    """A client Resource carrying ``body``."""
    return Types.Resource(mime=mime, data=Types.Data(body=body), **fields)


class Shard:
    """One shard node's service, its storage and the tokens to call it."""

    def __init__(self, tmp_path, upload_limit=0):
        self.clock = Clock()
        self.signer = TokenSigner(SECRET, self.clock)
        self.db_path = tmp_path / "db.sqlite3"
        self.storage = Storage(str(self.db_path))
        self.service = NoteStoreService(
            "s1", self.signer, self.storage, self.write, self.clock, upload_limit
        )

    def write(self, record):
        return self.storage.commit(1, record)

    def token(self, user_id=1, shard_id="s1", lifetime_s=3600):
        return self.signer.issue(shard_id, user_id, lifetime_s)

    def create_note(self, token, **fields):
        fields.setdefault("title", "A note")
        fields.setdefault("content", enml("hello"))
        return self.service.createNote(token, Types.Note(**fields))

    def note_with_resources(self, token, *bodies, **fields):
        content = enml("".join(media(body) for body in bodies))
        resources = [resource(body) for body in bodies]
        return self.create_note(token, content=content, resources=resources, **fields)

    def get_note(self, token, guid, *flags):
        flags = flags or (True, False, False, False)
        return self.service.getNote(token, guid, *flags)

    def update_count(self, token):
        return self.service.getSyncState(token).updateCount

    def full_sync(self, token, after_usn=0, max_entries=250, **filter_fields):
        """Every chunk from ``after_usn`` until chunkHighUSN reaches updateCount."""
        fields = dict.fromkeys(_INCLUDE_ALL, True) | filter_fields
        chunk_filter = NoteStore.SyncChunkFilter(**fields)
        chunks = []
        while True:
            chunk = self.service.getFilteredSyncChunk(
                token, after_usn, max_entries, chunk_filter
            )
            chunks.append(chunk)
            if chunk.chunkHighUSN is None or chunk.chunkHighUSN >= chunk.updateCount:
                return chunks
            assert chunk.chunkHighUSN > after_usn
            after_usn = chunk.chunkHighUSN

    def logged_records(self):
        with contextlib.closing(sqlite3.connect(self.db_path)) as db:
            rows = db.execute("SELECT lsn, epoch, body FROM log ORDER BY lsn")
            return [(lsn, epoch, json.loads(body)) for lsn, epoch, body in rows]


_INCLUDE_ALL = (
    "includeNotes",
    "includeNoteResources",
    "includeNoteAttributes",
    "includeNotebooks",
    "includeTags",
    "includeSearches",
    "includeResources",
    "includeExpunged",
)


def raises_user_error(code, parameter, call, *args, **kwargs):
    with pytest.raises(Errors.EDAMUserException) as info:
        call(*args, **kwargs)
    assert (info.value.errorCode, info.value.parameter) == (code, parameter)
    return info.value


def raises_not_found(identifier, call, *args, **kwargs):
    with pytest.raises(Errors.EDAMNotFoundException) as info:
        call(*args, **kwargs)
    assert info.value.identifier == identifier
    return info.value


def table_rows(db_path):
    with contextlib.closing(sqlite3.connect(db_path)) as db:
        return {
            table: db.execute(f"SELECT * FROM {table} ORDER BY 1, 2").fetchall()
            for table in DATA_TABLES
        }


def account_record(user_id, usn=1):
    """A write record that opens an account: the smallest complete record."""
    notebook = {
        "guid": f"00000000-0000-0000-0000-{user_id:012d}",
        "name": "First Notebook",
        "stack": None,
        "usn": usn,
        "created": 1000,
        "updated": 1000,
        "default": True,
    }
    return {
        "op": "create_account",
        "user_id": user_id,
        "usn": usn,
        "full_sync_before": 0,
        "notebook": notebook,
    }
