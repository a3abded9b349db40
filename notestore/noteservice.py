"""The NoteStore service logic, independent of sockets and Thrift framing.

`NoteStoreService` has one method per served NoteStore call, taking the IDL
arguments in order. Reads go to the shard's storage; writes are validated,
turned into a fully resolved write record (see ``notestore.records``) and
handed to the shard's ``write`` function, which applies and logs it.
"""

import hashlib
import json
import threading
import time
import uuid

from notestore import auth, enml, errors, validation
from notestore.edam import NoteStore, Types
from notestore.records import dict_to_struct, struct_to_dict

__all__ = ["NoteStoreService"]

DEFAULT_NOTEBOOK_NAME = "First Notebook"


class NoteStoreService:
    """EDAM NoteStore semantics over a shard's storage.

    ``storage`` answers reads (see ``shard.storage.Storage``); ``write`` takes
    a record and returns once it is applied and durable, raising on failure.
    ``shard_id`` is the shard this process serves: a token for another shard
    is refused as INVALID_AUTH.
    """

    def __init__(self, shard_id, signer, storage, write, clock=time.time):
        self._shard_id = shard_id
        self._signer = signer
        self._storage = storage
        self._write = write
        self._clock = clock
        # Writes read the account's update count, then commit a record that
        # uses the next numbers: one writer at a time keeps USNs dense.
        self._write_lock = threading.RLock()

    # Sync

    def getSyncState(self, authenticationToken):
        account = self._account(authenticationToken)
        return NoteStore.SyncState(
            currentTime=self._now_ms(),
            fullSyncBefore=account["full_sync_before"],
            updateCount=account["update_count"],
            uploaded=0,
        )

    def listLinkedNotebooks(self, authenticationToken):
        self._account(authenticationToken)
        return []

    # Notebooks

    def listNotebooks(self, authenticationToken):
        account = self._account(authenticationToken)
        rows = self._storage.notebooks(account["user_id"])
        return [_notebook(row, account) for row in rows]

    def getNotebook(self, authenticationToken, guid):
        account = self._account(authenticationToken)
        row = self._notebook_row(account, guid, "Notebook.guid")
        return _notebook(row, account)

    def getDefaultNotebook(self, authenticationToken):
        account = self._account(authenticationToken)
        row = self._storage.notebook(account["user_id"], account["default_notebook"])
        return _notebook(row, account)

    def createNotebook(self, authenticationToken, notebook):
        user_id = self._authenticate(authenticationToken)
        if notebook is None:
            raise errors.user_error("DATA_REQUIRED", "Notebook")
        _check(validation.check_notebook_name, notebook.name)
        if notebook.stack is not None:
            _check(validation.check_notebook_stack, notebook.stack)
        with self._write_lock:
            account = self._account_of(user_id)
            self._check_notebook_limits(account, notebook.name)
            record = self._notebook_record(account, notebook)
            self._write(record)
        return self.getNotebook(authenticationToken, record["notebook"]["guid"])

    def _check_notebook_limits(self, account, name):
        user_id = account["user_id"]
        if self._storage.notebook_by_name(user_id, name.casefold()):
            raise errors.user_error("DATA_CONFLICT", "Notebook.name")
        if self._storage.notebook_count(user_id) >= validation.EDAM_USER_NOTEBOOKS_MAX:
            raise errors.user_error("LIMIT_REACHED", "Notebook")

    def _notebook_record(self, account, notebook):
        now_ms = self._now_ms()
        entry = {
            "guid": _new_guid(),
            "name": notebook.name,
            "stack": notebook.stack,
            "usn": account["update_count"] + 1,
            "created": now_ms,
            "updated": now_ms,
            "default": bool(notebook.defaultNotebook),
        }
        if not entry["default"]:
            return _record("put_notebook", account, entry["usn"], notebook=entry)
        # The previous default notebook changes too (its defaultNotebook flag
        # turns false), so it takes the next USN: sync must deliver it.
        demoted = {"guid": account["default_notebook"], "usn": entry["usn"] + 1}
        return _record(
            "put_notebook", account, demoted["usn"], notebook=entry, demoted=demoted
        )

    # Notes

    def createNote(self, authenticationToken, note):
        user_id = self._authenticate(authenticationToken)
        if note is None:
            raise errors.user_error("DATA_REQUIRED", "Note")
        fields = _NoteFields.from_create(note)
        with self._write_lock:
            account = self._account_of(user_id)
            self._check_note_limit(account)
            record = self._note_record(account, fields, None)
            self._write(record)
        return self._note(account["user_id"], record["note"]["guid"], False)

    def updateNote(self, authenticationToken, note):
        user_id = self._authenticate(authenticationToken)
        if note is None:
            raise errors.user_error("DATA_REQUIRED", "Note")
        _check(validation.check_guid, note.guid, "Note.guid")
        fields = _NoteFields.from_update(note)
        with self._write_lock:
            account = self._account_of(user_id)
            current = self._note_row(account, note.guid)
            record = self._note_record(account, fields, current)
            self._write(record)
        return self._note(account["user_id"], note.guid, False)

    def deleteNote(self, authenticationToken, guid):
        with self._write_lock:
            account = self._account(authenticationToken)
            current = self._note_row(account, guid)
            if not current["active"]:
                raise errors.user_error("DATA_CONFLICT", "Note.guid")
            fields = _NoteFields(active=False)
            record = self._note_record(account, fields, current)
            self._write(record)
        return record["usn"]

    def getNote(
        self,
        authenticationToken,
        guid,
        withContent,
        withResourcesData,
        withResourcesRecognition,
        withResourcesAlternateData,
    ):
        account = self._account(authenticationToken)
        self._note_row(account, guid)
        return self._note(account["user_id"], guid, bool(withContent))

    def getNoteContent(self, authenticationToken, guid):
        account = self._account(authenticationToken)
        return self._note_row(account, guid)["content"]

    def _check_note_limit(self, account):
        if (
            self._storage.note_count(account["user_id"])
            >= validation.EDAM_USER_NOTES_MAX
        ):
            raise errors.user_error("LIMIT_REACHED", "Note")

    def _note_record(self, account, fields, current):
        """Resolve a create (``current`` None) or an update into a record."""
        user_id, usn = account["user_id"], account["update_count"]
        notebook_guid = self._resolve_notebook(account, fields.notebook_guid, current)
        tag_guids, new_tags = self._resolve_tags(account, fields, current, usn)
        usn += len(new_tags) + 1
        now_ms = self._now_ms()
        entry = _merge_note(current, fields, now_ms)
        entry.update(
            guid=current["guid"] if current else _new_guid(),
            notebook_guid=notebook_guid,
            tag_guids=tag_guids,
            usn=usn,
        )
        record = _record("put_note", account, usn, note=entry, new_tags=new_tags)
        record["user_id"] = user_id
        return record

    def _resolve_notebook(self, account, guid, current):
        if guid is None:
            return current["notebook_guid"] if current else account["default_notebook"]
        _check(validation.check_guid, guid, "Note.notebookGuid")
        if self._storage.notebook(account["user_id"], guid) is None:
            raise errors.not_found("Note.notebookGuid", guid)
        return guid

    def _resolve_tags(self, account, fields, current, usn):
        if fields.tag_guids is None and fields.tag_names is None:
            guids = self._storage.note_tag_guids(current["guid"]) if current else []
            return guids, []
        guids = []
        for guid in fields.tag_guids or ():
            _check(validation.check_guid, guid, "Tag.guid")
            if self._storage.tag(account["user_id"], guid) is None:
                raise errors.not_found("Tag.guid", guid)
            guids.append(guid)
        new_tags = []
        for name in fields.tag_names or ():
            guid = self._find_or_plan_tag(account, name, new_tags, usn)
            guids.append(guid)
        guids = list(dict.fromkeys(guids))
        if len(guids) > validation.EDAM_NOTE_TAGS_MAX:
            raise errors.user_error("LIMIT_REACHED", "Note.tagGuids")
        return guids, new_tags

    def _find_or_plan_tag(self, account, name, new_tags, usn):
        name = name.strip()
        _check(validation.check_tag_name, name)
        key = name.casefold()
        existing = self._storage.tag_by_name(account["user_id"], key)
        if existing is not None:
            return existing["guid"]
        for tag in new_tags:
            if tag["name"].casefold() == key:
                return tag["guid"]
        if self._storage.tag_count(account["user_id"]) + len(new_tags) >= (
            validation.EDAM_USER_TAGS_MAX
        ):
            raise errors.user_error("LIMIT_REACHED", "Tag")
        tag = {"guid": _new_guid(), "name": name, "usn": usn + len(new_tags) + 1}
        new_tags.append(tag)
        return tag["guid"]

    def _note(self, user_id, guid, with_content):
        row = self._storage.note(user_id, guid)
        attributes = dict_to_struct(Types.NoteAttributes, _json(row["attributes"]))
        return Types.Note(
            guid=row["guid"],
            title=row["title"],
            content=row["content"] if with_content else None,
            contentHash=bytes(row["content_hash"]),
            contentLength=row["content_length"],
            created=row["created"],
            updated=row["updated"],
            deleted=row["deleted"],
            active=bool(row["active"]),
            updateSequenceNum=row["usn"],
            notebookGuid=row["notebook_guid"],
            tagGuids=self._storage.note_tag_guids(guid) or None,
            attributes=attributes,
        )

    def _note_row(self, account, guid):
        _check(validation.check_guid, guid, "Note.guid")
        row = self._storage.note(account["user_id"], guid)
        if row is None:
            raise errors.not_found("Note.guid", guid)
        return row

    def _notebook_row(self, account, guid, parameter):
        _check(validation.check_guid, guid, parameter)
        row = self._storage.notebook(account["user_id"], guid)
        if row is None:
            raise errors.not_found(parameter, guid)
        return row

    # Accounts

    def _account(self, token):
        return self._account_of(self._authenticate(token))

    def _account_of(self, user_id):
        account = self._storage.account(user_id)
        if account is not None:
            return account
        with self._write_lock:
            account = self._storage.account(user_id)
            if account is None:
                self._write(self._account_record(user_id))
                account = self._storage.account(user_id)
        return account

    def _account_record(self, user_id):
        # An account comes to life on its first call to its shard, with the
        # default notebook EDAM promises every account has.
        now_ms = self._now_ms()
        notebook = {
            "guid": _new_guid(),
            "name": DEFAULT_NOTEBOOK_NAME,
            "stack": None,
            "usn": 1,
            "created": now_ms,
            "updated": now_ms,
            "default": True,
        }
        return {
            "op": "create_account",
            "user_id": user_id,
            "usn": 1,
            "full_sync_before": 0,
            "notebook": notebook,
        }

    def _authenticate(self, token):
        parsed = auth.check_token(self._signer, token)
        if parsed.shard_id != self._shard_id:
            raise auth.invalid_auth()
        return parsed.user_id

    def _now_ms(self):
        return int(self._clock() * 1000)


