"""Evernote's search grammar: the text of NoteFilter.words and SavedSearch.query.

`parse_query` turns a query into a `Query`: the notebook scopes, the terms
every note must match, the ``any:`` terms of which a note must match one,
and the words that were searched and ignored (``searchedWords`` and
``stoppedWords`` of NotesMetadataList). Parsing is pure and never fails:
dates stay unresolved (`AbsoluteDate`, `RelativeDate`) until the executor
calls their ``resolve_ms`` with the filter's time zone (`time_zone`) and
the current time.

The grammar is Evernote's public EBNF. Where it is silent or unhelpful:

- A word character is a Unicode letter, number or mark, or ``_``. Marks
  are not in the EBNF; without them words of Devanagari, Thai or
  decomposed accents would fall apart. The full-text tokenizer of
  ``shard.search`` uses the same classes, so query and index agree.
- ``-`` negates the term it starts unless it follows a word character;
  inside a word (``e-mail``) it is punctuation, like ``&`` or ``,``.
  Punctuation separates terms: ``eggs&ham`` is the two terms ``eggs ham``.
- Labels are case-insensitive. An unknown label turns the whole term into a
  phrase: ``http://example.com`` is the phrase "http example com".
- A known label whose value has the wrong format is ignored and reported
  in stopped words, as is a piece of the query with no word in it (``*``,
  ``&``, ``""``).
- ``any:`` makes the terms after it alternatives; terms before it stay
  required. ``notebook:`` may appear anywhere, is never an alternative, and
  ``-notebook:`` excludes a notebook.
- A trailing ``*`` inside quotes (``"san fran*"``) makes the phrase's last
  word a prefix.
- Names and attribute strings compare as `string_key` has them: case
  folded, and each run of whitespace one space, as the grammar says of
  every string match.
"""

import calendar
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = [
    "AbsoluteDate",
    "BoolTerm",
    "DateTerm",
    "Encryption",
    "NotebookScope",
    "NumberTerm",
    "Query",
    "RelativeDate",
    "StringTerm",
    "TagTerm",
    "Text",
    "Todo",
    "is_word_char",
    "parse_query",
    "split_words",
    "string_key",
    "time_zone",
]

UTC = timezone.utc


@dataclass(frozen=True)
class Text:
    """Words that must appear in this order in the note's text.

    One word is a plain word search, several a phrase. ``prefix`` makes the
    last word match any word it starts. ``title_only`` is ``intitle:``.
    """

    words: tuple[str, ...]
    prefix: bool = False
    title_only: bool = False
    negated: bool = False


@dataclass(frozen=True)
class TagTerm:
    """``tag:``: ``name_key`` is a `string_key`; None means any tag (``tag:*``)."""

    name_key: str | None
    prefix: bool = False
    negated: bool = False


@dataclass(frozen=True)
class DateTerm:
    """A time at or after ``value``; ``-`` means strictly before.

    ``field`` is ``created``, ``updated`` or a NoteAttributes or
    ResourceAttributes timestamp name. ``value`` None is ``*``: the field
    is set.
    """

    field: str
    value: "AbsoluteDate | RelativeDate | None"
    negated: bool = False


@dataclass(frozen=True)
class NumberTerm:
    """An attribute number at least ``value`` (None: the attribute is set)."""

    field: str
    value: float | None
    negated: bool = False


@dataclass(frozen=True)
class StringTerm:
    """An attribute string equal to ``value_key``, a `string_key`.

    ``field`` ``resource`` is a resource's MIME type and ``applicationData``
    an application data key. With ``prefix`` the value only has to start
    with ``value_key``; None means the attribute is set.
    """

    field: str
    value_key: str | None
    prefix: bool = False
    negated: bool = False


@dataclass(frozen=True)
class BoolTerm:
    """A resource attribute flag; ``value`` None means the flag is set."""

    field: str
    value: bool | None
    negated: bool = False


@dataclass(frozen=True)
class Todo:
    """``todo:``: a checked (True), unchecked (False) or any (None) to-do."""

    checked: bool | None
    negated: bool = False


@dataclass(frozen=True)
class Encryption:
    """``encryption:``: the note holds encrypted text."""

    negated: bool = False


@dataclass(frozen=True)
class NotebookScope:
    """``notebook:``: the note is (or, negated, is not) in this notebook."""

    name_key: str
    negated: bool = False


