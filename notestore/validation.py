"""Checks of EDAM field values against the rules in Limits.thrift.

Each ``check_*`` function returns None for an acceptable value and raises
ValidationError otherwise. The error carries the EDAM error code name and the
``"Type.field"`` parameter that the service layer puts into an
EDAMUserException. None counts as a missing value (DATA_REQUIRED): callers
skip optional fields that are unset rather than passing None.

EDAM writes its text rules as Java regexes with ``\\p{Cc}`` and ``\\p{Z}``
classes, which Python's ``re`` lacks; the ``is_*`` predicates below give the
same classes through ``unicodedata``. Lengths count code points, as Java's
regex engine does for supplementary characters.

Error messages never echo the offending value: they end up in logs and some
fields (passwords, queries) are private.
"""

import logging
import re
import unicodedata
from typing import NoReturn

log = logging.getLogger(__name__)

# EDAMErrorCode names (Errors.thrift) used by these checks.
BAD_DATA_FORMAT = "BAD_DATA_FORMAT"
DATA_REQUIRED = "DATA_REQUIRED"
LIMIT_REACHED = "LIMIT_REACHED"
ENML_VALIDATION = "ENML_VALIDATION"

# Limits.thrift, API 1.25. Lengths are in characters unless the name says bytes.
EDAM_GUID_LEN_MIN = 36
EDAM_GUID_LEN_MAX = 36
EDAM_NOTE_TITLE_LEN_MIN = 1
EDAM_NOTE_TITLE_LEN_MAX = 255
EDAM_NOTEBOOK_NAME_LEN_MIN = 1
EDAM_NOTEBOOK_NAME_LEN_MAX = 100
EDAM_NOTEBOOK_STACK_LEN_MIN = 1
EDAM_NOTEBOOK_STACK_LEN_MAX = 100
EDAM_TAG_NAME_LEN_MIN = 1
EDAM_TAG_NAME_LEN_MAX = 100
EDAM_SAVED_SEARCH_NAME_LEN_MIN = 1
EDAM_SAVED_SEARCH_NAME_LEN_MAX = 100
EDAM_SEARCH_QUERY_LEN_MIN = 0
EDAM_SEARCH_QUERY_LEN_MAX = 1024
EDAM_NOTE_CONTENT_LEN_MIN = 0
EDAM_NOTE_CONTENT_LEN_MAX = 5242880
EDAM_HASH_LEN = 16
EDAM_MIME_LEN_MIN = 3
EDAM_MIME_LEN_MAX = 255
EDAM_ATTRIBUTE_LEN_MIN = 1
EDAM_ATTRIBUTE_LEN_MAX = 4096
EDAM_ATTRIBUTE_LIST_MAX = 100
EDAM_ATTRIBUTE_MAP_MAX = 100
EDAM_APPLICATIONDATA_NAME_LEN_MIN = 3
EDAM_APPLICATIONDATA_NAME_LEN_MAX = 32
EDAM_APPLICATIONDATA_VALUE_LEN_MIN = 0
EDAM_APPLICATIONDATA_VALUE_LEN_MAX = 4092
EDAM_APPLICATIONDATA_ENTRY_LEN_MAX = 4095
EDAM_NOTE_CONTENT_CLASS_LEN_MIN = 3
EDAM_NOTE_CONTENT_CLASS_LEN_MAX = 32
EDAM_USER_USERNAME_LEN_MIN = 1
EDAM_USER_USERNAME_LEN_MAX = 64
EDAM_USER_NAME_LEN_MIN = 1
EDAM_USER_NAME_LEN_MAX = 255
EDAM_USER_PASSWORD_LEN_MIN = 6
EDAM_USER_PASSWORD_LEN_MAX = 64
EDAM_EMAIL_LEN_MIN = 6
EDAM_EMAIL_LEN_MAX = 255
EDAM_TIMEZONE_LEN_MIN = 1
EDAM_TIMEZONE_LEN_MAX = 32
EDAM_PUBLISHING_URI_LEN_MIN = 1
EDAM_PUBLISHING_URI_LEN_MAX = 255
EDAM_PUBLISHING_URI_PROHIBITED = frozenset({".."})
EDAM_PUBLISHING_DESCRIPTION_LEN_MIN = 1
EDAM_PUBLISHING_DESCRIPTION_LEN_MAX = 200