class _NoteFields:
    """The parts of a client's Note that a create or update may set."""

    def __init__(self, **values):
        self.title = values.get("title")
        self.content = values.get("content")
        self.notebook_guid = values.get("notebook_guid")
        self.tag_guids = values.get("tag_guids")
        self.tag_names = values.get("tag_names")
        self.attributes = values.get("attributes")
        self.active = values.get("active")
        self.created = values.get("created")
        self.updated = values.get("updated")

    @classmethod
    def from_create(cls, note):
        _check(validation.check_note_content, note.content)
        return cls._from_note(note)

    @classmethod
    def from_update(cls, note):
        return cls._from_note(note)

    @classmethod
    def _from_note(cls, note):
        _check(validation.check_note_title, note.title)
        if note.content is not None:
            _check_content(note)
        for when, parameter in (
            (note.created, "Note.created"),
            (note.updated, "Note.updated"),
        ):
            if when is not None:
                _check(validation.check_timestamp, when, parameter)
        if note.attributes is not None:
            _check_attributes(note.attributes)
        return cls(
            title=note.title,
            content=note.content,
            notebook_guid=note.notebookGuid,
            tag_guids=note.tagGuids,
            tag_names=note.tagNames,
            attributes=struct_to_dict(note.attributes) if note.attributes else None,
            active=note.active,
            created=note.created,
            updated=note.updated,
        )


