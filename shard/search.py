"""Note search on a shard: the full-text index and the queries over it.

The index is three tables of our own (`FTS_SCHEMA`), derived from the
notes, note_tags, tags, resources and resource_bodies tables and kept
current by the storage appliers: they call `index_note` after any change
to a note, its tags, its resources or the name of one of its tags, and
`unindex_note` when a note is expunged, inside the transaction that
applies the record. Primary and replica run the same appliers, so their
indexes agree. Queries also read notebooks, tags and note_tags (through
its ``note_tags_by_tag`` index) at search time, so notebook and tag names
in ``notebook:`` and ``tag:`` are always current.

- ``note_search``: one row per note with what filters and orders read
  (owner, notebook, active, times, USN, title key, to-do and encryption
  flags), so a search never reads the notes table and its ENML.
- ``note_fts``: FTS5 over title, content text, tag names and resource
  recognition text. Words are runs of Unicode letters, numbers, marks and
  ``_``, case-folded, accents kept: the same words the query grammar
  (``notestore.searchgrammar``) splits, so ``potato`` never matches
  "potatoes" and ``Ever*`` matches "Evernote" but not "forevernote". A
  fifth column, ``tag_keys``, holds one token per tag GUID of the note, so
  that ``tag:`` and NoteFilter.tagGuids are FTS5 terms too.
- ``note_search_facts``: the note and resource attributes that labels
  compare (author, reminderTime, resource MIME, fileName ...), one row per
  value: strings as the grammar's ``string_key`` (case folded, runs of
  spaces as one), numbers, timestamps and flags as numbers.

Each note's row id (``docid``) is ``user_id * 2**32 + n``. Every user owns
one contiguous range of row ids, and FTS5 seeks to that range (a rowid
constraint) instead of filtering: a search reads only the caller's part of
each posting list, and cannot see another user's notes.
"""

import json
import logging
import re
import time
from dataclasses import dataclass
from html import unescape

from notestore import enml
from notestore.searchgrammar import (
    BoolTerm,
    DateTerm,
    Encryption,
    NumberTerm,
    StringTerm,
    TagTerm,
    Text,
    Todo,
    parse_query,
    string_key,
    time_zone,
)

__all__ = [
    "FTS_SCHEMA",
    "SearchResult",
    "count_notes",
    "find_notes",
    "index_note",
    "reconcile_index",
    "unindex_note",
]

log = logging.getLogger(__name__)

FTS_SCHEMA = """
CREATE TABLE IF NOT EXISTS note_search (
    docid INTEGER PRIMARY KEY,
    guid TEXT NOT NULL UNIQUE,
    user_id INTEGER NOT NULL,
    notebook_guid TEXT NOT NULL,
    active INTEGER NOT NULL,
    created INTEGER NOT NULL,
    updated INTEGER NOT NULL,
    usn INTEGER NOT NULL,
    title_key TEXT NOT NULL,
    content_hash BLOB NOT NULL,
    has_checked_todo INTEGER NOT NULL,
    has_unchecked_todo INTEGER NOT NULL,
    has_encryption INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS note_search_by_updated
    ON note_search (user_id, active, updated);
CREATE INDEX IF NOT EXISTS note_search_by_created
    ON note_search (user_id, active, created);
CREATE INDEX IF NOT EXISTS note_search_by_usn ON note_search (user_id, active, usn);
CREATE INDEX IF NOT EXISTS note_search_by_title
    ON note_search (user_id, active, title_key);
CREATE TABLE IF NOT EXISTS note_search_facts (
    docid INTEGER NOT NULL,
    field TEXT NOT NULL,
    text_value TEXT,
    num_value REAL
);
CREATE INDEX IF NOT EXISTS note_search_facts_by_field
    ON note_search_facts (field, docid);
CREATE INDEX IF NOT EXISTS note_search_facts_by_docid
    ON note_search_facts (docid);
CREATE VIRTUAL TABLE IF NOT EXISTS note_fts USING fts5 (
    title, content_text, tag_names, resource_text, tag_keys,
    tokenize = "unicode61 remove_diacritics 0 categories 'L* N* M*' tokenchars '_'"
);
"""

# NoteSortOrder values (EDAM Types.thrift).
CREATED, UPDATED, RELEVANCE, UPDATE_SEQUENCE_NUMBER, TITLE = 1, 2, 3, 4, 5

