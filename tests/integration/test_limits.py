"""Limits on a real cluster, as clients see them: the router's rate limits
(NoteStore calls per user and application: RATE_LIMIT_REACHED; failed
logins per username: PERMISSION_DENIED) and the shards' monthly upload
quota (QUOTA_REACHED)."""

import pytest

from notestore.client import connect
from notestore.cluster import Cluster
from notestore.edam import Errors, NoteStore, Types

pytestmark = [pytest.mark.integration, pytest.mark.timeout(120)]

CALLS = 10  # more than any one test makes, except the rate limit test
WINDOW_S = 3600
LOGIN_FAILURES = 2
LOGIN_WINDOW_S = 600
UPLOAD_LIMIT = 20_000
ENML = '<?xml version="1.0" encoding="UTF-8"?><en-note>{}</en-note>'
RATE_LIMIT_REACHED = Errors.EDAMErrorCode.RATE_LIMIT_REACHED


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    cluster = Cluster(
        tmp_path_factory.mktemp("ratelimits"),
        shards=("s1",),
        nodes=("a",),
        shard_options=[f"--upload-limit={UPLOAD_LIMIT}"],
        router_options=[
            f"--rate-limit={CALLS}",
            f"--rate-window={WINDOW_S}",
            f"--login-failures={LOGIN_FAILURES}",
            f"--login-window={LOGIN_WINDOW_S}",
        ],
    )
    try:
        cluster.start()
    except Exception:
        cluster.stop()
        raise
    yield cluster
    cluster.stop()


@pytest.fixture
def session(cluster):
    info = cluster.router.info
    session = connect(info["host"], info["tcp_port"])
    yield session
    session.close()


def _login(session, username, password, app):
    result = session.raw_user_store.authenticateLongSession(
        username, password, app, "secret", "device", "a test", False
    )
    return result.authenticationToken


def _refusal(call, *args):
    with pytest.raises(Errors.EDAMSystemException) as info:
        call(*args)
    assert info.value.errorCode == RATE_LIMIT_REACHED
    return info.value.rateLimitDuration


def test_calls_past_the_limit_are_refused_per_user_and_application(cluster, session):
    _, token = cluster.create_user("busy", "busy-password")
    note_store = session.raw_note_store

    for _ in range(CALLS):
        assert note_store.getSyncState(token).updateCount >= 1
    assert _refusal(note_store.getSyncState, token) == WINDOW_S // CALLS
    assert _refusal(note_store.listNotebooks, token) == WINDOW_S // CALLS

    # The same connection goes on serving, and the same user through
    # another application has its own allowance.
    other = _login(session, "busy", "busy-password", "other-app")
    assert [nb.name for nb in note_store.listNotebooks(other)]
    assert session.raw_user_store.getUser(token).username == "busy"


def test_failed_logins_past_the_limit_refuse_the_username(cluster, session):
    cluster.create_user("guessed", "right-password")
    cluster.create_user("bystander", "other-password")

    for _ in range(LOGIN_FAILURES):
        with pytest.raises(Errors.EDAMUserException) as info:
            _login(session, "guessed", "wrong-password", "app")
        assert info.value.parameter == "password"
    with pytest.raises(Errors.EDAMUserException) as info:
        _login(session, "guessed", "right-password", "app")

    assert info.value.errorCode == Errors.EDAMErrorCode.PERMISSION_DENIED
    assert info.value.parameter == "User.tooManyFailuresTryAgainLater"
    assert _login(session, "bystander", "other-password", "app")


def test_uploads_past_the_monthly_quota_are_refused(cluster, session):
    _, token = cluster.create_user("uploader", "uploader-password")
    user_store, note_store = session.raw_user_store, session.raw_note_store
    assert user_store.getUser(token).accounting.uploadLimit == UPLOAD_LIMIT
    content = ENML.format("x" * (UPLOAD_LIMIT // 3))

    note_store.createNote(token, Types.Note(title="one", content=content))
    note_store.createNote(token, Types.Note(title="two", content=content))
    uploaded = note_store.getSyncState(token).uploaded
    assert uploaded == 2 * len(content)
    with pytest.raises(Errors.EDAMUserException) as info:
        note_store.createNote(token, Types.Note(title="three", content=content))

    assert info.value.errorCode == Errors.EDAMErrorCode.QUOTA_REACHED
    assert info.value.parameter == "Accounting.uploadLimit"
    assert note_store.getSyncState(token).uploaded == uploaded
    found = note_store.findNotesMetadata(
        token,
        NoteStore.NoteFilter(),
        0,
        10,
        NoteStore.NotesMetadataResultSpec(includeTitle=True),
    )
    assert sorted(note.title for note in found.notes) == ["one", "two"]
