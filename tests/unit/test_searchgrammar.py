"""Unit tests for notestore.searchgrammar: parsing only, no database."""

from datetime import datetime, timedelta, timezone

import pytest

from notestore.searchgrammar import (
    AbsoluteDate,
    BoolTerm,
    DateTerm,
    Encryption,
    NotebookScope,
    NumberTerm,
    Query,
    RelativeDate,
    StringTerm,
    TagTerm,
    Text,
    Todo,
    parse_query,
    split_words,
    time_zone,
)

pytestmark = pytest.mark.timeout(30)

UTC = timezone.utc


def ms(*args, tz=UTC):
    return int(datetime(*args, tzinfo=tz).timestamp() * 1000)


def terms(text):
    return parse_query(text).terms


def one(text):
    query = parse_query(text)
    assert len(query.terms) == 1, query
    return query.terms[0]


# Text terms


def test_empty_and_none_are_the_empty_query():
    assert parse_query("") == Query()
    assert parse_query(None) == Query()
    assert parse_query("   \t ") == Query()


def test_words_are_separate_terms():
    assert terms("Sweet potato") == (Text(("Sweet",)), Text(("potato",)))
    assert parse_query("Sweet potato").searched_words == ("sweet", "potato")


def test_punctuation_separates_words_into_terms():
    assert terms("eggs&ham.") == (Text(("eggs",)), Text(("ham",)))
    assert terms("(one),two;") == (Text(("one",)), Text(("two",)))


def test_underscore_and_digits_are_word_characters():
    assert terms("snake_case r2d2") == (Text(("snake_case",)), Text(("r2d2",)))


def test_unicode_letters_and_marks_stay_in_the_word():
    assert terms("नमस्ते café") == (Text(("नमस्ते",)), Text(("café",)))
    assert terms("cafe\u0301") == (Text(("cafe\u0301",)),)
    # A run of CJK characters without spaces is one word.
    assert terms("東京都") == (Text(("東京都",)),)
    assert split_words("a-b c_d, e") == ["a", "b", "c_d", "e"]


def test_trailing_star_is_a_prefix():
    assert one("Ever*") == Text(("Ever",), prefix=True)
    assert parse_query("Ever*").searched_words == ("ever*",)


def test_star_elsewhere_is_punctuation():
    assert terms("*ever") == (Text(("ever",)),)
    assert terms("ev*er") == (Text(("ev",), prefix=True), Text(("er",)))


def test_quoted_phrase():
    assert one('"San Francisco"') == Text(("San", "Francisco"))
    assert one('"Spatula! City! For Bargains..."') == Text(
        ("Spatula", "City", "For", "Bargains")
    )


def test_quoted_phrase_escapes_and_unclosed_quote():
    assert one(r'"say \"hi\" now"') == Text(("say", "hi", "now"))
    assert one('"open ended') == Text(("open", "ended"))


def test_star_at_the_end_of_a_phrase_makes_its_last_word_a_prefix():
    assert one('"san fran*"') == Text(("san", "fran"), prefix=True)
    assert one('"san fran *"') == Text(("san", "fran"))


def test_leading_minus_negates():
    assert one("-potato") == Text(("potato",), negated=True)
    assert one('-"sweet potato"') == Text(("sweet", "potato"), negated=True)
    assert terms("a -b") == (Text(("a",)), Text(("b",), negated=True))


def test_minus_inside_a_word_is_punctuation():
    assert terms("e-mail") == (Text(("e",)), Text(("mail",)))


def test_minus_after_punctuation_negates():
    assert terms("(-foo)") == (Text(("foo",), negated=True),)
    assert terms("--foo") == (Text(("foo",), negated=True),)


# any: and notebook:


def test_any_makes_the_following_terms_alternatives():
    query = parse_query("any: potato tag:food")
    assert query.terms == ()
    assert query.any_terms == (Text(("potato",)), TagTerm("food"))


def test_terms_before_any_stay_required():
    query = parse_query("pie any: sweet savory")
    assert query.terms == (Text(("pie",)),)
    assert query.any_terms == (Text(("sweet",)), Text(("savory",)))


def test_notebook_scope():
    assert parse_query("notebook:Work").scopes == (NotebookScope("work"),)
    query = parse_query('notebook:"My Notes" potato')
    assert query.scopes == (NotebookScope("my notes"),)
    assert query.terms == (Text(("potato",)),)


def test_notebook_scope_is_never_an_alternative():
    query = parse_query("any: a notebook:Work b")
    assert query.scopes == (NotebookScope("work"),)
    assert query.any_terms == (Text(("a",)), Text(("b",)))


def test_negated_notebook_excludes():
    assert parse_query("-notebook:Trashy").scopes == (NotebookScope("trashy", True),)


def test_empty_notebook_is_stopped():
    query = parse_query("notebook: potato")
    assert query.scopes == ()
    assert query.stopped_words == ("notebook:",)


# Labels


