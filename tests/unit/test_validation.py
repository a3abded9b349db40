"""Unit tests for notestore.validation: EDAM limits and text rules."""

from datetime import datetime, timezone

import pytest

from notestore import validation as v
from notestore.validation import ValidationError

GUID = "0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d"
ASTRAL = "\U0001f600"  # one code point, two UTF-16 units


def _error(check, *args):
    with pytest.raises(ValidationError) as info:
        check(*args)
    return info.value


def _assert_rejected(check, value, parameter, code="BAD_DATA_FORMAT"):
    err = _error(check, value)
    assert (err.code, err.parameter) == (code, parameter)


# Character classes ---------------------------------------------------------


@pytest.mark.parametrize("ch", ["\x00", "\t", "\n", "\x1f", "\x7f", "\x85", "\x9f"])
def test_is_cc_accepts_control_characters(ch):
    assert v.is_cc(ch)


@pytest.mark.parametrize("ch", ["a", " ", "\xa0", "\u200b", "\u2028", "\ufeff"])
def test_is_cc_rejects_other_characters(ch):
    assert not v.is_cc(ch)


@pytest.mark.parametrize("ch", [" ", "\xa0", "\u1680", "\u2003", "\u3000", "\u2028"])
def test_is_z_accepts_separators(ch):
    assert v.is_z(ch)


@pytest.mark.parametrize("ch", ["\t", "\n", "\u200b", "\ufeff", "a", "_"])
def test_is_z_rejects_controls_and_format_characters(ch):
    # Java's \p{Z} holds no control characters: tab and newline are Cc.
    assert not v.is_z(ch)


def test_is_zl_and_is_zp_tell_line_from_paragraph_separators():
    assert v.is_zl("\u2028") and not v.is_zl("\u2029") and not v.is_zl(" ")
    assert v.is_zp("\u2029") and not v.is_zp("\u2028") and not v.is_zp("\n")


# ValidationError -----------------------------------------------------------


def test_validation_error_carries_code_parameter_and_message():
    err = ValidationError("LIMIT_REACHED", "Tag", "too many tags")
    assert (err.code, err.parameter, err.message) == (
        "LIMIT_REACHED",
        "Tag",
        "too many tags",
    )
    assert str(err) == "too many tags"
    assert isinstance(err, ValueError)


# GUIDs ---------------------------------------------------------------------


def test_is_guid_accepts_lowercase_guid():
    assert v.is_guid(GUID)


@pytest.mark.parametrize(
    "value",
    [
        GUID.upper(),
        GUID[:-1],
        GUID + "0",
        GUID + "\n",
        GUID.replace("-", ""),
        GUID.replace("a", "g"),
        "",
        None,
        42,
    ],
)
def test_is_guid_rejects_other_values(value):
    assert not v.is_guid(value)


def test_check_guid_uses_caller_parameter():
    v.check_guid(GUID, "Note.guid")
    _assert_rejected(lambda x: v.check_guid(x, "Tag.parentGuid"), "x", "Tag.parentGuid")
    err = _error(v.check_guid, None, "Note.guid")
    assert (err.code, err.parameter) == ("DATA_REQUIRED", "Note.guid")


# Title-shaped names --------------------------------------------------------

NAME_RULES = [
    (v.check_note_title, "Note.title", 255),
    (v.check_notebook_name, "Notebook.name", 100),
    (v.check_notebook_stack, "Notebook.stack", 100),
    (v.check_tag_name, "Tag.name", 100),
    (v.check_saved_search_name, "SavedSearch.name", 100),
]


@pytest.fixture(params=NAME_RULES, ids=lambda rule: rule[1])
def name_rule(request):
    return request.param


def test_name_limits_match_edam():
    assert v.EDAM_NOTE_TITLE_LEN_MAX == 255
    assert v.EDAM_NOTEBOOK_NAME_LEN_MAX == v.EDAM_NOTEBOOK_STACK_LEN_MAX == 100
    assert v.EDAM_TAG_NAME_LEN_MAX == v.EDAM_SAVED_SEARCH_NAME_LEN_MAX == 100


def test_name_accepts_one_and_max_characters(name_rule):
    check, _, len_max = name_rule
    check("a")
    check("a" * len_max)
    check("a" + " " * (len_max - 2) + "b")


def test_name_counts_code_points_not_utf16_units(name_rule):
    check, parameter, len_max = name_rule
    check(ASTRAL * len_max)
    _assert_rejected(check, ASTRAL * (len_max + 1), parameter)


def test_name_rejects_empty_and_too_long(name_rule):
    check, parameter, len_max = name_rule
    _assert_rejected(check, "", parameter)
    _assert_rejected(check, "a" * (len_max + 1), parameter)


