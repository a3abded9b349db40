"""The shard's SQLite database and the one function that changes it.

Every change arrives as a write record (see ``notestore.records``) and goes
through `Storage.commit`, which applies it with `apply` and appends it to
the write log in the same transaction. A replica applies the records it
receives with the same `apply`, so the two copies cannot diverge by code
path.
"""

import json
import logging
import os
import sqlite3

from shard.reads import Reads
from shard.schema import DATA_SCHEMA
from shard.search import FTS_SCHEMA, reconcile_index
from shard.writes import apply

__all__ = ["Storage", "apply"]

log = logging.getLogger(__name__)

_LOG_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS log (
    lsn INTEGER PRIMARY KEY,
    epoch INTEGER NOT NULL,
    body TEXT NOT NULL
);
"""
_SCHEMA = _LOG_SCHEMA + DATA_SCHEMA + FTS_SCHEMA


class Storage(Reads):
    """One node's database: reads for the handlers, `commit` for writes.

    All calls block on SQLite; the shard runs them on its one event-loop
    thread, so a read never sees a half-applied record.
    """

    def __init__(self, path, synchronous="NORMAL"):
        self.path = str(path)
        self._synchronous = synchronous
        self._db = self._open()

    def _open(self):
        db = sqlite3.connect(self.path, isolation_level=None)
        db.row_factory = sqlite3.Row
        db.execute("PRAGMA journal_mode=WAL")
        db.execute(f"PRAGMA synchronous={self._synchronous}")
        db.execute("PRAGMA foreign_keys=OFF")
        db.executescript(_SCHEMA)
        # The search index is derived data: a database written before it
        # existed (or damaged) is brought up to date at open.
        db.execute("BEGIN IMMEDIATE")
        try:
            reconcile_index(db)
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")
        return db

    def close(self):
        self._db.close()

    @property
    def wal_path(self):
        return self.path + "-wal"

    def last_lsn(self):
        row = self._db.execute("SELECT max(lsn) FROM log").fetchone()
        return row[0] or 0

    # The write log, for replication.

    def epoch_at(self, lsn):
        """The epoch of the logged record ``lsn``, or None if not held."""
        row = self._db.execute("SELECT epoch FROM log WHERE lsn = ?", (lsn,)).fetchone()
        return row[0] if row else None

    def first_lsn(self):
        """The oldest LSN still in the log (0 when the log is empty)."""
        row = self._db.execute("SELECT min(lsn) FROM log").fetchone()
        return row[0] or 0

    def records_since(self, from_lsn, limit):
        """Up to ``limit`` logged records from ``from_lsn`` on, in order:
        (epoch, lsn, body bytes)."""
        rows = self._db.execute(
            "SELECT epoch, lsn, body FROM log WHERE lsn >= ? ORDER BY lsn LIMIT ?",
            (from_lsn, limit),
        )
        return [(epoch, lsn, body.encode("utf-8")) for epoch, lsn, body in rows]

    def append(self, records):
        """Apply records received from the primary, in one transaction.

        ``records`` are (epoch, lsn, body bytes) with dense LSNs following
        `last_lsn`. Raises ValueError on a gap; nothing is applied then.
        """
        db = self._db
        db.execute("BEGIN IMMEDIATE")
        try:
            expected = self.last_lsn() + 1
            for epoch, lsn, body in records:
                if lsn != expected:
                    raise ValueError(f"log gap: expected LSN {expected}, got {lsn}")
                text = body.decode("utf-8")
                apply(db, json.loads(text))
                db.execute(
                    "INSERT INTO log (lsn, epoch, body) VALUES (?, ?, ?)",
                    (lsn, epoch, text),
                )
                expected += 1
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")
        return expected - 1

    def trim_log(self, keep_records):
        """Forget all but the newest ``keep_records`` (at least one) records."""
        last = self.last_lsn()
        self._db.execute(
            "DELETE FROM log WHERE lsn <= ?", (last - max(keep_records, 1),)
        )

    def snapshot_to(self, path):
        """Write a consistent copy of the database to ``path``.

        Returns (lsn, epoch) of the last record it holds. Blocks while it
        copies; the copy is taken between two transactions.
        """
        target = sqlite3.connect(path)
        try:
            self._db.backup(target)
        finally:
            target.close()
        lsn = self.last_lsn()
        return lsn, self.epoch_at(lsn) or 0

    def restore_from(self, path):
        """Replace this database with the snapshot at ``path``, in place.

        Every reader of this Storage sees the restored data afterwards.
        """
        self._db.close()
        for suffix in ("-wal", "-shm"):
            if os.path.exists(self.path + suffix):
                os.remove(self.path + suffix)
        os.replace(path, self.path)
        self._db = self._open()

    def commit(self, epoch, record):
        """Apply ``record`` and log it as the next LSN, atomically.

        Returns the LSN. Raises sqlite3 errors unchanged; nothing is
        applied or logged when it raises.
        """
        db = self._db
        db.execute("BEGIN IMMEDIATE")
        try:
            apply(db, record)
            lsn = self.last_lsn() + 1
            db.execute(
                "INSERT INTO log (lsn, epoch, body) VALUES (?, ?, ?)",
                (lsn, epoch, json.dumps(record, separators=(",", ":"))),
            )
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")
        return lsn