@dataclass(frozen=True)
class Query:
    """A parsed query.

    A note matches when it is inside every scope, matches every one of
    ``terms`` and, if ``any_terms`` is not empty, at least one of them.
    """

    scopes: tuple[NotebookScope, ...] = ()
    terms: tuple = ()
    any_terms: tuple = ()
    searched_words: tuple[str, ...] = ()
    stopped_words: tuple[str, ...] = ()


@dataclass(frozen=True)
class AbsoluteDate:
    """``YYYYMMDD[THHMMSS[Z]]``; without ``Z`` it is local time."""

    year: int
    month: int
    day: int
    hour: int = 0
    minute: int = 0
    second: int = 0
    utc: bool = False

    def resolve_ms(self, zone, now_ms):
        """Return the time in ms since the epoch; ``now_ms`` is unused."""
        when = datetime(
            self.year,
            self.month,
            self.day,
            self.hour,
            self.minute,
            self.second,
            tzinfo=UTC if self.utc else zone,
        )
        try:
            return int(when.timestamp() * 1000)
        except (OverflowError, ValueError):
            # Year 1 west of Greenwich: before every timestamp there is.
            return _MIN_MS


@dataclass(frozen=True)
class RelativeDate:
    """``day``, ``week``, ``month`` or ``year``, then ``+N`` or ``-N``.

    The start of the current day, week (Monday, as ISO 8601 has it), month
    or year in the filter's time zone, moved by ``offset`` of those units.
    """

    unit: str
    offset: int = 0

    def resolve_ms(self, zone, now_ms):
        """Return the time in ms since the epoch, seen from ``now_ms``."""
        now = datetime.fromtimestamp(now_ms / 1000, zone)
        day = now.replace(hour=0, minute=0, second=0, microsecond=0, fold=0)
        try:
            start = _RELATIVE_STARTS[self.unit](day, self.offset)
            return int(start.timestamp() * 1000)
        except (OverflowError, ValueError):
            # Before year 1 or after 9999: outside every timestamp there is.
            return _MAX_MS if self.offset > 0 else _MIN_MS


def _start_of_day(day, offset):
    return day + timedelta(days=offset)


def _start_of_week(day, offset):
    return day - timedelta(days=day.weekday()) + timedelta(weeks=offset)


def _start_of_month(day, offset):
    year, month = divmod(day.year * 12 + day.month - 1 + offset, 12)
    return day.replace(year=year, month=month + 1, day=1)


def _start_of_year(day, offset):
    return day.replace(year=day.year + offset, month=1, day=1)


_RELATIVE_STARTS = {
    "day": _start_of_day,
    "week": _start_of_week,
    "month": _start_of_month,
    "year": _start_of_year,
}

# Far outside EDAM's timestamps (years 1000 to 9999).
_MIN_MS = -(2**62)
_MAX_MS = 2**62


def time_zone(name):
    """Return the tzinfo for a NoteFilter.timeZone; UTC when unknown.

    Accepts IANA names (``America/Los_Angeles``) and EDAM's ``GMT+h[:mm]``
    form, which counts east of Greenwich (unlike POSIX's ``Etc/GMT-h``).
    An unknown or malformed name is UTC rather than an error: the filter's
    other criteria still apply, and relative dates are off by hours at most.
    """
    if not name:
        return UTC
    offset = _GMT_OFFSET.fullmatch(name)
    if offset:
        return _fixed_zone(offset)
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


_GMT_OFFSET = re.compile(r"GMT([-+])([0-9]{1,2})(?::([0-9]{2}))?")


def _fixed_zone(match):
    sign = -1 if match.group(1) == "-" else 1
    minutes = int(match.group(2)) * 60 + int(match.group(3) or 0)
    if minutes >= 24 * 60:
        return UTC
    return timezone(sign * timedelta(minutes=minutes))


def parse_query(text):
    """Parse a search query; never raises. None or "" is the empty query."""
    parser = _Parser(text or "")
    parser.run()
    return parser.query()


def is_word_char(ch):
    """Return whether ``ch`` belongs to a word (letter, number, mark, ``_``)."""
    return ch == "_" or unicodedata.category(ch)[0] in "LNM"


def split_words(text):
    """Return the words of ``text`` in order, punctuation dropped."""
    words, pos = [], 0
    while pos < len(text):
        end = _word_end(text, pos)
        if end > pos:
            words.append(text[pos:end])
            pos = end
        else:
            pos += 1
    return words