def _check_content(note):
    _check(validation.check_note_content, note.content)
    try:
        document = enml.validate_enml(note.content)
    except enml.EnmlError as exc:
        raise errors.user_error("ENML_VALIDATION", str(exc)) from exc
    if note.resources:
        # Resources arrive with the full NoteStore; until then a note that
        # carries them is refused rather than stored without them.
        raise errors.user_error("UNSUPPORTED_OPERATION", "Note.resources")
    for media_hash in document.media_hashes:
        message = f'en-media hash "{media_hash}" names no resource of the note'
        raise errors.user_error("ENML_VALIDATION", message)


_ATTRIBUTE_STRINGS = (
    "author",
    "source",
    "sourceURL",
    "sourceApplication",
    "placeName",
    "lastEditedBy",
)


def _check_attributes(attributes):
    for name in _ATTRIBUTE_STRINGS:
        value = getattr(attributes, name)
        if value is not None:
            _check(validation.check_attribute_string, value, f"NoteAttributes.{name}")
    if attributes.contentClass is not None:
        _check(validation.check_content_class, attributes.contentClass)


def _merge_note(current, fields, now_ms):
    if current is None:
        base = {"attributes": {}, "active": True, "deleted": None, "created": now_ms}
    else:
        base = {
            "title": current["title"],
            "content": current["content"],
            "attributes": _json(current["attributes"]),
            "active": bool(current["active"]),
            "deleted": current["deleted"],
            "created": current["created"],
        }
    if fields.title is not None:
        base["title"] = fields.title
    if fields.content is not None:
        base["content"] = fields.content
    if fields.attributes is not None:
        base["attributes"] = fields.attributes
    if fields.created is not None:
        base["created"] = fields.created
    if fields.active is not None and fields.active != base["active"]:
        base["active"] = fields.active
        base["deleted"] = None if fields.active else now_ms
    base["updated"] = fields.updated if fields.updated is not None else now_ms
    content = base["content"]
    base["content_hash"] = hashlib.md5(content.encode("utf-8")).hexdigest()
    base["content_length"] = len(content)
    return base


def _notebook(row, account):
    return Types.Notebook(
        guid=row["guid"],
        name=row["name"],
        updateSequenceNum=row["usn"],
        defaultNotebook=row["guid"] == account["default_notebook"],
        serviceCreated=row["created"],
        serviceUpdated=row["updated"],
        stack=row["stack"],
    )


def _record(op, account, usn, **body):
    return {"op": op, "user_id": account["user_id"], "usn": usn, **body}


def _check(check, *args):
    try:
        check(*args)
    except validation.ValidationError as exc:
        raise errors.user_error(exc.code, exc.parameter) from exc


def _json(text):
    return json.loads(text)


def _new_guid():
    return str(uuid.uuid4())