EDAM_NOTE_TAGS_MAX = 100
EDAM_NOTE_RESOURCES_MAX = 1000
EDAM_USER_TAGS_MAX = 100000
EDAM_BUSINESS_TAGS_MAX = 100000
EDAM_USER_SAVED_SEARCHES_MAX = 100
EDAM_USER_NOTES_MAX = 100000
EDAM_BUSINESS_NOTES_MAX = 500000
EDAM_USER_NOTEBOOKS_MAX = 250
EDAM_BUSINESS_NOTEBOOKS_MAX = 5000
EDAM_USER_LINKED_NOTEBOOK_MAX = 100
EDAM_USER_LINKED_NOTEBOOK_MAX_PREMIUM = 250
EDAM_NOTE_SIZE_MAX_FREE = 26214400
EDAM_NOTE_SIZE_MAX_PREMIUM = 104857600
EDAM_RESOURCE_SIZE_MAX_FREE = 26214400
EDAM_RESOURCE_SIZE_MAX_PREMIUM = 104857600
EDAM_USER_UPLOAD_LIMIT_FREE = 62914560
EDAM_USER_UPLOAD_LIMIT_PREMIUM = 1073741824
EDAM_USER_UPLOAD_LIMIT_BUSINESS = 2147483647

# The ASCII-only EDAM regexes, without anchors: they are applied with
# re.fullmatch, because "$" would also accept a trailing newline.
EDAM_GUID_REGEX = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
EDAM_MIME_REGEX = "[A-Za-z]+/[A-Za-z0-9._+-]+"
EDAM_APPLICATIONDATA_NAME_REGEX = "[A-Za-z0-9_.-]{3,32}"
EDAM_NOTE_CONTENT_CLASS_REGEX = "[A-Za-z0-9_.-]{3,32}"
EDAM_USER_USERNAME_REGEX = "[a-z0-9]([a-z0-9_-]{0,62}[a-z0-9])?"
EDAM_USER_PASSWORD_REGEX = r"[A-Za-z0-9!#$%&'()*+,./:;<=>?@^_`{|}~\[\]\\-]{6,64}"
EDAM_TIMEZONE_REGEX = r"[A-Za-z_-]+(/[A-Za-z_-]+)*|GMT[-+][0-9]{1,2}(:[0-9]{2})?"
EDAM_PUBLISHING_URI_REGEX = "[a-zA-Z0-9.~_+-]{1,255}"

# Not an EDAM regex: a loose shape check, the real proof is a delivered mail.
_EMAIL_SHAPE = re.compile(r"[^@\s]+@[^@\s.]+(\.[^@\s.]+)+")

_GUID = re.compile(EDAM_GUID_REGEX)
_MIME = re.compile(EDAM_MIME_REGEX)
_APPLICATIONDATA_NAME = re.compile(EDAM_APPLICATIONDATA_NAME_REGEX)
_NOTE_CONTENT_CLASS = re.compile(EDAM_NOTE_CONTENT_CLASS_REGEX)
_USERNAME = re.compile(EDAM_USER_USERNAME_REGEX)
_PASSWORD = re.compile(EDAM_USER_PASSWORD_REGEX)
_TIMEZONE = re.compile(EDAM_TIMEZONE_REGEX)
_PUBLISHING_URI = re.compile(EDAM_PUBLISHING_URI_REGEX)

# Timestamps are ms since the epoch, limited to years 1000-9999 (UTC):
# 1000-01-01T00:00:00.000Z and 9999-12-31T23:59:59.999Z.
TIMESTAMP_MIN_MS = -30610224000000
TIMESTAMP_MAX_MS = 253402300799999

# Java's \p{Z} is the union of the three separator categories.
_Z = frozenset({"Zs", "Zl", "Zp"})
# Banned anywhere in names and attribute strings: [^\p{Cc}\p{Zl}\p{Zp}].
_CC_ZL_ZP = frozenset({"Cc", "Zl", "Zp"})
_CC = frozenset({"Cc"})