def string_key(text):
    """Return ``text`` as string matches compare it: case folded, each run of
    whitespace one space. The index keeps attribute strings this way."""
    return _SPACES.sub(" ", text).casefold()


_SPACES = re.compile(r"\s+")


def _word_end(text, pos):
    while pos < len(text) and is_word_char(text[pos]):
        pos += 1
    return pos


class _Parser:
    """One pass over the query, left to right.

    The query is read in chunks between whitespace. A chunk holds zero or
    more terms (``eggs&ham`` holds two); a chunk that yields nothing is a
    stopped word. Quoted text may hold whitespace and stays in its chunk.
    """

    def __init__(self, text):
        self._text = text
        self._pos = 0
        self._scopes = []
        self._terms = []
        self._any_terms = []
        self._in_any = False
        self._searched = {}
        self._stopped = []
        self._chunk_start = None
        self._chunk_used = False

    def run(self):
        while self._pos < len(self._text):
            if self._text[self._pos].isspace():
                self._end_chunk()
                self._pos += 1
                continue
            if self._chunk_start is None:
                self._chunk_start = self._pos
            self._read_term()
        self._end_chunk()

    def query(self):
        return Query(
            scopes=tuple(self._scopes),
            terms=tuple(self._terms),
            any_terms=tuple(self._any_terms),
            searched_words=tuple(self._searched),
            stopped_words=tuple(dict.fromkeys(self._stopped)),
        )

    def _end_chunk(self):
        if self._chunk_start is not None and not self._chunk_used:
            self._stopped.append(self._text[self._chunk_start : self._pos])
        self._chunk_start = None
        self._chunk_used = False

    def _read_term(self):
        text, start = self._text, self._pos
        negated = text[start] == "-" and not (
            start > 0 and is_word_char(text[start - 1])
        )
        pos = start + 1 if negated else start
        if pos < len(text) and text[pos] == '"':
            value, self._pos = _read_quoted(text, pos)
            self._add(_text_term(value, negated=negated), start)
            return
        end = _word_end(text, pos)
        if end == pos:
            self._pos = start + 1  # punctuation, or a '-' that negates nothing
        elif end < len(text) and text[end] == ":":
            value, self._pos = _read_value(text, end + 1)
            self._add_expression(text[pos:end], value, negated, start)
        else:
            prefix = text.startswith("*", end)
            self._pos = end + 1 if prefix else end
            term = Text((text[pos:end],), prefix=prefix, negated=negated)
            self._add(term, start)

    def _add_expression(self, label, value, negated, start):
        kind, field = _LABELS.get(label.casefold(), (None, None))
        if kind is None:
            # An unknown label: the whole term is plain text.
            term = _text_term(f"{label} {value}", negated=negated)
            self._add(term, start)
        elif kind == "any":
            self._in_any = True
            self._chunk_used = True
        elif kind == "notebook":
            self._add_scope(value, negated, start)
        else:
            term = _EXPRESSIONS[kind](field, value.strip(), negated)
            self._add(term, start)

    def _add_scope(self, value, negated, start):
        name = value.strip()
        if not name:
            self._stop(start)
            return
        self._scopes.append(NotebookScope(string_key(name), negated))
        self._chunk_used = True

    def _add(self, term, start):
        if term is None:
            self._stop(start)
            return
        if isinstance(term, Text):
            self._note_searched(term)
        (self._any_terms if self._in_any else self._terms).append(term)
        self._chunk_used = True

    def _note_searched(self, term):
        words = [word.lower() for word in term.words]
        if term.prefix:
            words[-1] += "*"
        self._searched.update(dict.fromkeys(words))

    def _stop(self, start):
        self._stopped.append(self._text[start : self._pos])
        self._chunk_used = True


def _read_quoted(text, pos):
    """Read the quoted string at ``pos``; ``\\"`` is a quote. Unclosed: to the end."""
    out = []
    pos += 1
    while pos < len(text):
        if text.startswith('\\"', pos):
            out.append('"')
            pos += 2
        elif text[pos] == '"':
            return "".join(out), pos + 1
        else:
            out.append(text[pos])
            pos += 1
    return "".join(out), pos


def _read_value(text, pos):
    if text.startswith('"', pos):
        return _read_quoted(text, pos)
    end = pos
    while end < len(text) and not text[end].isspace():
        end += 1
    return text[pos:end], end