# bm25 column weights for RELEVANCE: title, content, tag names, resources,
# tag keys (not words: no weight).
_BM25 = "bm25(note_fts, 4.0, 1.0, 2.0, 1.0, 0.0)"

_SORT_KEYS = {
    CREATED: "s.created",
    UPDATED: "s.updated",
    UPDATE_SEQUENCE_NUMBER: "s.usn",
    TITLE: "s.title_key",
}

_DOCIDS_PER_USER = 2**32

# The NoteAttributes and ResourceAttributes fields that labels compare; the
# names are the grammar's canonical labels (see notestore.searchgrammar).
_NOTE_STRINGS = (
    "author",
    "source",
    "sourceURL",
    "sourceApplication",
    "placeName",
    "contentClass",
    "lastEditedBy",
)
_NOTE_NUMBERS = (
    "latitude",
    "longitude",
    "altitude",
    "reminderOrder",
    "subjectDate",
    "reminderTime",
    "reminderDoneTime",
    "shareDate",
)
_RESOURCE_STRINGS = ("fileName", "recoType", "cameraMake", "cameraModel")
_RESOURCE_NUMBERS = ("timestamp", "attachment", "clientWillIndex")

_RESOURCES_SQL = (
    "SELECT r.mime, r.attributes, b.recognition FROM resources AS r"
    " LEFT JOIN resource_bodies AS b ON b.resource_guid = r.guid"
    " WHERE r.note_guid = ? AND r.user_id = ? ORDER BY r.position"
)

_MARKUP = re.compile(r"<[^>]*>")


@dataclass
class SearchResult:
    """What `find_notes` found.

    ``guids`` is the requested page in order; ``total`` counts every match.
    The word lists go to NotesMetadataList.searchedWords and stoppedWords.
    """

    guids: list
    total: int
    searched_words: list
    stopped_words: list


# Writing the index


def index_note(db, note_guid):
    """Bring the index entry of one note up to date with its tables.

    Call it inside the applying transaction, after the notes row, its
    note_tags, resources and resource_bodies rows are written, whenever
    any of them changed or one of its tags was renamed. A note with no
    notes row is unindexed. The ENML is parsed again only when
    ``content_hash`` changed, so a call after a metadata change is cheap.
    Raises sqlite3 errors.
    """
    note = db.execute(_NOTE_SQL, (note_guid,)).fetchone()
    if note is None:
        unindex_note(db, note_guid)
        return
    note = _Note(*note)
    entry = db.execute(_ENTRY_SQL, (note_guid,)).fetchone()
    old_text = _fts_row(db, entry[0]) if entry else None
    content = _content(db, note_guid, note.content_hash, entry, old_text)
    resources = _resources(db, note_guid, note.user_id)
    docid = entry[0] if entry else _next_docid(db, note.user_id)
    _write_entry(db, docid, note_guid, note, content)
    tag_names, tag_keys = _tags(db, note_guid)
    text = (note.title, content.text, tag_names, _reco_text(resources), tag_keys)
    _write_fts(db, docid, text, old_text)
    _write_facts(db, docid, _facts(note.attributes, resources))


def unindex_note(db, note_guid):
    """Remove a note from the index; a note not in it is fine.

    Call it inside the transaction that expunges the note. It reads only
    the index's own tables, so the notes row may already be gone.
    """
    row = db.execute(
        "SELECT docid FROM note_search WHERE guid = ?", (note_guid,)
    ).fetchone()
    if row is None:
        return
    db.execute("DELETE FROM note_fts WHERE rowid = ?", (row[0],))
    db.execute("DELETE FROM note_search_facts WHERE docid = ?", (row[0],))
    db.execute("DELETE FROM note_search WHERE docid = ?", (row[0],))


def reconcile_index(db):
    """Index every note the index lacks; drop entries of vanished notes.

    For a database that held notes before the index existed, or to repair
    one. Call it in a transaction. Returns (indexed, dropped).
    """
    missing = db.execute(
        "SELECT guid FROM notes WHERE guid NOT IN (SELECT guid FROM note_search)"
    ).fetchall()
    stale = db.execute(
        "SELECT guid FROM note_search WHERE guid NOT IN (SELECT guid FROM notes)"
    ).fetchall()
    for (guid,) in missing:
        index_note(db, guid)
    for (guid,) in stale:
        unindex_note(db, guid)
    if missing or stale:
        log.info("search index: indexed %d notes, dropped %d", len(missing), len(stale))
    return len(missing), len(stale)


