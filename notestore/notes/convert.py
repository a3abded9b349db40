"""Stored rows to EDAM structs, and the stored form of attribute maps.

``applicationData`` (a LazyMap on NoteAttributes and ResourceAttributes) is
stored as its full map. It goes out as ``keysOnly`` unless the call asks
for values, as EDAM's getNote and sync do.
"""

import json

from notestore.edam import Types
from notestore.records import dict_to_struct, struct_to_dict

__all__ = [
    "attributes_dict",
    "data",
    "lazy_map",
    "note",
    "note_attributes",
    "notebook",
    "resource",
    "resource_attributes",
    "search",
    "snapshot",
    "tag",
]


def notebook(row, default_guid):
    published = row["published"]
    return Types.Notebook(
        guid=row["guid"],
        name=row["name"],
        updateSequenceNum=row["usn"],
        defaultNotebook=row["guid"] == default_guid,
        serviceCreated=row["created"],
        serviceUpdated=row["updated"],
        stack=row["stack"],
        published=bool(published) if published is not None else None,
        publishing=_publishing(row) if published is not None else None,
    )


def _publishing(row):
    ascending = row["ascending"]
    return Types.Publishing(
        uri=row["uri"],
        order=row["sort_order"],
        ascending=bool(ascending) if ascending is not None else None,
        publicDescription=row["description"],
    )


def tag(row):
    return Types.Tag(
        guid=row["guid"],
        name=row["name"],
        parentGuid=row["parent_guid"],
        updateSequenceNum=row["usn"],
    )


def search(row):
    scope = json.loads(row["scope"]) if row["scope"] else None
    return Types.SavedSearch(
        guid=row["guid"],
        name=row["name"],
        query=row["query"],
        # EDAM ignores the format a client sends; every query is USER.
        format=Types.QueryFormat.USER,
        updateSequenceNum=row["usn"],
        scope=dict_to_struct(Types.SavedSearchScope, scope) if scope else None,
    )


def note(row, tag_guids, resources=None, content=None, attributes=None):
    """A Note from a ``notes`` row (with or without its content column).

    ``attributes`` is the NoteAttributes to send (None leaves them out);
    ``resources`` the Resource structs, already built.
    """
    return Types.Note(
        guid=row["guid"],
        title=row["title"],
        content=content,
        contentHash=bytes(row["content_hash"]),
        contentLength=row["content_length"],
        created=row["created"],
        updated=row["updated"],
        deleted=row["deleted"],
        active=bool(row["active"]),
        updateSequenceNum=row["usn"],
        notebookGuid=row["notebook_guid"],
        tagGuids=tag_guids or None,
        resources=resources or None,
        attributes=attributes,
    )


def note_attributes(stored, full_map=False):
    """NoteAttributes from the stored dict (or its JSON text)."""
    return _attributes(Types.NoteAttributes, stored, full_map)


def resource_attributes(stored, full_map=False):
    return _attributes(Types.ResourceAttributes, stored, full_map)


def _attributes(cls, stored, full_map):
    if isinstance(stored, str):
        stored = json.loads(stored)
    values = dict(stored)
    app_data = values.pop("applicationData", None)
    attributes = dict_to_struct(cls, values)
    attributes.applicationData = lazy_map(app_data, full_map)
    return attributes


def lazy_map(stored, full_map):
    """The LazyMap for a stored applicationData (None when it is empty)."""
    entries = (stored or {}).get("fullMap") or {}
    if not entries:
        return None
    if full_map:
        return Types.LazyMap(keysOnly=set(entries), fullMap=dict(entries))
    return Types.LazyMap(keysOnly=set(entries))


def attributes_dict(attributes, stored_app_data=None):
    """The stored form of client attributes.

    ``applicationData`` changes only through its ``fullMap``; a client that
    sends ``keysOnly`` (what it was given) or nothing keeps the stored map.
    """
    values = struct_to_dict(attributes)
    values.pop("applicationData", None)
    app_data = attributes.applicationData
    if app_data is not None and app_data.fullMap is not None:
        entries = dict(app_data.fullMap)
    else:
        entries = (stored_app_data or {}).get("fullMap") or {}
    if entries:
        values["applicationData"] = {"fullMap": entries}
    return values


def snapshot(text):
    """A stored note version: the note's fields, tags and resources."""
    values = json.loads(text)
    values["content_hash"] = bytes.fromhex(values["content_hash"])
    values["resources"] = [_hashes_from_hex(r) for r in values["resources"]]
    return values


def _hashes_from_hex(values):
    values = dict(values)
    for key in ("body_hash", "recognition_hash", "alternate_hash"):
        if values.get(key) is not None:
            values[key] = bytes.fromhex(values[key])
    return values


def resource(row, bodies=None, attributes=True, full_map=False):
    """A Resource from a ``resources`` metadata row.

    ``bodies`` is a row of the asked-for body columns (``body``,
    ``recognition``, ``alternate``) or None: bodies go out only when asked.
    """
    bodies = dict(bodies) if bodies is not None else {}
    return Types.Resource(
        guid=row["guid"],
        noteGuid=row["note_guid"],
        data=data(row["body_hash"], row["body_size"], bodies.get("body")),
        mime=row["mime"],
        width=row["width"],
        height=row["height"],
        duration=row["duration"],
        active=True,
        recognition=data(
            row["recognition_hash"], row["recognition_size"], bodies.get("recognition")
        ),
        alternateData=data(
            row["alternate_hash"], row["alternate_size"], bodies.get("alternate")
        ),
        attributes=(
            resource_attributes(row["attributes"], full_map) if attributes else None
        ),
        updateSequenceNum=row["usn"],
    )


def data(body_hash, size, body=None):
    if body_hash is None:
        return None
    return Types.Data(
        bodyHash=bytes(body_hash),
        size=size,
        body=bytes(body) if body is not None else None,
    )
