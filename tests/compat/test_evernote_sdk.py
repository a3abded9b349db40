"""The unmodified evernote3 SDK against a whole local cluster (DESIGN.md §2, §9).

The SDK lives in a virtualenv of its own: its bundled ``thrift`` package
clashes with the official one. sdk_script.py runs there, drives the SDK
over HTTP through the router and prints what it saw; the tests here assert
on that report. The virtualenv is built once and reused; set
NOTESTORE_SDK_VENV to put it elsewhere.
"""

import contextlib
import fcntl
import hashlib
import json
import os
import subprocess
import sys
import types
import uuid
from pathlib import Path

import pytest

from notestore.client import connect
from notestore.cluster import Cluster, ClusterPorts
from notestore.services import ServiceError, free_port

pytestmark = [
    pytest.mark.compat,
    pytest.mark.integration,
    # The first test builds the SDK virtualenv (pip) and starts the cluster.
    pytest.mark.timeout(600),
]

HERE = Path(__file__).resolve().parent
SDK_SCRIPT = HERE / "sdk_script.py"
DEFAULT_SDK_VENV = HERE.parents[1] / ".venvs" / "evernote3-sdk"
# oauth2 is the SDK's undeclared dependency; it imports distutils, which
# Python 3.12 dropped and setuptools brings back.
SDK_REQUIREMENTS = ("evernote3==1.25.14", "oauth2", "setuptools")
SDK_IMPORT_CHECK = "import evernote.api.client"
VENV_TIMEOUT_S = 120
PIP_TIMEOUT_S = 420
SCRIPT_TIMEOUT_S = 180
CLUSTER_START_TIMEOUT_S = 120

# EDAMErrorCode and TApplicationException.type values, from the public IDL.
DATA_REQUIRED = 5
INVALID_AUTH = 8
ENML_VALIDATION = 11
UNKNOWN_METHOD = 1

ENML_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<!DOCTYPE en-note SYSTEM "http://xml.evernote.com/pub/enml2.dtd">'
)
NOTE = {
    "title": "Written by the evernote3 SDK",
    "content": ENML_HEAD + "<en-note><div>Hello&nbsp;world</div>"
    "<div><b>bold</b> and <i>italic</i></div></en-note>",
    "tagNames": ["sdk-compat", "Second Tag"],
}
UPDATE = {
    "title": "Updated by the evernote3 SDK",
    "content": ENML_HEAD + "<en-note><p>Grüße, naïve café&nbsp;!</p></en-note>",
    # "second tag" names the existing "Second Tag": names ignore case.
    "tagNames": ["second tag", "added later"],
}
DEFAULT_NOTEBOOK = "First Notebook"


# The SDK's virtualenv


@pytest.fixture(scope="session")
def sdk_python():
    """The python of the SDK virtualenv, built unless it already works."""
    venv = Path(os.environ.get("NOTESTORE_SDK_VENV") or DEFAULT_SDK_VENV)
    python = venv / "bin" / "python"
    venv.parent.mkdir(parents=True, exist_ok=True)
    with _exclusive_lock(venv.with_name(venv.name + ".lock")):
        if not _has_sdk(python):
            _build_sdk_venv(venv, python)
    return python