_NOTE_SQL = (
    "SELECT user_id, notebook_guid, title, content_hash, created, updated,"
    " active, usn, attributes FROM notes WHERE guid = ?"
)
_ENTRY_SQL = (
    "SELECT docid, content_hash, has_checked_todo, has_unchecked_todo,"
    " has_encryption FROM note_search WHERE guid = ?"
)


@dataclass
class _Note:
    user_id: int
    notebook_guid: str
    title: str
    content_hash: bytes
    created: int
    updated: int
    active: int
    usn: int
    attributes: str


@dataclass
class _Content:
    text: str
    flags: tuple  # has_checked_todo, has_unchecked_todo, has_encryption


def _content(db, note_guid, content_hash, entry, old_text):
    if old_text is not None and bytes(entry[1]) == bytes(content_hash):
        return _Content(old_text[1], tuple(entry[2:5]))
    (content,) = db.execute(
        "SELECT content FROM notes WHERE guid = ?", (note_guid,)
    ).fetchone()
    try:
        document = enml.validate_enml(content)
    except enml.EnmlError as exc:
        # Stored content passed validation when it was written; a stricter
        # validator since must not make the note unsearchable.
        log.warning("indexing note %s as plain text: %s", note_guid, exc)
        return _Content(
            " ".join(unescape(_MARKUP.sub(" ", content)).split()), (0, 0, 0)
        )
    flags = (
        document.has_checked_todo,
        document.has_unchecked_todo,
        document.has_encryption,
    )
    return _Content(document.plain_text, tuple(int(flag) for flag in flags))


def _write_entry(db, docid, note_guid, note, content):
    db.execute(
        "INSERT OR REPLACE INTO note_search (docid, guid, user_id, notebook_guid,"
        " active, created, updated, usn, title_key, content_hash,"
        " has_checked_todo, has_unchecked_todo, has_encryption)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            docid,
            note_guid,
            note.user_id,
            note.notebook_guid,
            1 if note.active else 0,
            note.created,
            note.updated,
            note.usn,
            note.title.casefold(),
            bytes(note.content_hash),
            *content.flags,
        ),
    )


def _fts_row(db, docid):
    return db.execute(
        "SELECT title, content_text, tag_names, resource_text, tag_keys"
        " FROM note_fts WHERE rowid = ?",
        (docid,),
    ).fetchone()


def _tags(db, note_guid):
    """Return the note's tag names (searchable words) and tag keys."""
    rows = db.execute(
        "SELECT nt.tag_guid, t.name FROM note_tags AS nt"
        " LEFT JOIN tags AS t ON t.guid = nt.tag_guid"
        " WHERE nt.note_guid = ? ORDER BY nt.position",
        (note_guid,),
    ).fetchall()
    names = "\n".join(name for _, name in rows if name)
    keys = [_tag_key(guid) for guid, _ in rows]
    return names, " ".join(keys + [_ANY_TAG_KEY] if keys else [])


def _tag_key(tag_guid):
    # One token per tag in the tag_keys column: "tag:x" and tagGuids become
    # FTS5 terms, intersected with the words in the posting lists.
    return "tag" + tag_guid.replace("-", "")


def _resources(db, note_guid, user_id):
    """Return (mime, attributes dict, recognition) of the note's resources."""
    rows = db.execute(_RESOURCES_SQL, (note_guid, user_id)).fetchall()
    return [
        (mime, _json(attributes), recognition) for mime, attributes, recognition in rows
    ]


def _reco_text(resources):
    # The recognition body is recoIndex XML: the words are the text of its
    # <t> elements. Markup is stripped rather than parsed, so a malformed or
    # hostile body (entities, deep nesting) costs one regex pass.
    parts = []
    for _, _, recognition in resources:
        if recognition:
            if isinstance(recognition, bytes):
                recognition = recognition.decode("utf-8", "replace")
            parts.append(" ".join(unescape(_MARKUP.sub(" ", recognition)).split()))
    return "\n".join(parts)