def test_tag():
    assert one("tag:Food") == TagTerm("food")
    assert one('tag:"Sweet Things"') == TagTerm("sweet things")
    assert one("tag:foo*") == TagTerm("foo", prefix=True)
    assert one("tag:*") == TagTerm(None)
    assert one("-tag:*") == TagTerm(None, negated=True)
    assert one("-tag:food") == TagTerm("food", negated=True)


def test_runs_of_spaces_in_values_are_one_space():
    assert one('tag:"Sweet   Things"') == TagTerm("sweet things")
    assert one('tag:"Sweet \u00a0 Th*"') == TagTerm("sweet th", prefix=True)
    assert one('author:"Jane  Doe"') == StringTerm("author", "jane doe")
    scopes = parse_query('notebook:"My   Notes"').scopes
    assert scopes == (NotebookScope("my notes"),)


def test_intitle():
    assert one("intitle:potato") == Text(("potato",), title_only=True)
    assert one('intitle:"sweet potato"') == Text(("sweet", "potato"), title_only=True)
    assert one("intitle:pot*") == Text(("pot",), prefix=True, title_only=True)
    assert one("-intitle:pie") == Text(("pie",), title_only=True, negated=True)
    assert parse_query("intitle:pot*").searched_words == ("pot*",)


@pytest.mark.parametrize("label", ["created", "updated"])
def test_absolute_dates(label):
    assert one(f"{label}:20240131") == DateTerm(label, AbsoluteDate(2024, 1, 31))
    assert one(f"{label}:20240131T235958") == DateTerm(
        label, AbsoluteDate(2024, 1, 31, 23, 59, 58)
    )
    assert one(f"-{label}:20240131T235958Z") == DateTerm(
        label, AbsoluteDate(2024, 1, 31, 23, 59, 58, utc=True), negated=True
    )


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("day", RelativeDate("day")),
        ("day-1", RelativeDate("day", -1)),
        ("week+2", RelativeDate("week", 2)),
        ("Month-3", RelativeDate("month", -3)),
        ("year", RelativeDate("year")),
    ],
)
def test_relative_dates(value, expected):
    assert one(f"created:{value}") == DateTerm("created", expected)


def test_star_date_means_set():
    assert one("created:*") == DateTerm("created", None)
    assert one("-reminderTime:*") == DateTerm("reminderTime", None, negated=True)


@pytest.mark.parametrize(
    "value", ["2024", "20241301", "20240230", "20240101T250000", "yesterday", "day-"]
)
def test_bad_dates_are_stopped(value):
    query = parse_query(f"created:{value} potato")
    assert query.terms == (Text(("potato",)),)
    assert query.stopped_words == (f"created:{value}",)


@pytest.mark.parametrize(
    "label", ["subjectDate", "reminderTime", "reminderDoneTime", "shareDate"]
)
def test_attribute_dates(label):
    assert one(f"{label}:day+1") == DateTerm(label, RelativeDate("day", 1))


def test_resource_mime():
    assert one("resource:image/jpeg") == StringTerm("resource", "image/jpeg")
    assert one("resource:image/*") == StringTerm("resource", "image/", prefix=True)
    assert one("resource:application/PDF") == StringTerm("resource", "application/pdf")
    assert one("-resource:*") == StringTerm("resource", None, negated=True)


@pytest.mark.parametrize(
    ("value", "checked"), [("true", True), ("false", False), ("*", None)]
)
def test_todo(value, checked):
    assert one(f"todo:{value}") == Todo(checked)
    assert one(f"-todo:{value}") == Todo(checked, negated=True)


def test_bad_todo_is_stopped():
    assert parse_query("todo:maybe").stopped_words == ("todo:maybe",)


def test_encryption():
    assert one("encryption:") == Encryption()
    assert one("-encryption:") == Encryption(negated=True)


@pytest.mark.parametrize("label", ["latitude", "longitude", "altitude"])
def test_numbers(label):
    assert one(f"{label}:37.5") == NumberTerm(label, 37.5)
    assert one(f"-{label}:-12") == NumberTerm(label, -12.0, negated=True)
    assert one(f"{label}:*") == NumberTerm(label, None)
    assert parse_query(f"{label}:north").stopped_words == (f"{label}:north",)


def test_reminder_order():
    assert one("reminderOrder:*") == NumberTerm("reminderOrder", None)
    assert one("-reminderOrder:*") == NumberTerm("reminderOrder", None, negated=True)
    assert one("reminderOrder:5") == NumberTerm("reminderOrder", 5.0)


@pytest.mark.parametrize(
    "label",
    [
        "author",
        "source",
        "sourceURL",
        "sourceApplication",
        "placeName",
        "contentClass",
        "lastEditedBy",
        "applicationData",
        "fileName",
        "recoType",
        "cameraMake",
        "cameraModel",
    ],
)
def test_attribute_strings(label):
    assert one(f"{label}:Mobile.Android") == StringTerm(label, "mobile.android")
    assert one(f"{label}:mobile.*") == StringTerm(label, "mobile.", prefix=True)
    assert one(f'{label}:"Two Words"') == StringTerm(label, "two words")
    assert one(f"-{label}:*") == StringTerm(label, None, negated=True)


