"""A client's Note and Resources, checked and reduced to what a write sets.

Everything that can be checked without the account's state is checked
here, before the write lock is taken: lengths, patterns, ENML, resource
bodies and their hashes. The codes and parameters are EDAM's (facts.md §5
and §7); note that EDAM names a too-long attribute ``"NoteAttribute.x"``
(LIMIT_REACHED) but a malformed one ``"NoteAttributes.x"``.
"""

import hashlib

from notestore import enml, errors, validation
from notestore.notes.base import check

__all__ = ["NoteInput", "ResourceInput", "check_app_data_entry", "parse_resources"]

_NOTE_STRINGS = (
    "author",
    "source",
    "sourceURL",
    "sourceApplication",
    "placeName",
    "lastEditedBy",
)
_NOTE_TIMES = ("subjectDate", "shareDate", "reminderTime", "reminderDoneTime")
_RESOURCE_STRINGS = ("sourceURL", "cameraMake", "cameraModel", "recoType", "fileName")


class NoteInput:
    """The fields of a client's Note that a create or update may set.

    None means "not sent": on an update, unchanged.
    """

    def __init__(self, note, content_required):
        if note is None:
            raise errors.user_error("DATA_REQUIRED", "Note")
        check(validation.check_note_title, note.title)
        self.title = note.title
        self.content = note.content
        self.document = None
        if note.content is not None or content_required:
            self.document = parse_content(note.content)
        _check_times(note)
        self.created, self.updated = note.created, note.updated
        self.deleted, self.active = note.deleted, note.active
        self.notebook_guid = note.notebookGuid
        self.tag_guids = note.tagGuids
        self.tag_names = note.tagNames
        if note.attributes is not None:
            check_note_attributes(note.attributes)
        self.attributes = note.attributes
        self.resources = None
        if note.resources is not None:
            self.resources = parse_resources(note.resources)


def _check_times(note):
    for name in ("created", "updated", "deleted"):
        value = getattr(note, name)
        if value is not None:
            check(validation.check_timestamp, value, f"Note.{name}")


def parse_content(content):
    """Check ENML length and markup; return the `enml.EnmlDocument`."""
    check(validation.check_note_content, content)
    try:
        return enml.validate_enml(content)
    except enml.EnmlError as exc:
        raise errors.user_error("ENML_VALIDATION", str(exc)) from exc


def check_note_attributes(attributes):
    for name in _NOTE_STRINGS:
        _check_attribute(getattr(attributes, name), "Note", name)
    for name in _NOTE_TIMES:
        value = getattr(attributes, name)
        if value is not None:
            check(validation.check_timestamp, value, f"NoteAttributes.{name}")
    if attributes.contentClass is not None:
        check(validation.check_content_class, attributes.contentClass)
    _check_app_data(attributes.applicationData, "Note")
    _check_map_size(attributes.classifications, "NoteAttribute.classifications")


def check_resource_attributes(attributes):
    for name in _RESOURCE_STRINGS:
        _check_attribute(getattr(attributes, name), "Resource", name)
    if attributes.timestamp is not None:
        check(
            validation.check_timestamp,
            attributes.timestamp,
            "ResourceAttributes.timestamp",
        )
    _check_app_data(attributes.applicationData, "Resource")


def _check_attribute(value, kind, name):
    if value is None:
        return
    try:
        validation.check_attribute_string(value, f"{kind}Attributes.{name}")
    except validation.ValidationError as exc:
        parameter = exc.parameter
        if exc.code == validation.LIMIT_REACHED:
            parameter = f"{kind}Attribute.{name}"
        raise errors.user_error(exc.code, parameter) from exc


def _check_app_data(app_data, kind):
    if app_data is None or app_data.fullMap is None:
        return
    _check_map_size(app_data.fullMap, f"{kind}Attribute.applicationData")
    for key, value in app_data.fullMap.items():
        check_app_data_entry(kind, key, value)


def check_app_data_entry(kind, key, value):
    parameter = f"{kind}Attributes.applicationData.value"
    check(validation.check_application_data_entry, key, value, parameter)


def _check_map_size(entries, parameter):
    if entries is not None:
        check(
            validation.check_limit,
            len(entries),
            validation.EDAM_ATTRIBUTE_MAP_MAX,
            parameter,
        )


class ResourceInput:
    """One client Resource: metadata, and the bodies it carries.

    ``body`` is None for a resource the client names by ``guid`` or by
    ``body_hash`` alone (an existing resource of the note);
    ``recognition`` and ``alternate`` are None when not sent.
    """

    def __init__(self, resource):
        self.guid = resource.guid
        check(validation.check_mime, resource.mime)
        self.mime = resource.mime
        self.width, self.height = resource.width, resource.height
        self.duration = resource.duration
        if resource.attributes is not None:
            check_resource_attributes(resource.attributes)
        self.attributes = resource.attributes
        self.body, self.body_hash = _data_body(resource.data)
        self.recognition = _extra_body(resource.recognition)
        self.alternate = _extra_body(resource.alternateData)


def parse_resources(resources):
    check(
        validation.check_limit,
        len(resources),
        validation.EDAM_NOTE_RESOURCES_MAX,
        "Note.resources",
    )
    return [ResourceInput(resource) for resource in resources]


def _data_body(data):
    if data is None or (data.body is None and data.bodyHash is None):
        raise errors.user_error("DATA_REQUIRED", "Resource.data")
    if data.body is None:
        check(validation.check_hash, data.bodyHash, "Resource.data.bodyHash")
        return None, bytes(data.bodyHash)
    body = bytes(data.body)
    check(
        validation.check_limit,
        len(body),
        validation.EDAM_RESOURCE_SIZE_MAX_FREE,
        "Resource.data.size",
    )
    body_hash = hashlib.md5(body).digest()
    if data.bodyHash is not None and bytes(data.bodyHash) != body_hash:
        raise errors.user_error("BAD_DATA_FORMAT", "Resource.data.bodyHash")
    return body, body_hash


def _extra_body(data):
    if data is None or data.body is None:
        return None
    return bytes(data.body)