def _write_fts(db, docid, text, old_text):
    if old_text is not None:
        if tuple(old_text) == text:
            return
        db.execute("DELETE FROM note_fts WHERE rowid = ?", (docid,))
    db.execute(
        "INSERT INTO note_fts (rowid, title, content_text, tag_names, resource_text,"
        " tag_keys) VALUES (?, ?, ?, ?, ?, ?)",
        (docid, *text),
    )


def _write_facts(db, docid, facts):
    db.execute("DELETE FROM note_search_facts WHERE docid = ?", (docid,))
    db.executemany(
        "INSERT INTO note_search_facts (docid, field, text_value, num_value)"
        " VALUES (?, ?, ?, ?)",
        [(docid, *fact) for fact in sorted(facts, key=repr)],
    )


def _facts(note_attributes, resources):
    """Return {(field, text_value, num_value)} for the note and its resources."""
    attributes = _json(note_attributes)
    facts = set(_attribute_facts(attributes, _NOTE_STRINGS, _NOTE_NUMBERS))
    facts.update(_application_data_facts(attributes))
    for mime, resource_attributes, _ in resources:
        facts.add(("resource", (mime or "").casefold(), None))
        facts.update(
            _attribute_facts(resource_attributes, _RESOURCE_STRINGS, _RESOURCE_NUMBERS)
        )
        facts.update(_application_data_facts(resource_attributes))
    return facts


def _attribute_facts(attributes, strings, numbers):
    for field in strings:
        value = attributes.get(field)
        if isinstance(value, str):
            yield field, string_key(value), None
    for field in numbers:
        value = attributes.get(field)
        if isinstance(value, int | float):  # bool is an int: True is 1
            yield field, None, float(value)


def _application_data_facts(attributes):
    data = attributes.get("applicationData") or {}
    keys = set(data.get("keysOnly") or ()) | set(data.get("fullMap") or {})
    for key in keys:
        yield "applicationData", key.casefold(), None


def _json(text):
    if not text:
        return {}
    value = json.loads(text)
    return value if isinstance(value, dict) else {}


def _next_docid(db, user_id):
    low, high = _docid_range(user_id)
    (top,) = db.execute(
        "SELECT max(docid) FROM note_search WHERE docid BETWEEN ? AND ?", (low, high)
    ).fetchone()
    if top is None:
        return low
    if top == high:
        raise OverflowError(f"search index: no row id left for user {user_id}")
    return top + 1


def _docid_range(user_id):
    # UserID is an i32, so every range fits SQLite's signed 64-bit rowid.
    if not -(2**31) <= user_id < 2**31:
        raise ValueError(f"user id out of range: {user_id}")
    low = user_id * _DOCIDS_PER_USER
    return low, low + _DOCIDS_PER_USER - 1


# Searching


def find_notes(db, user_id, note_filter, now_ms, offset=0, max_notes=None):
    """Return the `SearchResult` of a NoteFilter over one user's notes.

    ``note_filter`` is a NoteFilter (any object with its field names; None
    is the empty filter). ``now_ms`` anchors relative dates. ``offset`` and
    ``max_notes`` cut the page (None: every note after ``offset``); the
    total counts all matches. Reads only; raises sqlite3 errors.
    """
    query = parse_query(_field(note_filter, "words"))
    plan = _Plan(db, user_id, note_filter, query, now_ms)
    total = _count(db, plan)
    guids = []
    if total > offset and max_notes != 0:
        guids = _page(db, plan, _sort(note_filter, plan.ranked), offset, max_notes)
    return SearchResult(
        guids=guids,
        total=total,
        searched_words=list(query.searched_words),
        stopped_words=list(query.stopped_words),
    )