def test_name_none_is_data_required(name_rule):
    check, parameter, _ = name_rule
    _assert_rejected(check, None, parameter, code="DATA_REQUIRED")


def test_name_rejects_non_string(name_rule):
    check, parameter, _ = name_rule
    _assert_rejected(check, 7, parameter)


@pytest.mark.parametrize("space", [" ", "\xa0", "\u2003", "\u3000"])
@pytest.mark.parametrize("where", ["lead", "trail"])
def test_name_rejects_space_separator_at_either_end(name_rule, space, where):
    check, parameter, _ = name_rule
    value = space + "name" if where == "lead" else "name" + space
    _assert_rejected(check, value, parameter)


@pytest.mark.parametrize("space", [" ", "\xa0", "\u3000"])
def test_name_allows_space_separators_inside(name_rule, space):
    check, _, _ = name_rule
    check(f"my{space}name")


@pytest.mark.parametrize("bad", ["\t", "\n", "\r", "\x00", "\x7f", "\x85"])
@pytest.mark.parametrize("where", ["lead", "middle", "trail"])
def test_name_rejects_control_characters_anywhere(name_rule, bad, where):
    check, parameter, _ = name_rule
    value = {"lead": bad + "ab", "middle": "a" + bad + "b", "trail": "ab" + bad}
    _assert_rejected(check, value[where], parameter)


@pytest.mark.parametrize("bad", ["\u2028", "\u2029"])
def test_name_rejects_line_and_paragraph_separators_inside(name_rule, bad):
    check, parameter, _ = name_rule
    _assert_rejected(check, "a" + bad + "b", parameter)


def test_name_allows_format_characters(name_rule):
    # Zero-width space and the BOM are Cf, which the EDAM regexes allow.
    check, _, _ = name_rule
    check("a\u200bb\ufeffc")


def test_note_title_error_names_the_field_without_echoing_it():
    err = _error(v.check_note_title, "secret plan\n")
    assert err.parameter == "Note.title"
    assert "secret" not in err.message


@pytest.mark.parametrize("name", ["a,b", ",a", "a,", ",", "a, b"])
def test_tag_name_rejects_commas(name):
    _assert_rejected(v.check_tag_name, name, "Tag.name")


@pytest.mark.parametrize(
    "check", [v.check_note_title, v.check_notebook_name, v.check_saved_search_name]
)
def test_other_names_allow_commas(check):
    check("a,b")


def test_tag_name_allows_other_punctuation():
    v.check_tag_name("a;b.c-d_e/f")


# Search queries ------------------------------------------------------------


def test_search_query_accepts_empty_and_max_length():
    v.check_search_query("")
    v.check_search_query("q" * 1024)


def test_search_query_rejects_max_plus_one():
    _assert_rejected(v.check_search_query, "q" * 1025, "SavedSearch.query")


def test_search_query_allows_edge_spaces():
    v.check_search_query("  tag:x  \u3000")


@pytest.mark.parametrize("bad", ["\t", "\n", "\x00", "\u2028", "\u2029"])
def test_search_query_rejects_controls_and_line_breaks(bad):
    _assert_rejected(v.check_search_query, "a" + bad, "SavedSearch.query")


def test_search_query_uses_caller_parameter():
    err = _error(v.check_search_query, "a\n", "NoteFilter.words")
    assert err.parameter == "NoteFilter.words"


def test_search_query_none_is_data_required():
    _assert_rejected(
        v.check_search_query, None, "SavedSearch.query", code="DATA_REQUIRED"
    )


# Note content length -------------------------------------------------------


def test_note_content_accepts_empty_and_max_length():
    assert v.EDAM_NOTE_CONTENT_LEN_MAX == 5242880
    v.check_note_content("")
    v.check_note_content("x" * v.EDAM_NOTE_CONTENT_LEN_MAX)


def test_note_content_rejects_max_plus_one():
    _assert_rejected(
        v.check_note_content, "x" * (v.EDAM_NOTE_CONTENT_LEN_MAX + 1), "Note.content"
    )


def test_note_content_none_is_data_required():
    _assert_rejected(v.check_note_content, None, "Note.content", code="DATA_REQUIRED")


# Hashes --------------------------------------------------------------------


def test_hash_accepts_16_bytes():
    v.check_hash(bytes(16), "Note.contentHash")


@pytest.mark.parametrize("value", [bytes(15), bytes(17), "0" * 16, "0" * 32])
def test_hash_rejects_other_lengths_and_hex_strings(value):
    err = _error(v.check_hash, value, "Data.bodyHash")
    assert (err.code, err.parameter) == ("BAD_DATA_FORMAT", "Data.bodyHash")


def test_hash_none_is_data_required():
    err = _error(v.check_hash, None, "Note.contentHash")
    assert err.code == "DATA_REQUIRED"


# MIME types ----------------------------------------------------------------