class ValidationError(ValueError):
    """A value broke an EDAM rule.

    ``code`` is an EDAMErrorCode name such as ``"BAD_DATA_FORMAT"`` and
    ``parameter`` the ``"Type.field"`` string; the service layer turns both
    into ``EDAMUserException(errorCode, parameter)``. ``message`` is for logs.
    """

    def __init__(self, code: str, parameter: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.parameter = parameter
        self.message = message


def is_cc(ch: str) -> bool:
    """Return whether ``ch`` is in Java's ``\\p{Cc}`` (a control character)."""
    return unicodedata.category(ch) == "Cc"


def is_z(ch: str) -> bool:
    """Return whether ``ch`` is in Java's ``\\p{Z}`` (any separator)."""
    return unicodedata.category(ch) in _Z


def is_zl(ch: str) -> bool:
    """Return whether ``ch`` is in Java's ``\\p{Zl}`` (a line separator)."""
    return unicodedata.category(ch) == "Zl"


def is_zp(ch: str) -> bool:
    """Return whether ``ch`` is in Java's ``\\p{Zp}`` (a paragraph separator)."""
    return unicodedata.category(ch) == "Zp"


def is_guid(value: object) -> bool:
    """Return whether ``value`` is a string of EDAM GUID form."""
    return isinstance(value, str) and _GUID.fullmatch(value) is not None


def check_guid(value: object, parameter: str) -> None:
    """Raise ValidationError unless ``value`` is an EDAM GUID."""
    _require_text(value, parameter)
    if not is_guid(value):
        _reject(parameter, "must be a lowercase 8-4-4-4-12 hex GUID")


def check_note_title(title: object) -> None:
    """Raise ValidationError ("Note.title") unless ``title`` is a valid title."""
    _check_name(title, "Note.title", EDAM_NOTE_TITLE_LEN_MAX)


def check_notebook_name(name: object) -> None:
    """Raise ValidationError ("Notebook.name") unless ``name`` is valid."""
    _check_name(name, "Notebook.name", EDAM_NOTEBOOK_NAME_LEN_MAX)


def check_notebook_stack(stack: object) -> None:
    """Raise ValidationError ("Notebook.stack") unless ``stack`` is valid."""
    _check_name(stack, "Notebook.stack", EDAM_NOTEBOOK_STACK_LEN_MAX)


def check_tag_name(name: object) -> None:
    """Raise ValidationError ("Tag.name") unless ``name`` is valid.

    Tag names follow the title shape and also ban commas, which clients use
    to separate tags when a user types several at once.
    """
    _check_name(name, "Tag.name", EDAM_TAG_NAME_LEN_MAX, banned_chars=",")


def check_saved_search_name(name: object) -> None:
    """Raise ValidationError ("SavedSearch.name") unless ``name`` is valid."""
    _check_name(name, "SavedSearch.name", EDAM_SAVED_SEARCH_NAME_LEN_MAX)


def check_search_query(query: object, parameter: str = "SavedSearch.query") -> None:
    """Raise ValidationError unless ``query`` is a valid search string.

    Pass ``parameter="NoteFilter.words"`` when checking a filter.
    """
    _require_text(query, parameter)
    _check_length(
        query, parameter, EDAM_SEARCH_QUERY_LEN_MIN, EDAM_SEARCH_QUERY_LEN_MAX
    )
    _check_categories(query, parameter, _CC_ZL_ZP)


def check_note_content(content: object) -> None:
    """Raise ValidationError ("Note.content") unless the ENML length is valid.

    Only the length is checked here; notestore.enml checks the markup. Run
    this first so that oversized content is refused before it is parsed.
    """
    _require_text(content, "Note.content")
    _check_length(
        content,
        "Note.content",
        EDAM_NOTE_CONTENT_LEN_MIN,
        EDAM_NOTE_CONTENT_LEN_MAX,
    )


def check_hash(value: object, parameter: str) -> None:
    """Raise ValidationError unless ``value`` is a binary MD5 (16 bytes)."""
    if value is None:
        _require(parameter)
    if not isinstance(value, bytes) or len(value) != EDAM_HASH_LEN:
        _reject(parameter, f"must be {EDAM_HASH_LEN} bytes")


def check_mime(mime: object, parameter: str = "Resource.mime") -> None:
    """Raise ValidationError ("Resource.mime") unless ``mime`` is a MIME type."""
    _require_text(mime, parameter)
    _check_length(mime, parameter, EDAM_MIME_LEN_MIN, EDAM_MIME_LEN_MAX)
    _check_pattern(mime, parameter, _MIME)


def check_attribute_string(value: object, parameter: str) -> None:
    """Raise ValidationError unless ``value`` is a valid attribute string.

    ``parameter`` names the field, e.g. ``"NoteAttributes.author"``. A string
    that is too long raises LIMIT_REACHED, as the IDL documents for
    createNote; an empty or malformed one raises BAD_DATA_FORMAT.
    """
    _require_text(value, parameter)
    if len(value) > EDAM_ATTRIBUTE_LEN_MAX:
        raise ValidationError(
            LIMIT_REACHED,
            parameter,
            f"{parameter} is longer than {EDAM_ATTRIBUTE_LEN_MAX} characters",
        )
    _check_length(value, parameter, EDAM_ATTRIBUTE_LEN_MIN, EDAM_ATTRIBUTE_LEN_MAX)
    _check_categories(value, parameter, _CC_ZL_ZP)


def check_content_class(
    value: object, parameter: str = "NoteAttributes.contentClass"
) -> None:
    """Raise ValidationError unless ``value`` is a valid note content class."""
    _require_text(value, parameter)
    _check_pattern(value, parameter, _NOTE_CONTENT_CLASS)


def check_application_data_key(
    key: object, parameter: str = "NoteAttributes.applicationData.key"
) -> None:
    """Raise ValidationError unless ``key`` is a valid applicationData key."""
    _require_text(key, parameter)
    _check_pattern(key, parameter, _APPLICATIONDATA_NAME)


def check_application_data_value(
    value: object, parameter: str = "NoteAttributes.applicationData.value"
) -> None:
    """Raise ValidationError unless ``value`` is a valid applicationData value.

    This is the 1.25 rule: any character but a control character. (1.29 also
    admits whitespace controls such as tab and newline.)
    """
    _require_text(value, parameter)
    _check_length(
        value,
        parameter,
        EDAM_APPLICATIONDATA_VALUE_LEN_MIN,
        EDAM_APPLICATIONDATA_VALUE_LEN_MAX,
    )
    _check_categories(value, parameter, _CC)


def check_application_data_entry(
    key: object,
    value: object,
    parameter: str = "NoteAttributes.applicationData.value",
) -> None:
    """Check an applicationData key and value and their combined length."""
    check_application_data_key(key, parameter.rsplit(".", 1)[0] + ".key")
    check_application_data_value(value, parameter)
    if len(key) + len(value) > EDAM_APPLICATIONDATA_ENTRY_LEN_MAX:
        _reject(
            parameter,
            f"key and value exceed {EDAM_APPLICATIONDATA_ENTRY_LEN_MAX} characters",
        )


def check_username(username: object, parameter: str = "username") -> None:
    """Raise ValidationError unless ``username`` matches EDAM's username rule."""
    _require_text(username, parameter)
    _check_length(
        username, parameter, EDAM_USER_USERNAME_LEN_MIN, EDAM_USER_USERNAME_LEN_MAX
    )
    _check_pattern(username, parameter, _USERNAME)


def check_password(password: object, parameter: str = "password") -> None:
    """Raise ValidationError unless ``password`` is 6-64 allowed ASCII chars.

    The message names the rule only; the password never reaches an error.
    """
    _require_text(password, parameter)
    _check_length(
        password, parameter, EDAM_USER_PASSWORD_LEN_MIN, EDAM_USER_PASSWORD_LEN_MAX
    )
    _check_pattern(password, parameter, _PASSWORD)


def check_email(email: object, parameter: str = "email") -> None:
    """Raise ValidationError unless ``email`` looks like ``local@domain.tld``."""
    _require_text(email, parameter)
    _check_length(email, parameter, EDAM_EMAIL_LEN_MIN, EDAM_EMAIL_LEN_MAX)
    _check_categories(email, parameter, _CC)
    _check_pattern(email, parameter, _EMAIL_SHAPE)


def check_timezone(value: object, parameter: str = "NoteFilter.timeZone") -> None:
    """Raise ValidationError unless ``value`` is ``Area/City`` or ``GMT+h[:mm]``."""
    _require_text(value, parameter)
    _check_length(value, parameter, EDAM_TIMEZONE_LEN_MIN, EDAM_TIMEZONE_LEN_MAX)
    _check_pattern(value, parameter, _TIMEZONE)


def check_publishing_uri(value: object, parameter: str = "Publishing.uri") -> None:
    """Raise ValidationError unless ``value`` is a usable public notebook URI."""
    _require_text(value, parameter)
    _check_pattern(value, parameter, _PUBLISHING_URI)
    if value in EDAM_PUBLISHING_URI_PROHIBITED:
        _reject(parameter, "is a reserved value")


def check_publishing_description(
    value: object, parameter: str = "Publishing.publicDescription"
) -> None:
    """Raise ValidationError unless ``value`` is a valid public description."""
    _check_name(value, parameter, EDAM_PUBLISHING_DESCRIPTION_LEN_MAX)


def check_timestamp(value: object, parameter: str) -> None:
    """Raise ValidationError unless ``value`` is ms in the years 1000-9999."""
    if value is None:
        _require(parameter)
    # bool is an int subclass; True is not a timestamp.
    if not isinstance(value, int) or isinstance(value, bool):
        _reject(parameter, "must be an integer count of milliseconds")
    if not TIMESTAMP_MIN_MS <= value <= TIMESTAMP_MAX_MS:
        _reject(parameter, "must fall in the years 1000 to 9999")


def check_limit(count: int, maximum: int, parameter: str) -> None:
    """Raise LIMIT_REACHED for ``parameter`` when ``count`` exceeds ``maximum``.

    Pass the count the operation would leave behind, e.g. the number of tags
    on the note after the update, or the account's notebooks plus one.
    """
    if count > maximum:
        raise ValidationError(
            LIMIT_REACHED, parameter, f"{parameter}: {count} exceeds {maximum}"
        )


def _check_name(
    value: object, parameter: str, len_max: int, banned_chars: str = ""
) -> None:
    # The title-shaped EDAM regexes: no Cc, Zl or Zp anywhere, no separator of
    # any kind at either end, between 1 and len_max characters.
    _require_text(value, parameter)
    _check_length(value, parameter, 1, len_max)
    _check_categories(value, parameter, _CC_ZL_ZP, banned_chars)
    if is_z(value[0]) or is_z(value[-1]):
        _reject(parameter, "must not start or end with a space")


def _check_categories(
    value: str, parameter: str, categories: frozenset, banned_chars: str = ""
) -> None:
    for ch in value:
        if ch in banned_chars or unicodedata.category(ch) in categories:
            _reject(parameter, f"must not contain U+{ord(ch):04X}")


def _check_length(value: str, parameter: str, len_min: int, len_max: int) -> None:
    if not len_min <= len(value) <= len_max:
        _reject(
            parameter,
            f"must be {len_min} to {len_max} characters long, not {len(value)}",
        )


def _check_pattern(value: str, parameter: str, pattern: re.Pattern) -> None:
    if pattern.fullmatch(value) is None:
        _reject(parameter, "has an invalid format")


def _require_text(value: object, parameter: str) -> None:
    if value is None:
        _require(parameter)
    if not isinstance(value, str):
        _reject(parameter, "must be a string")


def _require(parameter: str) -> NoReturn:
    raise ValidationError(DATA_REQUIRED, parameter, f"{parameter} is required")


def _reject(parameter: str, reason: str) -> NoReturn:
    raise ValidationError(BAD_DATA_FORMAT, parameter, f"{parameter} {reason}")
