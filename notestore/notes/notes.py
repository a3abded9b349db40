"""Writing notes: create, update, trash, expunge, copy.

A note write is one ``put_note`` record. USNs within it go in this order:
tags that ``tagNames`` creates, then each new or changed resource, then the
note itself, so a syncing client never meets a GUID it has not seen.
"""

import base64
import hashlib
import json

from notestore import enml, errors, validation
from notestore.notes import convert
from notestore.notes.base import check, check_guid, new_guid, record
from notestore.notes.noteinput import NoteInput

__all__ = ["NOTE_VERSIONS_KEPT", "NotesMixin"]

# Previous versions kept per note; EDAM leaves retention to the service.
NOTE_VERSIONS_KEPT = 50


class NotesMixin:
    def createNote(self, authenticationToken, note):
        user_id = self._authenticate(authenticationToken)
        fields = NoteInput(note, content_required=True)
        with self._write_lock:
            account = self._account_of(user_id)
            self._check_note_limit(account)
            change = self._note_record(account, fields, None)
            self._write(change)
        return self._note_metadata(account, change["note"]["guid"])

    def updateNote(self, authenticationToken, note):
        user_id = self._authenticate(authenticationToken)
        if note is None:
            raise errors.user_error("DATA_REQUIRED", "Note")
        check_guid(note.guid, "Note.guid")
        fields = NoteInput(note, content_required=False)
        with self._write_lock:
            account = self._account_of(user_id)
            current = self._note_row(account, note.guid)
            self._write(self._note_record(account, fields, current))
        return self._note_metadata(account, note.guid)

    def deleteNote(self, authenticationToken, guid):
        user_id = self._authenticate(authenticationToken)
        with self._write_lock:
            account = self._account_of(user_id)
            current = self._note_row(account, guid, content=False)
            if not current["active"]:
                raise errors.user_error("DATA_CONFLICT", "Note.guid")
            usn = account["update_count"] + 1
            entry = self._row_entry(current, usn)
            entry.update(active=False, deleted=self._now_ms())
            self._write(record("put_note", account, usn, note=entry))
        return usn

    def expungeNote(self, authenticationToken, guid):
        return self.expungeNotes(authenticationToken, [guid])

    def expungeNotes(self, authenticationToken, noteGuids):
        """Expunge every note or none; returns the account's update count."""
        user_id = self._authenticate(authenticationToken)
        with self._write_lock:
            account = self._account_of(user_id)
            guids = list(dict.fromkeys(noteGuids or ()))
            for guid in guids:
                self._note_row(account, guid, content=False)
            return self._expunge_notes(account, guids)

    def expungeInactiveNotes(self, authenticationToken):
        user_id = self._authenticate(authenticationToken)
        with self._write_lock:
            account = self._account_of(user_id)
            guids = self._storage.inactive_notes(user_id)
            self._expunge_notes(account, guids)
        return len(guids)

    def _expunge_notes(self, account, guids):
        usn = account["update_count"]
        if not guids:
            return usn
        notes = [[guid, usn + i] for i, guid in enumerate(guids, 1)]
        usn += len(notes)
        self._write(record("expunge_notes", account, usn, notes=notes))
        return usn

    def copyNote(self, authenticationToken, noteGuid, toNotebookGuid):
        user_id = self._authenticate(authenticationToken)
        with self._write_lock:
            account = self._account_of(user_id)
            source = self._note_row(account, noteGuid)
            self._notebook_row(account, toNotebookGuid)
            self._check_note_limit(account)
            change = self._copy_record(account, source, toNotebookGuid)
            self._write(change)
        return self._note_metadata(account, change["note"]["guid"])

    def _copy_record(self, account, source, notebook_guid):
        usn = account["update_count"]
        stored = self._storage.note_resources(source["guid"])
        resources = []
        for row in stored:
            usn += 1
            resources.append([row["guid"], new_guid(), usn])
        usn += 1
        note = {"guid": new_guid(), "notebook_guid": notebook_guid, "usn": usn}
        change = record(
            "copy_note",
            account,
            usn,
            source=source["guid"],
            note=note,
            resources=resources,
        )
        # A copy is a new upload of everything the note holds.
        size = _note_size(source["content"], [_stored_sizes(row) for row in stored])
        return self._with_upload(change, size)

    def _check_note_limit(self, account):
        count = self._storage.note_count
        if self._at_limit(account, count, validation.EDAM_USER_NOTES_MAX):
            raise errors.user_error("LIMIT_REACHED", "Note")

    # The put_note record

    def _note_record(self, account, fields, current):
        """Resolve a create (``current`` None) or an update into a record."""
        usn = account["update_count"]
        notebook_guid = self._note_notebook(account, fields.notebook_guid, current)
        tag_guids, new_tags = self._resolve_tags(account, fields, current, usn)
        usn += len(new_tags)
        stored = self._storage.note_resources(current["guid"]) if current else []
        resources, usn = _plan_resources(fields.resources, stored, usn)
        _check_media_and_size(fields, current, resources, stored)
        now_ms = self._now_ms()
        entry = _merge_note(current, fields, now_ms)
        entry.update(
            guid=current["guid"] if current else new_guid(),
            notebook_guid=notebook_guid,
            tag_guids=tag_guids,
            usn=usn + 1,
        )
        body = {"note": entry, "new_tags": new_tags}
        if resources is not None:
            body["resources"] = resources
        if current is not None and _text_changed(current, fields):
            body["version"] = {"saved": now_ms, "keep": NOTE_VERSIONS_KEPT}
        change = record("put_note", account, usn + 1, **body)
        return self._with_upload(change, _uploaded_size(fields, current, resources))

    def _note_notebook(self, account, guid, current):
        if guid is None:
            return current["notebook_guid"] if current else account["default_notebook"]
        check_guid(guid, "Note.notebookGuid")
        if self._storage.notebook(account["user_id"], guid) is None:
            raise errors.not_found("Note.notebookGuid", guid)
        return guid

    def _resolve_tags(self, account, fields, current, usn):
        if fields.tag_guids is None and fields.tag_names is None:
            guids = self._storage.note_tag_guids(current["guid"]) if current else []
            return guids, []
        guids = []
        for guid in fields.tag_guids or ():
            check_guid(guid, "Tag.guid")
            if self._storage.tag(account["user_id"], guid) is None:
                raise errors.not_found("Tag.guid", guid)
            guids.append(guid)
        new_tags = []
        for name in fields.tag_names or ():
            guids.append(self._find_or_plan_tag(account, name, new_tags, usn))
        guids = list(dict.fromkeys(guids))
        if len(guids) > validation.EDAM_NOTE_TAGS_MAX:
            raise errors.user_error("LIMIT_REACHED", "Note.tagGuids")
        return guids, new_tags

    def _find_or_plan_tag(self, account, name, new_tags, usn):
        name = name.strip() if isinstance(name, str) else name
        check(validation.check_tag_name, name)
        key = name.casefold()
        existing = self._storage.tag_by_name(account["user_id"], key)
        if existing is not None:
            return existing["guid"]
        for tag in new_tags:
            if tag["name"].casefold() == key:
                return tag["guid"]
        count, maximum = self._storage.tag_count, validation.EDAM_USER_TAGS_MAX
        if self._at_limit(account, count, maximum, len(new_tags)):
            raise errors.user_error("LIMIT_REACHED", "Tag")
        tag = {"guid": new_guid(), "name": name, "usn": usn + len(new_tags) + 1}
        new_tags.append(tag)
        return tag["guid"]

    def _row_entry(self, row, usn):
        """A put_note entry that leaves the note as ``row`` has it."""
        return {
            "guid": row["guid"],
            "notebook_guid": row["notebook_guid"],
            "title": row["title"],
            "created": row["created"],
            "updated": row["updated"],
            "deleted": row["deleted"],
            "active": bool(row["active"]),
            "attributes": json.loads(row["attributes"]),
            "tag_guids": self._storage.note_tag_guids(row["guid"]),
            "usn": usn,
        }