def _text_term(value, title_only=False, negated=False):
    words = split_words(value)
    if not words:
        return None
    stripped = value.rstrip()
    prefix = stripped.endswith("*") and is_word_char(stripped[-2:-1] or " ")
    return Text(tuple(words), prefix, title_only, negated)


def _title_term(field, value, negated):
    return _text_term(value, title_only=True, negated=negated)


def _tag_term(field, value, negated):
    name, prefix = _split_star(value)
    if name is None:
        return TagTerm(None, negated=negated)
    return TagTerm(string_key(name), prefix, negated) if name else None


def _string_term(field, value, negated):
    name, prefix = _split_star(value)
    if name is None:
        return StringTerm(field, None, negated=negated)
    return StringTerm(field, string_key(name), prefix, negated) if name else None


def _split_star(value):
    """Split a trailing ``*``: ("abc", True) for ``abc*``; (None, False) for ``*``."""
    if value == "*":
        return None, False
    if value.endswith("*"):
        return value[:-1], True
    return value, False


def _date_term(field, value, negated):
    if value == "*":
        return DateTerm(field, None, negated)
    when = _parse_absolute(value) or _parse_relative(value)
    return DateTerm(field, when, negated) if when else None


_ABSOLUTE = re.compile(
    r"([0-9]{4})([0-9]{2})([0-9]{2})(?:T([0-9]{2})([0-9]{2})([0-9]{2})(Z)?)?"
)
_RELATIVE = re.compile(r"(day|week|month|year)(?:([-+])([0-9]{1,6}))?", re.I)


def _parse_absolute(value):
    match = _ABSOLUTE.fullmatch(value)
    if not match:
        return None
    year, month, day, hour, minute, second = (int(g or 0) for g in match.groups()[:6])
    if year < 1 or not 1 <= month <= 12 or hour > 23 or minute > 59 or second > 59:
        return None
    if not 1 <= day <= calendar.monthrange(year, month)[1]:
        return None
    return AbsoluteDate(year, month, day, hour, minute, second, bool(match.group(7)))


def _parse_relative(value):
    match = _RELATIVE.fullmatch(value)
    if not match:
        return None
    offset = int(match.group(3) or 0)
    sign = -1 if match.group(2) == "-" else 1
    return RelativeDate(match.group(1).lower(), sign * offset)


def _number_term(field, value, negated):
    if value == "*":
        return NumberTerm(field, None, negated)
    if not _DOUBLE.fullmatch(value):
        return None
    return NumberTerm(field, float(value), negated)


_DOUBLE = re.compile(r"-?[0-9]+(?:\.[0-9]*)?")


def _bool_term(field, value, negated):
    state = _BOOLEANS.get(value.lower(), "invalid")
    return None if state == "invalid" else BoolTerm(field, state, negated)


def _todo_term(field, value, negated):
    state = _BOOLEANS.get(value.lower(), "invalid")
    return None if state == "invalid" else Todo(state, negated)


def _encryption_term(field, value, negated):
    return Encryption(negated)


_BOOLEANS = {"true": True, "false": False, "*": None}

_EXPRESSIONS = {
    "intitle": _title_term,
    "tag": _tag_term,
    "date": _date_term,
    "number": _number_term,
    "string": _string_term,
    "bool": _bool_term,
    "todo": _todo_term,
    "encryption": _encryption_term,
}

# The attribute labels are the NoteAttributes and ResourceAttributes field
# names, as the EBNF has it. Where both structs have a field of that name
# (latitude, sourceURL, applicationData) the note's counts, except that
# applicationData keys are looked up on the note and its resources.
_DATE_FIELDS = (
    "created updated subjectDate reminderTime reminderDoneTime shareDate timestamp"
)
_NUMBER_FIELDS = "latitude longitude altitude reminderOrder"
_STRING_FIELDS = (
    "resource author source sourceURL sourceApplication placeName contentClass"
    " lastEditedBy applicationData fileName recoType cameraMake cameraModel"
)
_BOOL_FIELDS = "attachment clientWillIndex"


def _label_table():
    table = {
        name: (name, name)
        for name in ("notebook", "any", "intitle", "tag", "todo", "encryption")
    }
    for kind, fields in (
        ("date", _DATE_FIELDS),
        ("number", _NUMBER_FIELDS),
        ("string", _STRING_FIELDS),
        ("bool", _BOOL_FIELDS),
    ):
        table.update((field.casefold(), (kind, field)) for field in fields.split())
    return table


# Label, casefolded -> (kind, canonical field name).
_LABELS = _label_table()