@pytest.mark.parametrize("label", ["attachment", "clientWillIndex"])
def test_resource_flags(label):
    assert one(f"{label}:true") == BoolTerm(label, True)
    assert one(f"{label}:false") == BoolTerm(label, False)
    assert one(f"{label}:*") == BoolTerm(label, None)


def test_labels_are_case_insensitive():
    assert one("TAG:x") == TagTerm("x")
    assert one("InTitle:y") == Text(("y",), title_only=True)
    assert one("REMINDERORDER:*") == NumberTerm("reminderOrder", None)


def test_unknown_label_is_plain_text():
    assert one("http://example.com/a") == Text(("http", "example", "com", "a"))
    assert one("-foo:bar") == Text(("foo", "bar"), negated=True)
    assert one("12:30") == Text(("12", "30"))
    assert one("note:") == Text(("note",))


# searchedWords and stoppedWords


def test_stopped_words_are_pieces_without_words():
    query = parse_query('* && - "" potato -')
    assert query.terms == (Text(("potato",)),)
    assert query.stopped_words == ("*", "&&", "-", '""')
    assert query.searched_words == ("potato",)


def test_searched_words_are_lowercase_and_unique():
    query = parse_query('Potato "sweet POTATO" -potato intitle:Sweet')
    assert query.searched_words == ("potato", "sweet")


def test_modifiers_are_not_searched_words():
    query = parse_query("tag:food created:day todo:true")
    assert query.searched_words == ()
    assert query.stopped_words == ()


# Resolving dates

# 2024-03-13 was a Wednesday; US daylight saving time began on 2024-03-10.
NOW_MS = ms(2024, 3, 13, 15, 30)
LOS_ANGELES = time_zone("America/Los_Angeles")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (RelativeDate("day"), ms(2024, 3, 13)),
        (RelativeDate("day", -1), ms(2024, 3, 12)),
        (RelativeDate("week"), ms(2024, 3, 11)),
        (RelativeDate("week", -1), ms(2024, 3, 4)),
        (RelativeDate("month"), ms(2024, 3, 1)),
        (RelativeDate("month", -3), ms(2023, 12, 1)),
        (RelativeDate("month", 10), ms(2025, 1, 1)),
        (RelativeDate("year"), ms(2024, 1, 1)),
        (RelativeDate("year", -2), ms(2022, 1, 1)),
    ],
)
def test_relative_dates_in_utc(value, expected):
    assert value.resolve_ms(UTC, NOW_MS) == expected


def test_relative_dates_follow_the_time_zone_and_its_offset_changes():
    # 15:30 UTC is 08:30 in Los Angeles (PDT, UTC-7) on March 13th.
    day = RelativeDate("day").resolve_ms(LOS_ANGELES, NOW_MS)
    assert day == ms(2024, 3, 13, 7)
    # Midnight before the change to daylight saving time was UTC-8.
    week_ago = RelativeDate("day", -7).resolve_ms(LOS_ANGELES, NOW_MS)
    assert week_ago == ms(2024, 3, 6, 8)


def test_relative_date_near_midnight_depends_on_the_zone():
    now_ms = ms(2024, 3, 13, 3, 0)  # still March 12th in Los Angeles
    assert RelativeDate("day").resolve_ms(UTC, now_ms) == ms(2024, 3, 13)
    assert RelativeDate("day").resolve_ms(LOS_ANGELES, now_ms) == ms(2024, 3, 12, 7)


def test_absolute_dates_are_local_unless_z():
    local = AbsoluteDate(2024, 1, 15)
    assert local.resolve_ms(LOS_ANGELES, NOW_MS) == ms(2024, 1, 15, 8)
    assert local.resolve_ms(UTC, NOW_MS) == ms(2024, 1, 15)
    utc = AbsoluteDate(2024, 1, 15, 12, 0, 0, utc=True)
    assert utc.resolve_ms(LOS_ANGELES, NOW_MS) == ms(2024, 1, 15, 12)


def test_dates_beyond_the_calendar_resolve_to_the_extremes():
    early = RelativeDate("year", -999_999).resolve_ms(UTC, NOW_MS)
    late = RelativeDate("month", 999_999).resolve_ms(UTC, NOW_MS)
    assert early < ms(1000, 1, 1) and late > ms(9999, 12, 31)


@pytest.mark.parametrize(
    ("name", "offset"),
    [
        ("GMT+3", timedelta(hours=3)),
        ("GMT-05:30", -timedelta(hours=5, minutes=30)),
        ("GMT+0", timedelta(0)),
    ],
)
def test_gmt_offsets_count_east(name, offset):
    assert time_zone(name).utcoffset(None) == offset


@pytest.mark.parametrize(
    "name", [None, "", "Mars/Olympus", "zone.tab", "../etc/passwd", "GMT+99"]
)
def test_unknown_time_zones_are_utc(name):
    assert time_zone(name).utcoffset(datetime(2024, 7, 1)) == timedelta(0)