@contextlib.contextmanager
def _exclusive_lock(path):
    # tox may run environments in parallel; they share one SDK virtualenv.
    with open(path, "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _has_sdk(python):
    if not python.exists():
        return False
    check = [str(python), "-I", "-c", SDK_IMPORT_CHECK]
    return subprocess.run(check, capture_output=True, timeout=60).returncode == 0


def _build_sdk_venv(venv, python):
    _run_or_fail([sys.executable, "-m", "venv", "--clear", str(venv)], VENV_TIMEOUT_S)
    _run_or_fail(
        [str(python), "-m", "pip", "install", "--quiet", *SDK_REQUIREMENTS],
        PIP_TIMEOUT_S,
    )


def _run_or_fail(command, timeout_s):
    done = subprocess.run(command, capture_output=True, text=True, timeout=timeout_s)
    if done.returncode != 0:
        pytest.fail(
            f"{' '.join(command)} exited {done.returncode}\n{done.stdout}{done.stderr}"
        )


# The cluster


@pytest.fixture(scope="module")
def cluster(tmp_path_factory, request):
    """A running cluster whose public URL names localhost, not 127.0.0.1.

    The SDK sends ``Host: 127.0.0.1`` without the port, so a URL built from
    the Host header would differ from the configured one.
    """
    http_port = free_port()
    running = Cluster(
        tmp_path_factory.mktemp("cluster"),
        ports=ClusterPorts(http=http_port),
        public_url=f"http://localhost:{http_port}",
    )
    failed_before = request.session.testsfailed
    try:
        _start_cluster(running, request)
        yield running
        if request.session.testsfailed > failed_before:
            _dump_log_tails(request, [running.router, *running.shards.values()])
    finally:
        running.stop()


def _start_cluster(cluster, request):
    try:
        cluster.start(timeout_s=CLUSTER_START_TIMEOUT_S)
    except ServiceError as exc:
        processes = [cluster.zookeeper, cluster.mariadb, *cluster.shards.values()]
        _dump_log_tails(request, [*processes, cluster.router])
        pytest.fail(f"the cluster did not start: {exc}")


def _dump_log_tails(request, processes):
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    for process in processes:
        if process is None:
            continue
        text = f"--- {process.name} log tail ({process.log_path}) ---\n"
        text += process.log_tail()
        if reporter is not None:
            reporter.write_line(text)
        else:
            print(text, file=sys.stderr)


# One run of the SDK script, shared by the tests below


@pytest.fixture(scope="module")
def sdk_run(sdk_python, cluster, tmp_path_factory):
    username = f"sdk{uuid.uuid4().hex[:12]}"
    password = f"pw-{uuid.uuid4().hex}"
    user, token = cluster.create_user(username, password)
    info = cluster.describe()
    args = {
        "userstore_url": info["userstore_url"],
        "router_url": f"http://{info['router_http']}",
        "username": username,
        "password": password,
        "developer_token": token,
        "shard": user.shard_id,
        "notebook_name": f"SDK notebook {uuid.uuid4().hex[:8]}",
        "unknown_guid": str(uuid.uuid4()),
        "note": NOTE,
        "update": UPDATE,
    }
    args_path = tmp_path_factory.mktemp("sdk") / "args.json"
    args_path.write_text(json.dumps(args))
    observed = _run_sdk_script(sdk_python, args_path)
    return types.SimpleNamespace(
        observed=observed, args=args, user=user, token=token, info=info
    )


def _run_sdk_script(python, args_path):
    # -I: neither PYTHONPATH nor this directory may put the project's thrift
    # packages next to the SDK's.
    command = [str(python), "-I", str(SDK_SCRIPT), str(args_path)]
    try:
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=SCRIPT_TIMEOUT_S
        )
    except subprocess.TimeoutExpired as exc:
        pytest.fail(f"sdk_script.py ran over {SCRIPT_TIMEOUT_S} s\n{exc.stderr}")
    if done.returncode != 0:
        pytest.fail(f"sdk_script.py exited {done.returncode}\n{done.stderr}")
    return json.loads(done.stdout)


def _md5_hex(text):
    return hashlib.md5(text.encode("utf-8")).hexdigest()


def _note_store_url(run):
    return run.info["notestore_url_template"].format(shard=run.user.shard_id)


# UserStore


def test_check_version_accepts_the_sdk_and_refuses_older(sdk_run):
    versions = sdk_run.observed["checkVersion"]

    assert versions["sdk_version"] == [1, 25]
    assert (versions["sdk"], versions["older_minor"], versions["newer_major"]) == (
        True,
        False,
        False,
    )


def test_long_session_login_returns_user_token_and_urls(sdk_run):
    auth = sdk_run.observed["authenticateLongSession"]
    fields = auth["token_fields"]
    public_base = sdk_run.info["userstore_url"].removesuffix("/edam/user")

    assert {"S", "U", "E", "C", "A"} <= fields.keys()
    assert fields["S"] == sdk_run.user.shard_id
    assert int(fields["U"], 16) == sdk_run.user.id
    assert int(fields["E"], 16) == auth["expiration"] > auth["currentTime"]
    assert auth["user"]["username"] == sdk_run.args["username"]
    assert auth["noteStoreUrl"] == _note_store_url(sdk_run)
    assert auth["webApiUrlPrefix"] == f"{public_base}/shard/{sdk_run.user.shard_id}/"


