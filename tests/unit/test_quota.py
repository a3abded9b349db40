"""The monthly upload quota: what counts, when it is refused, when it resets."""

import datetime

import pytest
from noteshard import CODES, Shard, enml, media, resource, table_rows

from notestore import quota
from notestore.edam import Errors, Types
from shard.storage import Storage

pytestmark = pytest.mark.timeout(30)

LIMIT = 10_000
BODY = b"\x89PNG" + bytes(range(256)) * 4  # 1,028 bytes


def _utc_ms(*when):
    moment = datetime.datetime(*when, tzinfo=datetime.timezone.utc)
    return int(moment.timestamp() * 1000)


@pytest.fixture
def shard(tmp_path):
    node = Shard(tmp_path, upload_limit=LIMIT)
    yield node
    node.storage.close()


def _size(text):
    return len(text.encode("utf-8"))


def _uploaded(shard, token):
    return shard.service.getSyncState(token).uploaded


@pytest.mark.parametrize(
    ("ms", "month", "end"),
    [
        (_utc_ms(2026, 12, 3, 21, 37), "2026-12", _utc_ms(2027, 1, 1)),
        (_utc_ms(2026, 1, 31, 23, 59, 59), "2026-01", _utc_ms(2026, 2, 1)),
        (_utc_ms(2026, 2, 1) - 1, "2026-01", _utc_ms(2026, 2, 1)),
        (_utc_ms(2026, 2, 1), "2026-02", _utc_ms(2026, 3, 1)),
    ],
)
def test_months_are_utc_calendar_months(ms, month, end):
    assert quota.month_of(ms) == month
    assert quota.month_end_ms(ms) == end


def test_a_new_account_has_uploaded_nothing(shard, token):
    assert _uploaded(shard, token) == 0


def test_a_new_note_counts_its_enml_and_its_bodies(shard, token):
    content = enml(media(BODY))
    shard.create_note(token, content=content, resources=[resource(BODY)])

    assert _uploaded(shard, token) == _size(content) + len(BODY)


def test_an_update_counts_only_what_is_new(shard, token):
    content = enml(media(BODY))
    note = shard.create_note(token, content=content, resources=[resource(BODY)])
    before = _uploaded(shard, token)

    # Same content, same resource (as the service returned it, without
    # its body): nothing new.
    shard.service.updateNote(
        token, Types.Note(guid=note.guid, title="Renamed", resources=note.resources)
    )
    assert _uploaded(shard, token) == before

    changed = enml(media(BODY) + "more text")
    shard.service.updateNote(
        token, Types.Note(guid=note.guid, title="Renamed", content=changed)
    )
    assert _uploaded(shard, token) == before + _size(changed)


def test_a_copy_counts_everything_it_holds(shard, token):
    content = enml(media(BODY))
    note = shard.create_note(token, content=content, resources=[resource(BODY)])
    before = _uploaded(shard, token)

    shard.service.copyNote(token, note.guid, note.notebookGuid)

    assert _uploaded(shard, token) == 2 * before


def _refused(call, *args, **fields):
    with pytest.raises(Errors.EDAMUserException) as info:
        call(*args, **fields)
    assert (info.value.errorCode, info.value.parameter) == (
        CODES.QUOTA_REACHED,
        "Accounting.uploadLimit",
    )


def test_a_write_past_the_limit_is_refused_and_changes_nothing(shard, token):
    big = enml("x" * (LIMIT - 1_000))
    note = shard.create_note(token, content=big)
    used = _uploaded(shard, token)
    count = shard.update_count(token)
    rows = table_rows(shard.db_path)

    _refused(
        shard.create_note,
        token,
        content=enml(media(BODY) * 2),
        resources=[resource(BODY)],
    )
    _refused(shard.service.copyNote, token, note.guid, note.notebookGuid)
    assert _uploaded(shard, token) == used
    assert shard.update_count(token) == count
    assert table_rows(shard.db_path) == rows
    # What still fits is taken.
    shard.create_note(token, content=enml("small"))


def test_the_limit_is_per_user(shard, token, other_token):
    shard.create_note(token, content=enml("x" * (LIMIT - 500)))

    shard.create_note(other_token, content=enml("y" * (LIMIT - 500)))
    assert _uploaded(shard, other_token) > LIMIT - 500


def test_a_new_month_starts_from_nothing(shard):
    shard.clock.now_s = _utc_ms(2026, 11, 30, 23) / 1000
    token = shard.token(lifetime_s=7 * 86400)
    shard.create_note(token, content=enml("x" * (LIMIT - 500)))
    _refused(shard.create_note, token, content=enml("y" * 1000))

    shard.clock.now_s = _utc_ms(2026, 12, 1) / 1000
    assert _uploaded(shard, token) == 0
    shard.create_note(token, content=enml("y" * 1000))
    months = table_rows(shard.db_path)["uploads"]
    assert [row[1] for row in months] == ["2026-12"]  # November's row is gone


def test_no_limit_counts_but_never_refuses(tmp_path):
    shard = Shard(tmp_path)
    token = shard.token()
    content = enml("x" * (LIMIT * 2))

    shard.create_note(token, content=content)

    assert _uploaded(shard, token) == _size(content)
    shard.storage.close()


def test_a_replica_counts_the_same_uploads(shard, token, tmp_path):
    note = shard.create_note(
        token, content=enml(media(BODY)), resources=[resource(BODY)]
    )
    shard.service.copyNote(token, note.guid, note.notebookGuid)
    replica_path = tmp_path / "replica.sqlite3"
    replica = Storage(str(replica_path))

    replica.append(shard.storage.records_since(1, 1000))
    replica.close()

    assert table_rows(replica_path) == table_rows(shard.db_path)
    assert table_rows(replica_path)["uploads"]