def _merge_note(current, fields, now_ms):
    if current is None:
        base = {"attributes": {}, "active": True, "deleted": None, "created": now_ms}
    else:
        base = {
            "attributes": json.loads(current["attributes"]),
            "active": bool(current["active"]),
            "deleted": current["deleted"],
            "created": current["created"],
        }
    base["title"] = fields.title
    if fields.content is not None:
        base.update(_content_fields(fields.content))
    if fields.attributes is not None:
        stored = base["attributes"].get("applicationData")
        base["attributes"] = convert.attributes_dict(fields.attributes, stored)
    if fields.created is not None:
        base["created"] = fields.created
    _merge_trash_state(base, fields, now_ms)
    base["updated"] = fields.updated if fields.updated is not None else now_ms
    return base


def _merge_trash_state(base, fields, now_ms):
    if fields.active is not None and fields.active != base["active"]:
        base["active"] = fields.active
        base["deleted"] = None if fields.active else now_ms
    if fields.deleted is not None:
        if base["active"]:
            raise errors.user_error("DATA_CONFLICT", "Note.deleted")
        base["deleted"] = fields.deleted


def _content_fields(content):
    return {
        "content": content,
        "content_hash": hashlib.md5(content.encode("utf-8")).hexdigest(),
        "content_length": len(content),
    }


def _text_changed(current, fields):
    if fields.title != current["title"]:
        return True
    return fields.content is not None and fields.content != current["content"]


# Resources of a note write