def count_notes(db, user_id, note_filter, with_trash, now_ms=None):
    """Count a NoteFilter's matches per notebook and per tag (findNoteCounts).

    Returns (notebook_counts, tag_counts, trash_count): two dicts from GUID
    to count, without zero counts, and the number of matches in the trash
    when ``with_trash`` is set (else None). ``now_ms`` defaults to the
    current time. Reads only; raises sqlite3 errors.
    """
    if now_ms is None:
        now_ms = int(time.time() * 1000)
    query = parse_query(_field(note_filter, "words"))
    plan = _Plan(db, user_id, note_filter, query, now_ms)
    notebook_counts = dict(
        db.execute(
            f"SELECT s.notebook_guid, count(*) FROM {plan.source}"
            f" WHERE {plan.where} GROUP BY s.notebook_guid",
            plan.params,
        )
    )
    tag_counts = dict(
        db.execute(
            f"SELECT nt.tag_guid, count(*) FROM {plan.source}"
            f" JOIN note_tags AS nt ON nt.note_guid = s.guid"
            f" WHERE {plan.where} GROUP BY nt.tag_guid",
            plan.params,
        )
    )
    trash_count = None
    if with_trash:
        trash = _Plan(db, user_id, note_filter, query, now_ms, inactive=True)
        trash_count = _count(db, trash)
    return notebook_counts, tag_counts, trash_count


def _count(db, plan):
    sql = f"SELECT count(*) FROM {plan.source} WHERE {plan.where}"
    return db.execute(sql, plan.params).fetchone()[0]


def _page(db, plan, sort, offset, max_notes):
    # Counting and paging are two statements: SQLite's sorter then keeps only
    # the page (a top-N sort), where one statement with a window count had to
    # hold and sort every match, twice as slow for tens of thousands.
    sort_key, direction = sort
    rows = db.execute(
        f"SELECT s.guid FROM {plan.source} WHERE {plan.where}"
        f" ORDER BY {sort_key} {direction}, s.docid {direction} LIMIT ? OFFSET ?",
        (*plan.params, -1 if max_notes is None else max_notes, offset),
    )
    return [guid for (guid,) in rows]


def _field(note_filter, name):
    return getattr(note_filter, name, None)


def _sort(note_filter, ranked):
    """Return (sort key SQL, "ASC" or "DESC") for the filter's order."""
    order = _field(note_filter, "order")
    direction = "ASC" if _field(note_filter, "ascending") else "DESC"
    if order == RELEVANCE and ranked:
        # bm25 is smaller for better matches; negated, the best come first
        # in the default (descending) direction.
        return f"-{_BM25}", direction
    # Unknown orders, and RELEVANCE without words to rank by, sort by
    # UPDATED: what most clients page by.
    return _SORT_KEYS.get(order, "s.updated"), direction


