"""Search latency over one account of 100,000 notes.

Builds a shard database in a temporary directory: the shard's schema
(shard.storage.Storage) plus the search index (shard.search.FTS_SCHEMA),
one account of ``--notes`` notes (about 1 KB of ENML each, words drawn from
a Zipf-distributed vocabulary, up to four tags, the odd to-do) and another
account of ``--other-notes`` notes sharing the same words. Every note is
indexed with `index_note`, the way the storage appliers do, in
transactions of 1,000 notes.

Then it times `find_notes` for ``--queries`` different two-word queries
(first page of 50, order UPDATED, as findNotesMetadata asks), and, for
comparison, a few other query shapes. Each query runs once untimed first,
so the figures are for a warm page cache. Last, the two-word queries
again through the shard's whole ``findNotesMetadata`` (token and filter
checks, the page's metadata, the encoded reply). Prints p50, p90, p99 and max in
milliseconds, and the median number of matching notes.

    .venv/bin/python benchmarks/search.py [--notes 100000] [--queries 200]

``--database PATH`` keeps the database there, and a later run with the same
path reuses it instead of building it again. ``--cache-mb`` sets SQLite's
page cache for the run (the default is SQLite's own 2 MB).
"""

import argparse
import hashlib
import itertools
import json
import random
import sqlite3
import statistics
import tempfile
import time
import uuid
from pathlib import Path

from notestore import dispatch
from notestore.edam import NoteStore, NoteStoreApi, Types
from notestore.noteservice import NoteStoreService
from notestore.tokens import TokenSigner
from shard import search
from shard.storage import Storage