@pytest.mark.parametrize("kind", ["session", "developer"])
def test_get_user_and_note_store_url_with_either_token(sdk_run, kind):
    user = sdk_run.observed["getUser"][kind]

    assert (user["id"], user["username"]) == (sdk_run.user.id, sdk_run.args["username"])
    assert (user["shardId"], user["active"]) == (sdk_run.user.shard_id, True)
    assert sdk_run.observed["getNoteStoreUrl"][kind] == _note_store_url(sdk_run)
    assert _note_store_url(sdk_run).startswith("http://localhost:")


# NoteStore


def test_notebooks_include_the_created_one_and_one_default(sdk_run):
    observed = sdk_run.observed
    created = observed["createNotebook"]
    before = observed["notebooks_before"]
    after = observed["listNotebooks"]

    assert [(nb["name"], nb["defaultNotebook"]) for nb in before] == [
        (DEFAULT_NOTEBOOK, True)
    ]
    assert created["name"] == sdk_run.args["notebook_name"]
    assert created["defaultNotebook"] is False
    assert created in after
    assert len(after) == 2
    assert [nb["guid"] for nb in after if nb["defaultNotebook"]] == [before[0]["guid"]]


def test_created_note_reads_back_as_sent(sdk_run):
    observed = sdk_run.observed
    created, fetched = observed["createNote"], observed["getNote"]
    notebook_guid = observed["createNotebook"]["guid"]

    assert created["title"] == fetched["title"] == NOTE["title"]
    assert fetched["content"] == observed["getNoteContent"] == NOTE["content"]
    assert created["contentHash"] == fetched["contentHash"] == _md5_hex(NOTE["content"])
    assert created["contentLength"] == fetched["contentLength"] == len(NOTE["content"])
    assert created["notebookGuid"] == fetched["notebookGuid"] == notebook_guid
    assert created["guid"] == fetched["guid"]
    assert created["active"] is fetched["active"] is True
    assert len(set(created["tagGuids"])) == len(NOTE["tagNames"])
    assert sorted(fetched["tagGuids"]) == sorted(created["tagGuids"])


def test_updated_note_reads_back_with_reused_and_new_tags(sdk_run):
    observed = sdk_run.observed
    created = observed["createNote"]
    updated, fetched = observed["updateNote"], observed["getNote_after_update"]
    second_tag = created["tagGuids"][NOTE["tagNames"].index("Second Tag")]
    new_tags = set(fetched["tagGuids"]) - {second_tag}

    assert updated["guid"] == fetched["guid"] == created["guid"]
    assert updated["title"] == fetched["title"] == UPDATE["title"]
    assert fetched["content"] == observed["getNoteContent_after_update"]
    assert fetched["content"] == UPDATE["content"]
    assert (
        updated["contentHash"] == fetched["contentHash"] == _md5_hex(UPDATE["content"])
    )
    assert fetched["contentLength"] == len(UPDATE["content"])
    assert fetched["notebookGuid"] == created["notebookGuid"]
    assert fetched["created"] == created["created"]
    assert fetched["updateSequenceNum"] > created["updateSequenceNum"]
    assert second_tag in fetched["tagGuids"]
    assert len(fetched["tagGuids"]) == 2
    assert len(new_tags) == 1
    assert not new_tags & set(created["tagGuids"])


def test_sync_state_counts_every_change_and_no_linked_notebooks(sdk_run):
    observed = sdk_run.observed
    notebook_usn = observed["createNotebook"]["updateSequenceNum"]
    note_usn = observed["createNote"]["updateSequenceNum"]
    last_usn = observed["getNote_after_update"]["updateSequenceNum"]

    assert notebook_usn < note_usn < last_usn
    assert observed["getSyncState"]["updateCount"] == last_usn
    assert observed["getSyncState"]["currentTime"] > 0
    assert observed["listLinkedNotebooks"] == []