class _Plan:
    """The FROM and WHERE clauses, with parameters, of one filter.

    Words and tags are FTS5 terms: words in the text columns, tags as their
    keys in ``tag_keys``. When some of them are required, one FTS5 query
    drives the search: MATCH plus the user's rowid range, joined to
    note_search (``has_match``). Otherwise note_search is read by user,
    through the index of the requested order. Every other term is a
    condition on ``s`` (note_search).
    """

    def __init__(self, db, user_id, note_filter, query, now_ms, inactive=None):
        self._db = db
        self._user_id = user_id
        self._low, self._high = _docid_range(user_id)
        self._zone = time_zone(_field(note_filter, "timeZone"))
        self._now_ms = now_ms
        self._conditions = []
        self._params = []
        self._fts = self._fts_expressions(query)
        if inactive is None:
            inactive = _field(note_filter, "inactive")
        tag_guids = _field(note_filter, "tagGuids") or ()
        self.ranked = False  # whether bm25 has words to rank by
        match = self._match_expression(query, tag_guids)
        self.has_match = match is not None
        self._add_source(match)
        self._add("s.user_id = ? AND s.active = ?", user_id, 0 if inactive else 1)
        notebook_guid = _field(note_filter, "notebookGuid")
        if notebook_guid is not None:
            self._add("s.notebook_guid = ?", notebook_guid)
        self._add_query(query)

    @property
    def where(self):
        return " AND ".join(self._conditions)

    @property
    def params(self):
        return tuple(self._params)

    def _add(self, sql, *params):
        self._conditions.append(sql)
        self._params.extend(params)

    def _add_source(self, match):
        if match is None:
            # s.user_id = ? (below) scopes the query to the user; a rowid
            # range here would keep SQLite from the order's index.
            self.source = "note_search AS s"
            return
        # CROSS JOIN keeps FTS5 as the outer loop: the match is the selective
        # part, note_search is probed by primary key per matching note.
        self.source = "note_fts CROSS JOIN note_search AS s ON s.docid = note_fts.rowid"
        self._add(
            "note_fts MATCH ? AND note_fts.rowid BETWEEN ? AND ?",
            match,
            self._low,
            self._high,
        )

    def _fts_expressions(self, query):
        """Map each term that FTS5 can answer to its FTS5 expression."""
        expressions = {}
        for term in query.terms + query.any_terms:
            if isinstance(term, Text):
                expressions[term] = _text_expression(term)
            elif isinstance(term, TagTerm):
                expression = self._tag_expression(term)
                if expression is not None:
                    expressions[term] = expression
        return expressions

    def _tag_expression(self, term):
        if term.name_key is None:
            return f'tag_keys : "{_ANY_TAG_KEY}"'
        guids = self._named("tags", term.name_key, term.prefix, _MAX_TAG_KEYS + 1)
        if len(guids) > _MAX_TAG_KEYS:
            return None  # a prefix naming very many tags: a SQL condition
        return _tag_keys_expression(guids)

    def _named(self, table, name_key, prefix, limit=-1):
        """GUIDs (at most ``limit``) of the user's tags or notebooks whose
        name matches ``name_key``, a `string_key`.

        Stored keys are case folded only, and runs of spaces compare as one
        space. A key without a space matches the same names either way; a
        key with one is compared here, over the names that start with its
        first word (an index range).
        """
        if " " not in name_key:
            value_sql, params = _string_match("name_key", name_key, prefix)
            rows = self._db.execute(
                f"SELECT guid FROM {table} WHERE user_id = ? AND {value_sql} LIMIT ?",
                (self._user_id, *params, limit),
            )
            return [guid for (guid,) in rows]
        first_word = name_key.split(" ", 1)[0]
        value_sql, params = _string_match("name_key", first_word, True)
        rows = self._db.execute(
            f"SELECT guid, name_key FROM {table} WHERE user_id = ? AND {value_sql}",
            (self._user_id, *params),
        )
        guids = [
            guid
            for guid, stored in rows
            if _key_matches(string_key(stored), name_key, prefix)
        ]
        return guids if limit < 0 else guids[:limit]

    def _match_expression(self, query, tag_guids):
        """Return the FTS5 expression every match satisfies, or None.

        The required positive FTS terms and NoteFilter.tagGuids, and the
        ``any:`` group when FTS5 answers all of it, make one FTS5 query;
        required negated FTS terms narrow it with NOT. With no positive
        term there is nothing to drive with: FTS5 cannot say "not X" alone.
        """
        fts = self._fts
        driving = [t for t in query.terms if t in fts and not t.negated]
        parts = [fts[term] for term in driving]
        parts += [_tag_keys_expression([guid]) for guid in tag_guids]
        if query.any_terms and self._fts_answers_all(query.any_terms):
            driving += query.any_terms
            parts.append(" OR ".join(f"({fts[t]})" for t in query.any_terms))
        if not parts:
            return None
        self.ranked = any(isinstance(term, Text) for term in driving)
        expression = " AND ".join(f"({part})" for part in parts)
        for term in query.terms:
            if term in fts and term.negated:
                expression = f"({expression}) NOT ({fts[term]})"
        return expression

    def _fts_answers_all(self, terms):
        return all(term in self._fts and not term.negated for term in terms)

    def _add_query(self, query):
        for scope in query.scopes:
            guids = self._named("notebooks", scope.name_key, False)
            sql = f"s.notebook_guid IN ({', '.join('?' * len(guids))})"
            self._add_term(sql, guids, scope.negated)
        for term in query.terms:
            if not (self.has_match and term in self._fts):
                self._add_term(*self._condition(term), term.negated)
        any_terms = query.any_terms
        if any_terms and not (self.has_match and self._fts_answers_all(any_terms)):
            self._add_any(any_terms)

    def _add_term(self, sql, params, negated):
        self._add(f"NOT ({sql})" if negated else f"({sql})", *params)

    def _add_any(self, terms):
        parts, params = [], []
        for term in terms:
            sql, term_params = self._condition(term)
            parts.append(f"NOT ({sql})" if term.negated else f"({sql})")
            params.extend(term_params)
        self._add("(" + " OR ".join(parts) + ")", *params)

    def _condition(self, term):
        """Return (sql, params) true for the notes the term matches, unnegated."""
        if term in self._fts:
            sql = (
                "s.docid IN (SELECT rowid FROM note_fts"
                " WHERE note_fts MATCH ? AND rowid BETWEEN ? AND ?)"
            )
            return sql, [self._fts[term], self._low, self._high]
        if isinstance(term, TagTerm):
            return self._tag_condition(term)
        if isinstance(term, DateTerm):
            return self._date_condition(term)
        if isinstance(term, Todo):
            return _CHECKBOX_CONDITIONS[term.checked], []
        if isinstance(term, Encryption):
            return "s.has_encryption = 1", []
        return self._fact_condition(term)

    def _tag_condition(self, term):
        value_sql, value_params = _string_match(
            "t.name_key", term.name_key, term.prefix
        )
        sql = (
            "s.guid IN (SELECT nt.note_guid FROM tags AS t"
            " JOIN note_tags AS nt ON nt.tag_guid = t.guid"
            f" WHERE t.user_id = ? AND {value_sql})"
        )
        return sql, [self._user_id, *value_params]

    def _date_condition(self, term):
        if term.field not in ("created", "updated"):
            return self._fact_condition(term)
        if term.value is None:
            return "1", []
        return f"s.{term.field} >= ?", [term.value.resolve_ms(self._zone, self._now_ms)]

    def _fact_condition(self, term):
        value_sql, value_params = self._fact_value(term)
        sql = (
            "s.docid IN (SELECT docid FROM note_search_facts"
            f" WHERE field = ? AND docid BETWEEN ? AND ?{value_sql})"
        )
        return sql, [term.field, self._low, self._high, *value_params]

    def _fact_value(self, term):
        if isinstance(term, StringTerm):
            if term.value_key is None:
                return "", []
            sql, params = _string_match("text_value", term.value_key, term.prefix)
            return f" AND {sql}", params
        if isinstance(term, BoolTerm):
            return (
                ("", []) if term.value is None else (" AND num_value = ?", [term.value])
            )
        if isinstance(term, DateTerm) and term.value is not None:
            return " AND num_value >= ?", [
                term.value.resolve_ms(self._zone, self._now_ms)
            ]
        if isinstance(term, NumberTerm) and term.value is not None:
            return " AND num_value >= ?", [term.value]
        return "", []