def _plan_resources(inputs, stored, usn):
    """Turn the client's resources into record entries, numbering changes.

    Returns (entries or None when the note's resources are unchanged, the
    last USN used). A resource the client names by GUID, or by body hash
    alone, is one the note already has: it keeps its GUID and body.
    """
    if inputs is None:
        return None, usn
    by_guid = {row["guid"]: row for row in stored}
    by_hash = {bytes(row["body_hash"]): row for row in stored}
    used, entries = set(), []
    for item in inputs:
        row = _match_resource(item, by_guid, by_hash, used)
        entry = _resource_entry(item, row)
        if row is None or _resource_changed(entry, row):
            usn += 1
            entry["usn"] = usn
        else:
            entry["usn"] = row["usn"]
        entries.append(entry)
    return entries, usn


def _match_resource(item, by_guid, by_hash, used):
    row = by_guid.get(item.guid)
    if row is None and item.body is None:
        row = by_hash.get(item.body_hash)
    if row is not None and row["guid"] not in used:
        used.add(row["guid"])
        return row
    if item.body is None:
        raise errors.user_error("DATA_REQUIRED", "Resource.data")
    return None


def _resource_entry(item, row):
    entry = {
        "guid": row["guid"] if row is not None else new_guid(),
        "mime": item.mime,
        "width": item.width,
        "height": item.height,
        "duration": item.duration,
        "attributes": _resource_attributes(item, row),
    }
    new_body = item.body is not None and (
        row is None or bytes(row["body_hash"]) != item.body_hash
    )
    if new_body:
        entry.update(_body_fields("body", item.body))
    else:
        entry.update(
            body_hash=bytes(row["body_hash"]).hex(), body_size=row["body_size"]
        )
    for key in ("recognition", "alternate"):
        entry.update(_extra_fields(key, getattr(item, key), row, new_body))
    return entry


def _resource_attributes(item, row):
    stored = json.loads(row["attributes"]) if row is not None else {}
    if item.attributes is None:
        return stored
    return convert.attributes_dict(item.attributes, stored.get("applicationData"))


def _body_fields(key, body):
    prefix = "body" if key == "body" else key
    return {
        f"{prefix}_hash": hashlib.md5(body).hexdigest(),
        f"{prefix}_size": len(body),
        key: base64.b64encode(body).decode("ascii"),
    }


def _extra_fields(key, body, row, new_body):
    if body is not None:
        return _body_fields(key, body)
    if new_body or row is None:
        # A new body makes the old recognition and alternate data stale.
        return {f"{key}_hash": None, f"{key}_size": None, key: None}
    stored_hash = row[f"{key}_hash"]
    return {
        f"{key}_hash": bytes(stored_hash).hex() if stored_hash is not None else None,
        f"{key}_size": row[f"{key}_size"],
    }


def _resource_changed(entry, row):
    if any(key in entry for key in ("body", "recognition", "alternate")):
        return True
    fields = ("mime", "width", "height", "duration")
    if any(entry[key] != row[key] for key in fields):
        return True
    return entry["attributes"] != json.loads(row["attributes"])


def _check_media_and_size(fields, current, resources, stored):
    """Every en-media names a resource of the note; the note fits the limit."""
    content = fields.content if fields.content is not None else current["content"]
    if resources is None:
        resources = [_stored_sizes(row) for row in stored]
    document = fields.document
    if document is None and fields.resources is not None:
        document = enml.validate_enml(content)
    if document is not None:
        _check_media(document, resources)
    size = _note_size(content, resources)
    check(validation.check_limit, size, validation.EDAM_NOTE_SIZE_MAX_FREE, "Note.size")


_BODIES = ("body", "recognition", "alternate")


def _note_size(content, resources):
    """The note's size as EDAM limits it: its ENML and every body."""
    return len(content.encode("utf-8")) + sum(
        (entry.get(f"{key}_size") or 0) for entry in resources for key in _BODIES
    )


def _uploaded_size(fields, current, resources):
    """What a note write uploads: its ENML when new or changed, and every
    body it brings that the shard did not hold."""
    size = 0
    if fields.content is not None and (
        current is None or fields.content != current["content"]
    ):
        size += len(fields.content.encode("utf-8"))
    for entry in resources or ():
        size += sum(entry[f"{key}_size"] or 0 for key in _BODIES if key in entry)
    return size


def _stored_sizes(row):
    return {
        "body_hash": bytes(row["body_hash"]).hex(),
        "body_size": row["body_size"],
        "recognition_size": row["recognition_size"],
        "alternate_size": row["alternate_size"],
    }


def _check_media(document, resources):
    hashes = {entry["body_hash"] for entry in resources}
    for media_hash in document.media_hashes:
        if media_hash not in hashes:
            message = f'en-media hash "{media_hash}" names no resource of the note'
            raise errors.user_error("ENML_VALIDATION", message)