USER_ID = 1
OTHER_USER_ID = 2
NOW_MS = 1_735_689_600_000  # 2025-01-01T00:00:00Z
YEAR_MS = 365 * 24 * 3600 * 1000
PAGE = 50
ENML = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<!DOCTYPE en-note SYSTEM "http://xml.evernote.com/pub/enml2.dtd">'
    "<en-note>{}</en-note>"
)
SYLLABLES = (
    "ka ri to na me lo su vi de pa an el or is un ba co fi gu he jo lu mo ne"
).split()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--notes", type=int, default=100_000)
    parser.add_argument("--other-notes", type=int, default=10_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--vocabulary", type=int, default=30_000)
    parser.add_argument("--seed", type=int, default=4)
    parser.add_argument("--database", type=Path, help="keep (or reuse) it here")
    parser.add_argument("--cache-mb", type=int, help="SQLite page cache size")
    args = parser.parse_args()
    if args.database:
        _bench(args.database, args)
    else:
        with tempfile.TemporaryDirectory(prefix="notestore-search-bench-") as base:
            _bench(Path(base) / "shard.sqlite3", args)


def _bench(path, args):
    rng = random.Random(args.seed)
    words = _vocabulary(rng, args.vocabulary)
    exists = path.exists()
    if not exists:
        Storage(path).close()
    db = sqlite3.connect(path, isolation_level=None)
    db.row_factory = sqlite3.Row
    db.executescript(search.FTS_SCHEMA)
    if args.cache_mb:
        db.execute(f"PRAGMA cache_size = -{args.cache_mb * 1024}")
    if exists:
        print(f"reusing {path}")
    else:
        _build(db, rng, words, args)
    two_words = _run(db, random.Random(args.seed + 1), words, args.queries)
    db.close()
    _run_service(path, two_words)


def _vocabulary(rng, size):
    words = set()
    while len(words) < size:
        count = rng.choice((1, 2, 2, 3, 3, 3, 4))
        words.add("".join(rng.choice(SYLLABLES) for _ in range(count)))
    return sorted(words, key=lambda word: (len(word), word))


class _Sampler:
    """Draws words with Zipf-like frequencies (rank r weighs 1 / r)."""

    def __init__(self, rng, words):
        self._rng = rng
        self._words = words
        self._cumulative = list(
            itertools.accumulate(1 / rank for rank in range(1, len(words) + 1))
        )

    def words(self, count):
        return self._rng.choices(self._words, cum_weights=self._cumulative, k=count)


def _build(db, rng, words, args):
    sampler = _Sampler(rng, words)
    started = time.perf_counter()
    for user_id, count in ((USER_ID, args.notes), (OTHER_USER_ID, args.other_notes)):
        notebooks = [str(uuid.UUID(int=rng.getrandbits(128))) for _ in range(8)]
        tags = [str(uuid.UUID(int=rng.getrandbits(128))) for _ in range(60)]
        _insert_containers(db, user_id, notebooks, tags, words)
        for first in range(0, count, 1000):
            db.execute("BEGIN")
            for _ in range(min(1000, count - first)):
                _insert_note(db, rng, sampler, user_id, notebooks, tags)
            db.execute("COMMIT")
    elapsed_s = time.perf_counter() - started
    total = args.notes + args.other_notes
    print(
        f"built {total} notes ({args.notes} for the searched account) in "
        f"{elapsed_s:.1f} s: {elapsed_s / total * 1000:.2f} ms per note"
    )
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def _insert_containers(db, user_id, notebooks, tags, words):
    for i, guid in enumerate(notebooks):
        db.execute(
            "INSERT INTO notebooks (guid, user_id, name, name_key, stack, usn,"
            " created, updated) VALUES (?, ?, ?, ?, NULL, 1, 0, 0)",
            (guid, user_id, f"Notebook {i}", f"notebook {i}"),
        )
    for i, guid in enumerate(tags):
        db.execute(
            "INSERT INTO tags (guid, user_id, name, name_key, parent_guid, usn)"
            " VALUES (?, ?, ?, ?, NULL, 1)",
            (guid, user_id, f"tag{i}", f"tag{i}"),
        )


def _insert_note(db, rng, sampler, user_id, notebooks, tags):
    guid = str(uuid.UUID(int=rng.getrandbits(128)))
    content = ENML.format(_body(rng, sampler))
    created = NOW_MS - rng.randrange(5 * YEAR_MS)
    db.execute(
        "INSERT INTO notes (guid, user_id, notebook_guid, title, content,"
        " content_hash, content_length, created, updated, deleted, active, usn,"
        " attributes) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, 1, ?, ?)",
        (
            guid,
            user_id,
            rng.choice(notebooks),
            " ".join(sampler.words(rng.randint(2, 6))).capitalize(),
            content,
            hashlib.md5(content.encode()).digest(),
            len(content),
            created,
            created + rng.randrange(YEAR_MS // 4),
            rng.randrange(1, 10**6),
            json.dumps({"author": "bench"} if rng.random() < 0.3 else {}),
        ),
    )
    db.executemany(
        "INSERT INTO note_tags (note_guid, tag_guid, position) VALUES (?, ?, ?)",
        [(guid, tag, i) for i, tag in enumerate(rng.sample(tags, rng.randint(0, 4)))],
    )
    search.index_note(db, guid)


def _body(rng, sampler):
    paragraphs = []
    for _ in range(rng.randint(3, 6)):
        text = " ".join(sampler.words(rng.randint(20, 40)))
        if rng.random() < 0.1:
            checked = "true" if rng.random() < 0.5 else "false"
            text = f'<en-todo checked="{checked}"/>{text}'
        paragraphs.append(f"<div>{text}.</div>")
    return "".join(paragraphs)


def _run(db, rng, words, query_count):
    # Query words are drawn by rank, log-uniformly between ranks 20 and
    # 5,000: from words in every tenth note to words in a handful.
    def word():
        return words[int(20 * (5000 / 20) ** rng.random())]

    def common_word():
        return words[rng.randrange(100)]

    updated, relevance = Types.NoteSortOrder.UPDATED, Types.NoteSortOrder.RELEVANCE
    two_words = [f"{word()} {word()}" for _ in range(query_count)]
    shapes = (
        ("two words, order UPDATED", two_words, updated),
        ("two words, order RELEVANCE", two_words, relevance),
        (
            "two common words (ranks 1 to 100)",
            [f"{common_word()} {common_word()}" for _ in range(50)],
            updated,
        ),
        ("phrase of two words", [f'"{word()} {word()}"' for _ in range(50)], updated),
        (
            "one word prefix (3 letters*)",
            [word()[:3] + "*" for _ in range(50)],
            updated,
        ),
        ("two words and tag:tag7", [q + " tag:tag7" for q in two_words[:50]], updated),
        ("no words (list all), order UPDATED", [""] * 20, updated),
    )
    for name, queries, order in shapes:
        _measure(db, name, queries, order)
    return two_words


def _run_service(path, queries):
    """The whole findNotesMetadata call as the shard answers it: token
    check, filter checks, search, metadata of the page and the encoded
    Thrift reply."""
    signer = TokenSigner(b"benchmark-secret-0123456789abcdef")
    storage = Storage(path)
    service = NoteStoreService(
        "s1", signer, storage, lambda record: storage.commit(1, record)
    )
    token = signer.issue("s1", USER_ID, 3600)
    spec = NoteStore.NotesMetadataResultSpec(
        includeTitle=True,
        includeUpdated=True,
        includeNotebookGuid=True,
        includeTagGuids=True,
        includeContentLength=True,
    )

    def find(words):
        note_filter = NoteStore.NoteFilter(
            words=words, order=Types.NoteSortOrder.UPDATED
        )
        found = service.findNotesMetadata(token, note_filter, 0, PAGE, spec)
        result = NoteStoreApi.findNotesMetadata_result(success=found)
        dispatch.encode_reply("findNotesMetadata", 0, result)
        return found.totalNotes

    _report("findNotesMetadata, two words, order UPDATED", queries, find)
    storage.close()


def _measure(db, name, queries, order):
    _report(name, queries, lambda words: _find(db, words, order).total)


def _report(name, queries, find):
    """Time ``find(words)`` (returning the match count) over ``queries``."""
    for words in queries:  # warm-up
        find(words)
    samples_ms, totals = [], []
    for words in queries:
        started = time.perf_counter()
        totals.append(find(words))
        samples_ms.append((time.perf_counter() - started) * 1000)
    samples_ms.sort()
    print(
        f"{name}: {len(queries)} queries, p50 {_pct(samples_ms, 50):.2f} ms,"
        f" p90 {_pct(samples_ms, 90):.2f} ms, p99 {_pct(samples_ms, 99):.2f} ms,"
        f" max {samples_ms[-1]:.2f} ms; matches median"
        f" {statistics.median(totals):.0f}, max {max(totals)}"
    )


def _find(db, words, order):
    note_filter = NoteStore.NoteFilter(words=words, order=order)
    return search.find_notes(db, USER_ID, note_filter, NOW_MS, 0, PAGE)


def _pct(sorted_samples, percent):
    index = round(percent / 100 * (len(sorted_samples) - 1))
    return sorted_samples[index]


if __name__ == "__main__":
    main()