def test_every_path_an_sdk_builds_is_routed(sdk_run):
    names = sorted([DEFAULT_NOTEBOOK, sdk_run.args["notebook_name"]])

    assert sdk_run.observed["paths"] == {
        "//edam/user getUser": sdk_run.args["username"],
        "/edam/note/<shard> listNotebooks": names,
        "/edam/note/<shard> getSyncState": (
            sdk_run.observed["getSyncState"]["updateCount"]
        ),
    }


def test_one_connection_carries_several_calls(sdk_run):
    calls = sdk_run.observed["keep_alive"]

    assert [call["username"] for call in calls] == [sdk_run.args["username"]] * 2
    assert {call["status"] for call in calls} == {200}
    assert {call["content_type"] for call in calls} == {"application/x-thrift"}
    assert calls[0]["will_close"] is False
    assert calls[0]["local_port"] == calls[1]["local_port"]


# Errors


def _user_error(code, parameter):
    return {"type": "EDAMUserException", "errorCode": code, "parameter": parameter}


_AUTH_ERROR = _user_error(INVALID_AUTH, "authenticationToken")
_UNKNOWN_METHOD = {"type": "TApplicationException", "kind": UNKNOWN_METHOD}
EXPECTED_ERRORS = {
    "wrong password": _user_error(INVALID_AUTH, "password"),
    "getUser forged signature": _AUTH_ERROR,
    "getUser forged user": _AUTH_ERROR,
    "getUser garbage token": _AUTH_ERROR,
    "listNotebooks forged signature": _AUTH_ERROR,
    "listNotebooks forged user": _AUTH_ERROR,
    "createNote without title": _user_error(DATA_REQUIRED, "Note.title"),
    "updateNote without title": _user_error(DATA_REQUIRED, "Note.title"),
    "createNote invalid ENML": {"type": "EDAMUserException", "errorCode": 11},
    "createNote forbidden element": {"type": "EDAMUserException", "errorCode": 11},
    "getNote unknown guid": {
        "type": "EDAMNotFoundException",
        "identifier": "Note.guid",
    },
    "getNoteContent unknown guid": {
        "type": "EDAMNotFoundException",
        "identifier": "Note.guid",
    },
    "emailNote": _UNKNOWN_METHOD,
    "shareNote": _UNKNOWN_METHOD,
    "getPremiumInfo": _UNKNOWN_METHOD,
}


@pytest.mark.parametrize("case", sorted(EXPECTED_ERRORS))
def test_error_arrives_typed(sdk_run, case):
    expected = EXPECTED_ERRORS[case]
    outcome = sdk_run.observed["errors"][case]

    assert {key: outcome.get(key) for key in expected} == expected, outcome
    if outcome.get("errorCode") == ENML_VALIDATION:
        # EDAM puts the validator's message in ``parameter``.
        assert outcome["parameter"]
    if expected["type"] == "EDAMNotFoundException":
        assert outcome["key"] == sdk_run.args["unknown_guid"]


def test_every_error_case_was_run(sdk_run):
    assert sorted(sdk_run.observed["errors"]) == sorted(EXPECTED_ERRORS)


def test_service_answers_after_the_errors(sdk_run, cluster):
    after = sdk_run.observed["after_errors"]
    names = sorted([DEFAULT_NOTEBOOK, sdk_run.args["notebook_name"]])
    host, port = sdk_run.info["router_tcp"].rsplit(":", 1)
    note_guid = sdk_run.observed["createNote"]["guid"]

    assert after == {
        "getUser": sdk_run.args["username"],
        "listNotebooks": names,
        "getNote title": UPDATE["title"],
    }
    with connect(host, int(port), sdk_run.token) as session:
        assert session.user_store.getUser().username == sdk_run.args["username"]
        note = session.note_store.getNote(note_guid, True, False, False, False)
    assert (note.title, note.content) == (UPDATE["title"], UPDATE["content"])
    assert not any(p.exited for p in [cluster.router, *cluster.shards.values()])


# The SDK's high-level client


def test_evernote_client_with_a_developer_token(sdk_run):
    client = sdk_run.observed["EvernoteClient"]

    assert client["userstore_url"] == f"{sdk_run.args['router_url']}//edam/user"
    assert client["getUser"] == sdk_run.args["username"]
    assert client["listNotebooks"] == sorted(
        [DEFAULT_NOTEBOOK, sdk_run.args["notebook_name"]]
    )