_CHECKBOX_CONDITIONS = {
    True: "s.has_checked_todo = 1",
    False: "s.has_unchecked_todo = 1",
    None: "(s.has_checked_todo = 1 OR s.has_unchecked_todo = 1)",
}

# The columns that plain words search; tag_keys holds no words.
_TEXT_COLUMNS = "{title content_text tag_names resource_text}"

# The token every tagged note carries in tag_keys (tag:*). Tag keys are
# "tag" and 32 hex digits, so neither this nor _NO_TAG_KEY is ever one.
_ANY_TAG_KEY = "tagged"
_NO_TAG_KEY = "tagnone"

# A tag prefix naming more tags than this is a SQL condition instead of an
# FTS5 OR of every tag's key.
_MAX_TAG_KEYS = 500


def _string_match(column, value_key, prefix):
    if not prefix:
        return f"{column} = ?", [value_key]
    # A prefix as a range, so that an index on the column serves it:
    # U+10FFFF sorts after every character in SQLite's binary collation.
    return f"{column} >= ? AND {column} < ?", [value_key, value_key + "\U0010ffff"]


def _key_matches(key, value_key, prefix):
    return key.startswith(value_key) if prefix else key == value_key


def _text_expression(term):
    # Each word is an FTS5 string, tokenized again by FTS5 itself with the
    # index's tokenizer: quoting keeps AND, OR, NOT and NEAR literal words.
    phrase = _fts_string(" ".join(term.words))
    if term.prefix:
        phrase += "*"
    return f"{'title' if term.title_only else _TEXT_COLUMNS} : {phrase}"


def _tag_keys_expression(tag_guids):
    # A tag that does not exist matches nothing: _NO_TAG_KEY is in no note.
    keys = [_tag_key(guid) for guid in tag_guids] or [_NO_TAG_KEY]
    return "tag_keys : (" + " OR ".join(_fts_string(key) for key in keys) + ")"


def _fts_string(text):
    return '"' + text.replace('"', '""') + '"'
