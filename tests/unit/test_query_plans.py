"""Query plans of the reads that must stay fast on large accounts.

SQLite plans these without statistics, from the schema alone, so a small
database gets the plan a large one would. Each read is traced to find the
SQL it runs, and that SQL's plan is checked for the index it must use.
"""

import pytest

from shard.storage import Storage

pytestmark = pytest.mark.timeout(30)

GUIDS = [f"00000000-0000-0000-0000-{i:012d}" for i in range(50)]


@pytest.fixture
def storage(tmp_path):
    storage = Storage(tmp_path / "shard.sqlite3")
    yield storage
    storage.close()


def _plans(storage, read):
    """The query plan of every statement ``read()`` runs."""
    statements = []
    storage._db.set_trace_callback(statements.append)
    try:
        read()
    finally:
        storage._db.set_trace_callback(None)
    return [
        " / ".join(row[3] for row in storage._db.execute(f"EXPLAIN QUERY PLAN {sql}"))
        for sql in statements
        if sql.lstrip().upper().startswith("SELECT")
    ]


def test_metadata_of_a_page_of_notes_looks_each_guid_up(storage):
    # With the account's (user_id, usn) index instead, a page of 50 notes
    # scanned every note of the account: 200 ms at 100,000 notes.
    plans = _plans(storage, lambda: storage.notes_meta_of(1, GUIDS))

    assert plans
    for plan in plans:
        assert "sqlite_autoindex_notes_1 (guid=?)" in plan, plan
        assert "notes_by_user_usn" not in plan, plan