@pytest.mark.parametrize(
    "mime",
    [
        "a/b",
        "image/png",
        "application/vnd.evernote.ink",
        "image/svg+xml",
        "application/x-www_form.1",
        "a/" + "b" * 253,
    ],
)
def test_mime_accepts_valid_types(mime):
    v.check_mime(mime)


@pytest.mark.parametrize(
    "mime",
    [
        "",
        "ab",
        "a/",
        "/png",
        "image",
        "image/ png",
        "image/png ",
        "image/png\n",
        "image/png;charset=x",
        "im4ge/png",
        "image/pn\u00e9",
        "a/" + "b" * 254,
    ],
)
def test_mime_rejects_invalid_types(mime):
    _assert_rejected(v.check_mime, mime, "Resource.mime")


# Attribute strings ---------------------------------------------------------


def test_attribute_string_accepts_one_and_max_characters():
    v.check_attribute_string("a", "NoteAttributes.author")
    v.check_attribute_string("a" * 4096, "NoteAttributes.author")


def test_attribute_string_too_long_is_limit_reached():
    err = _error(v.check_attribute_string, "a" * 4097, "NoteAttributes.author")
    assert (err.code, err.parameter) == ("LIMIT_REACHED", "NoteAttributes.author")


def test_attribute_string_empty_is_bad_data_format():
    err = _error(v.check_attribute_string, "", "ResourceAttributes.fileName")
    assert (err.code, err.parameter) == (
        "BAD_DATA_FORMAT",
        "ResourceAttributes.fileName",
    )


def test_attribute_string_allows_edge_spaces():
    v.check_attribute_string(" John Doe\xa0", "NoteAttributes.author")


@pytest.mark.parametrize("bad", ["\t", "\n", "\x00", "\u2028", "\u2029"])
def test_attribute_string_rejects_controls_and_line_breaks(bad):
    err = _error(v.check_attribute_string, "a" + bad, "NoteAttributes.source")
    assert err.code == "BAD_DATA_FORMAT"


# Content class and application data ---------------------------------------


@pytest.mark.parametrize("value", ["abc", "evernote.hello.x", "a_b-c.d", "x" * 32])
def test_content_class_accepts_valid(value):
    v.check_content_class(value)


@pytest.mark.parametrize("value", ["", "ab", "x" * 33, "a b c", "abc\n", "abc/d"])
def test_content_class_rejects_invalid(value):
    _assert_rejected(v.check_content_class, value, "NoteAttributes.contentClass")


@pytest.mark.parametrize("key", ["abc", "my-app.key_1", "k" * 32])
def test_application_data_key_accepts_valid(key):
    v.check_application_data_key(key)


@pytest.mark.parametrize("key", ["", "ab", "k" * 33, "a b", "abc\n", "k\u00e9y"])
def test_application_data_key_rejects_invalid(key):
    _assert_rejected(
        v.check_application_data_key, key, "NoteAttributes.applicationData.key"
    )


@pytest.mark.parametrize("value", ["", " ", "x" * 4092, "a\u2028b", "\xa0"])
def test_application_data_value_accepts_valid(value):
    v.check_application_data_value(value)


@pytest.mark.parametrize("value", ["x" * 4093, "a\tb", "\n", "\x00"])
def test_application_data_value_rejects_invalid(value):
    _assert_rejected(
        v.check_application_data_value,
        value,
        "NoteAttributes.applicationData.value",
    )


def test_application_data_entry_limits_key_plus_value():
    v.check_application_data_entry("abc", "x" * 4092)
    err = _error(v.check_application_data_entry, "abcd", "x" * 4092)
    assert (err.code, err.parameter) == (
        "BAD_DATA_FORMAT",
        "NoteAttributes.applicationData.value",
    )


def test_application_data_entry_reports_key_under_matching_parameter():
    err = _error(
        v.check_application_data_entry,
        "k",
        "v",
        "ResourceAttributes.applicationData.value",
    )
    assert err.parameter == "ResourceAttributes.applicationData.key"


# Users ---------------------------------------------------------------------


@pytest.mark.parametrize("name", ["a", "0", "ab", "a_b-c9", "a" * 64])
def test_username_accepts_valid(name):
    v.check_username(name)


@pytest.mark.parametrize(
    "name", ["", "A", "Ab", "_ab", "ab_", "-ab", "ab-", "a.b", "a b", "ab\n", "a" * 65]
)
def test_username_rejects_invalid(name):
    _assert_rejected(v.check_username, name, "username")


@pytest.mark.parametrize(
    "password", ["abcdef", "p" * 64, "Aa1!#$%&'()*+,./:;<=>?@^_`{|}~[]\\-"]
)
def test_password_accepts_valid(password):
    v.check_password(password)