# Sync: the SDK pages through getFilteredSyncChunk, 3 entries a chunk


def _entries(chunks):
    return [tuple(entry) for chunk in chunks for entry in chunk["entries"]]


def _expunged(chunks):
    return [tuple(entry) for chunk in chunks for entry in chunk["expunged"]]


def _synced_notes(chunks):
    return {note["guid"]: note for chunk in chunks for note in chunk["notes"]}


def test_full_sync_sees_every_object_exactly_once(sdk_run):
    sync = sdk_run.observed["sync"]
    seen = [entry for entry in _entries(sync["full"]) if entry[0] != "resource"]

    assert len(seen) == len({guid for _, guid, _ in seen})
    assert sorted(seen) == sorted(tuple(obj) for obj in sync["state_after_full"])
    kinds = {kind for kind, _, _ in seen}
    assert kinds == {"note", "notebook", "tag", "search"}
    assert sync["listLinkedNotebooks"] == 0


def test_full_sync_has_every_expunged_guid_once(sdk_run):
    sync = sdk_run.observed["sync"]
    expunged = _expunged(sync["full"])
    live = {guid for _, guid, _ in _entries(sync["full"])}

    assert set(sync["made"]["expunged"].items()) <= set(expunged)
    assert len(expunged) == len(set(expunged))
    assert not live & {guid for _, guid in expunged}


def test_full_sync_chunks_ascend_and_end_at_the_update_count(sdk_run):
    sync = sdk_run.observed["sync"]
    chunks = sync["full"]
    usns = []

    for previous, chunk in zip([None, *chunks[:-1]], chunks, strict=True):
        if previous is not None:
            assert chunk["afterUSN"] == previous["chunkHighUSN"]
        chunk_usns = [usn for _, _, usn in chunk["entries"]]
        assert len(chunk["entries"]) + len(chunk["expunged"]) <= 3
        assert all(
            chunk["afterUSN"] < usn <= chunk["chunkHighUSN"] for usn in chunk_usns
        )
        usns.extend(sorted(chunk_usns))
    assert usns == sorted(usns)
    highs = [chunk["chunkHighUSN"] for chunk in chunks]
    assert highs == sorted(set(highs))
    assert highs[-1] == chunks[-1]["updateCount"] == sync["updateCount_after_full"]


def test_synced_notes_carry_metadata_but_no_content_or_bodies(sdk_run):
    sync = sdk_run.observed["sync"]
    made = sync["made"]
    notes = _synced_notes(sync["full"])

    image = notes[made["image_note"]]
    (resource,) = image["resources"]
    assert image["content"] is None
    assert resource["has_body"] is False
    assert (resource["bodyHash"], resource["size"]) == (
        made["png"]["md5"],
        made["png"]["size"],
    )
    assert resource == made["image_resource"]
    assert resource["fileName"] == "image.png"
    assert notes[made["trashed"]]["active"] is False
    moved = notes[made["in_doomed"]]
    assert moved["active"] is False
    assert moved["notebookGuid"] != made["expunged"]["notebook"]
    child = made["tags"][1]
    assert notes[made["notes"][2]]["tagGuids"] == [child]


def test_incremental_sync_sees_exactly_the_new_changes(sdk_run):
    sync = sdk_run.observed["sync"]
    changes = sync["changes"]
    after = sync["updateCount_after_full"]
    chunks = sync["incremental"]

    seen = _entries(chunks)
    assert sorted((kind, guid) for kind, guid, _ in seen) == sorted(
        [
            ("note", changes["created_note"]),
            ("note", changes["renamed_note"]),
            ("tag", changes["tag"]),
            ("notebook", changes["notebook"]),
            ("resource", changes["resource"]),
        ]
    )
    assert _expunged(chunks) == [("note", changes["expunged_note"])]
    assert all(usn > after for _, _, usn in seen)
    assert chunks[-1]["chunkHighUSN"] == chunks[-1]["updateCount"]
    renamed = _synced_notes(chunks)[changes["renamed_note"]]
    assert renamed["title"] == "Renamed after the sync"
    changed_since = {
        (kind, guid)
        for kind, guid, usn in sync["state_after_incremental"]
        if usn > after
    }
    assert changed_since == {(k, g) for k, g, _ in seen if k != "resource"}