@pytest.mark.parametrize(
    "password", ["", "abcde", "p" * 65, "pass word", 'pass"word', "passw\u00f6rd"]
)
def test_password_rejects_invalid(password):
    _assert_rejected(v.check_password, password, "password")


def test_password_error_does_not_echo_password():
    err = _error(v.check_password, "hunter2 secret")
    assert "hunter2" not in err.message and "secret" not in err.message


@pytest.mark.parametrize("email", ["a@b.co", "first.last+tag@mail.example.org"])
def test_email_accepts_valid(email):
    v.check_email(email)


@pytest.mark.parametrize(
    "email",
    [
        "a@b.c",
        "ab.cde",
        "a@@b.co",
        "a@b@c.co",
        "a b@c.co",
        "a@bco",
        "a@b..co",
        "a@.b.co",
        "ab@c.co\x00",
        "a@b.co\n",
    ],
)
def test_email_rejects_invalid(email):
    _assert_rejected(v.check_email, email, "email")


def test_email_length_boundaries():
    domain = "@example.com"
    v.check_email("a" * (255 - len(domain)) + domain)
    _assert_rejected(v.check_email, "a" * (256 - len(domain)) + domain, "email")


# Timezones and publishing --------------------------------------------------


@pytest.mark.parametrize(
    "zone",
    ["America/Los_Angeles", "UTC", "America/Port-au-Prince", "GMT+5", "GMT-10:30"],
)
def test_timezone_accepts_valid(zone):
    v.check_timezone(zone)


@pytest.mark.parametrize(
    "zone", ["", "America/", "/UTC", "GMT+123", "GMT+5:3", "Europe/Paris\n", "x" * 33]
)
def test_timezone_rejects_invalid(zone):
    _assert_rejected(v.check_timezone, zone, "NoteFilter.timeZone")


@pytest.mark.parametrize("uri", ["my-notes", "a.b~c_d+e", ".", "x" * 255])
def test_publishing_uri_accepts_valid(uri):
    v.check_publishing_uri(uri)


@pytest.mark.parametrize("uri", ["", "..", "a b", "a/b", "x" * 256])
def test_publishing_uri_rejects_invalid(uri):
    _assert_rejected(v.check_publishing_uri, uri, "Publishing.uri")


# Timestamps ----------------------------------------------------------------


def _ms(*args):
    return int(datetime(*args, tzinfo=timezone.utc).timestamp() * 1000)


def test_timestamp_bounds_are_years_1000_to_9999():
    assert _ms(1000, 1, 1) == v.TIMESTAMP_MIN_MS
    assert _ms(9999, 12, 31, 23, 59, 59, 999000) == v.TIMESTAMP_MAX_MS


@pytest.mark.parametrize(
    "value", [v.TIMESTAMP_MIN_MS, 0, 1700000000000, v.TIMESTAMP_MAX_MS]
)
def test_timestamp_accepts_values_in_range(value):
    v.check_timestamp(value, "Note.created")


@pytest.mark.parametrize(
    "value",
    [v.TIMESTAMP_MIN_MS - 1, v.TIMESTAMP_MAX_MS + 1, True, 1.5e12, "1700000000000"],
)
def test_timestamp_rejects_out_of_range_and_non_integers(value):
    err = _error(v.check_timestamp, value, "Note.created")
    assert (err.code, err.parameter) == ("BAD_DATA_FORMAT", "Note.created")


def test_timestamp_none_is_data_required():
    err = _error(v.check_timestamp, None, "Note.updated")
    assert (err.code, err.parameter) == ("DATA_REQUIRED", "Note.updated")


# Counts --------------------------------------------------------------------


def test_account_and_note_maxima_match_edam():
    assert v.EDAM_USER_NOTEBOOKS_MAX == 250
    assert v.EDAM_USER_TAGS_MAX == 100000
    assert v.EDAM_USER_SAVED_SEARCHES_MAX == 100
    assert v.EDAM_USER_NOTES_MAX == 100000
    assert v.EDAM_NOTE_TAGS_MAX == 100
    assert v.EDAM_NOTE_RESOURCES_MAX == 1000
    assert v.EDAM_ATTRIBUTE_LEN_MAX == 4096


@pytest.mark.parametrize(
    ("maximum", "parameter"),
    [
        (v.EDAM_USER_NOTEBOOKS_MAX, "Notebook"),
        (v.EDAM_NOTE_TAGS_MAX, "Note.tagGuids"),
        (v.EDAM_NOTE_RESOURCES_MAX, "Note.resources"),
    ],
)
def test_limit_allows_maximum_and_refuses_one_more(maximum, parameter):
    v.check_limit(maximum, maximum, parameter)
    err = _error(v.check_limit, maximum + 1, maximum, parameter)
    assert (err.code, err.parameter) == ("LIMIT_REACHED", parameter)
