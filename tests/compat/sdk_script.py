"""Drive the unmodified evernote3 SDK against a running NoteStore router.

Run by the SDK virtualenv's own python, never by the project's: it imports
only the standard library and the SDK (whose bundled ``thrift`` package
must not meet the official one). test_evernote_sdk.py writes the argument
file and asserts on what this script prints.

    python sdk_script.py ARGS.json

ARGS.json holds ``userstore_url``, ``router_url``, ``username``,
``password``, ``developer_token``, ``shard``, ``notebook_name``,
``unknown_guid``, ``note`` and ``update`` (title, content, tagNames).
The script prints one JSON object with every value and error it observed
and exits 0; on anything it did not expect it prints what it had observed
so far and a traceback to stderr and exits non-zero.
"""

import hashlib
import http.client
import inspect
import io
import json
import sys
import urllib.parse

import evernote.edam.error.ttypes as Errors
import evernote.edam.notestore.NoteStore as NoteStore
import evernote.edam.type.ttypes as Types
import evernote.edam.userstore.constants as UserStoreConstants
import evernote.edam.userstore.UserStore as UserStore
from thrift.protocol.TBinaryProtocol import TBinaryProtocol
from thrift.Thrift import TApplicationException
from thrift.transport.THttpClient import THttpClient

HTTP_TIMEOUT_MS = 30_000
CLIENT_NAME = "notestore-compat-test"


def main(argv):
    with open(argv[1], encoding="utf-8") as handle:
        args = json.load(handle)
    observed = {"python": sys.version.split()[0]}
    try:
        _run(args, observed)
    except BaseException:
        print(json.dumps(observed, indent=2, sort_keys=True), file=sys.stderr)
        raise
    print(json.dumps(observed, sort_keys=True))
    return 0


def _run(args, observed):
    session_token = _check_user_store(args, observed)
    note_store_url = observed["getNoteStoreUrl"]["session"]
    note_guid = _check_note_store(args, note_store_url, session_token, observed)
    _check_paths(args, observed)
    _check_keep_alive(args, observed)
    _check_errors(args, note_store_url, note_guid, observed)
    _check_high_level_client(args, observed)
    # Last: it adds objects that the checks above do not expect.
    _check_sync(args, note_store_url, observed)


# Clients


def _user_store(url):
    return UserStore.Client(TBinaryProtocol(_http(url)))


def _note_store(url):
    return NoteStore.Client(TBinaryProtocol(_http(url)))


def _http(url):
    transport = THttpClient(url)
    transport.setTimeout(HTTP_TIMEOUT_MS)
    return transport


# UserStore


def _check_user_store(args, observed):
    user_store = _user_store(args["userstore_url"])
    observed["checkVersion"] = _check_versions(user_store)
    result = user_store.authenticateLongSession(
        args["username"],
        args["password"],
        "compat-consumer",
        "compat-secret",
        "compat-device",
        "evernote3 SDK compatibility test",
        False,
    )
    observed["authenticateLongSession"] = _auth_result(result)
    tokens = {
        "session": result.authenticationToken,
        "developer": args["developer_token"],
    }
    observed["getUser"] = {
        kind: _user(user_store.getUser(token)) for kind, token in tokens.items()
    }
    observed["getNoteStoreUrl"] = {
        kind: user_store.getNoteStoreUrl(token) for kind, token in tokens.items()
    }
    return result.authenticationToken


def _check_versions(user_store):
    major = UserStoreConstants.EDAM_VERSION_MAJOR
    minor = UserStoreConstants.EDAM_VERSION_MINOR
    return {
        "sdk_version": [major, minor],
        "sdk": user_store.checkVersion(CLIENT_NAME, major, minor),
        "older_minor": user_store.checkVersion(CLIENT_NAME, major, 24),
        "newer_major": user_store.checkVersion(CLIENT_NAME, major + 1, 0),
    }


def _auth_result(result):
    token = result.authenticationToken
    return {
        "token_fields": dict(part.split("=", 1) for part in token.split(":")),
        "user": _user(result.user),
        "noteStoreUrl": result.noteStoreUrl,
        "webApiUrlPrefix": result.webApiUrlPrefix,
        "currentTime": result.currentTime,
        "expiration": result.expiration,
    }


# NoteStore, the sequence a simple client runs


def _check_note_store(args, url, session_token, observed):
    token = args["developer_token"]
    note_store = _note_store(url)
    observed["notebooks_before"] = _notebooks(note_store.listNotebooks(token))
    notebook = note_store.createNotebook(
        session_token, Types.Notebook(name=args["notebook_name"])
    )
    observed["createNotebook"] = _notebook(notebook)

    created = note_store.createNote(session_token, _new_note(args["note"], notebook))
    observed["createNote"] = _note(created)
    fetched = note_store.getNote(token, created.guid, True, False, False, False)
    observed["getNote"] = _note(fetched)
    observed["listNotebooks"] = _notebooks(note_store.listNotebooks(token))
    observed["getNoteContent"] = note_store.getNoteContent(token, created.guid)

    change = _changed_note(args["update"], created.guid)
    observed["updateNote"] = _note(note_store.updateNote(session_token, change))
    fetched = note_store.getNote(token, created.guid, True, False, False, False)
    observed["getNote_after_update"] = _note(fetched)
    observed["getNoteContent_after_update"] = note_store.getNoteContent(
        token, created.guid
    )
    observed["getSyncState"] = _sync_state(note_store.getSyncState(token))
    observed["listLinkedNotebooks"] = [
        repr(linked) for linked in note_store.listLinkedNotebooks(token)
    ]
    return created.guid


def _new_note(spec, notebook):
    return Types.Note(
        title=spec["title"],
        content=spec["content"],
        notebookGuid=notebook.guid,
        tagNames=spec["tagNames"],
    )


def _changed_note(spec, guid):
    return Types.Note(
        guid=guid,
        title=spec["title"],
        content=spec["content"],
        tagNames=spec["tagNames"],
    )


# Sync: a full sync from USN 0 in small chunks, then an incremental one

SYNC_CHUNK_ENTRIES = 3
PNG = b"\x89PNG\r\n\x1a\n compat-test image bytes"
_CHUNK_LISTS = (
    ("notes", "note"),
    ("notebooks", "notebook"),
    ("tags", "tag"),
    ("searches", "search"),
    ("resources", "resource"),
)
_CHUNK_EXPUNGED = (
    ("expungedNotes", "note"),
    ("expungedNotebooks", "notebook"),
    ("expungedTags", "tag"),
    ("expungedSearches", "search"),
)


def _check_sync(args, url, observed):
    token = args["developer_token"]
    note_store = _note_store(url)
    made = _populate(note_store, token)
    chunks = _sync_from(note_store, token, 0)
    observed["sync"] = {
        "made": made,
        "full": chunks,
        "state_after_full": _account_objects(note_store, token),
        "updateCount_after_full": note_store.getSyncState(token).updateCount,
        "listLinkedNotebooks": len(note_store.listLinkedNotebooks(token)),
    }
    observed["sync"]["changes"] = _change_more(note_store, token, made)
    after = observed["sync"]["updateCount_after_full"]
    observed["sync"]["incremental"] = _sync_from(note_store, token, after)
    observed["sync"]["state_after_incremental"] = _account_objects(note_store, token)


def _populate(note_store, token):
    """Notes, notebooks, tags, searches, a resource; trashed and expunged."""
    notebook = note_store.createNotebook(token, Types.Notebook(name="Sync book"))
    doomed_notebook = note_store.createNotebook(token, Types.Notebook(name="Doomed"))
    parent = note_store.createTag(token, Types.Tag(name="sync-parent"))
    child = note_store.createTag(
        token, Types.Tag(name="sync-child", parentGuid=parent.guid)
    )
    doomed_tag = note_store.createTag(token, Types.Tag(name="sync-doomed"))
    search = note_store.createSearch(
        token, Types.SavedSearch(name="Sync search", query="tag:sync-parent")
    )
    doomed_search = note_store.createSearch(
        token, Types.SavedSearch(name="Doomed search", query="doomed")
    )
    with_image = note_store.createNote(token, _image_note(notebook.guid))
    notes = [
        note_store.createNote(
            token,
            Types.Note(
                title=f"Sync note {i}",
                content=_simple_enml(f"sync body {i}"),
                tagGuids=[child.guid, doomed_tag.guid],
            ),
        )
        for i in range(4)
    ]
    in_doomed = note_store.createNote(
        token,
        Types.Note(
            title="In the doomed notebook",
            content=_simple_enml("moved to the trash"),
            notebookGuid=doomed_notebook.guid,
        ),
    )
    note_store.deleteNote(token, notes[0].guid)
    note_store.expungeNote(token, notes[1].guid)
    note_store.expungeTag(token, doomed_tag.guid)
    note_store.expungeSearch(token, doomed_search.guid)
    note_store.expungeNotebook(token, doomed_notebook.guid)
    return {
        "png": {"md5": hashlib.md5(PNG).hexdigest(), "size": len(PNG)},
        "notebook": notebook.guid,
        "tags": [parent.guid, child.guid],
        "search": search.guid,
        "image_note": with_image.guid,
        "image_resource": _resource(with_image.resources[0]),
        "notes": [note.guid for note in notes],
        "in_doomed": in_doomed.guid,
        "trashed": notes[0].guid,
        "expunged": {
            "note": notes[1].guid,
            "tag": doomed_tag.guid,
            "search": doomed_search.guid,
            "notebook": doomed_notebook.guid,
        },
    }


def _image_note(notebook_guid):
    digest = hashlib.md5(PNG).hexdigest()
    return Types.Note(
        title="Sync note with an image",
        content=_simple_enml(f'<en-media type="image/png" hash="{digest}"/>'),
        notebookGuid=notebook_guid,
        resources=[
            Types.Resource(
                mime="image/png",
                data=Types.Data(body=PNG),
                attributes=Types.ResourceAttributes(fileName="image.png"),
            )
        ],
    )


def _change_more(note_store, token, made):
    """Changes after the full sync; the incremental sync must see these."""
    created = note_store.createNote(
        token, Types.Note(title="After the sync", content=_simple_enml("new"))
    )
    renamed = note_store.getNote(token, made["notes"][2], False, False, False, False)
    renamed.title = "Renamed after the sync"
    note_store.updateNote(token, renamed)
    tag = note_store.createTag(token, Types.Tag(name="sync-later"))
    note_store.expungeNote(token, made["notes"][3])
    notebook = note_store.getNotebook(token, made["notebook"])
    notebook.name = "Sync book renamed"
    note_store.updateNotebook(token, notebook)
    resource = note_store.getResource(
        token, made["image_resource"]["guid"], False, False, True, False
    )
    resource.attributes.fileName = "renamed.png"
    note_store.updateResource(token, resource)
    return {
        "created_note": created.guid,
        "renamed_note": made["notes"][2],
        "tag": tag.guid,
        "expunged_note": made["notes"][3],
        "notebook": notebook.guid,
        "resource": resource.guid,
    }


def _sync_from(note_store, token, after_usn):
    sync_filter = NoteStore.SyncChunkFilter(
        includeNotes=True,
        includeNoteResources=True,
        includeNoteAttributes=True,
        includeNotebooks=True,
        includeTags=True,
        includeSearches=True,
        includeResources=True,
        includeExpunged=True,
    )
    chunks = []
    while len(chunks) < 1000:
        chunk = note_store.getFilteredSyncChunk(
            token, after_usn, SYNC_CHUNK_ENTRIES, sync_filter
        )
        chunks.append(_chunk(chunk, after_usn))
        if chunk.chunkHighUSN is None or chunk.chunkHighUSN >= chunk.updateCount:
            break
        after_usn = chunk.chunkHighUSN
    return chunks


def _chunk(chunk, after_usn):
    entries = []
    for field, kind in _CHUNK_LISTS:
        for item in getattr(chunk, field) or ():
            entries.append([kind, item.guid, item.updateSequenceNum])
    expunged = []
    for field, kind in _CHUNK_EXPUNGED:
        expunged.extend([kind, guid] for guid in getattr(chunk, field) or ())
    return {
        "afterUSN": after_usn,
        "chunkHighUSN": chunk.chunkHighUSN,
        "updateCount": chunk.updateCount,
        "entries": entries,
        "expunged": expunged,
        "notes": [_synced_note(note) for note in chunk.notes or ()],
    }


def _synced_note(note):
    return {
        "guid": note.guid,
        "title": note.title,
        "content": note.content,
        "active": note.active,
        "notebookGuid": note.notebookGuid,
        "tagGuids": note.tagGuids,
        "resources": [_resource(resource) for resource in note.resources or ()],
    }


def _resource(resource):
    return {
        "guid": resource.guid,
        "noteGuid": resource.noteGuid,
        "mime": resource.mime,
        "bodyHash": resource.data.bodyHash.hex(),
        "size": resource.data.size,
        "has_body": resource.data.body is not None,
        "fileName": resource.attributes.fileName if resource.attributes else None,
        "updateSequenceNum": resource.updateSequenceNum,
    }


def _account_objects(note_store, token):
    """[kind, guid, usn] of every live object, read without sync."""
    found = [
        ["notebook", nb.guid, nb.updateSequenceNum]
        for nb in note_store.listNotebooks(token)
    ]
    found += [["tag", t.guid, t.updateSequenceNum] for t in note_store.listTags(token)]
    found += [
        ["search", s.guid, s.updateSequenceNum] for s in note_store.listSearches(token)
    ]
    spec = NoteStore.NotesMetadataResultSpec(includeUpdateSequenceNum=True)
    for inactive in (False, True):
        notes = note_store.findNotesMetadata(
            token, NoteStore.NoteFilter(inactive=inactive), 0, 1000, spec
        )
        found += [["note", n.guid, n.updateSequenceNum] for n in notes.notes]
    return found


# Other paths into the router


def _check_paths(args, observed):
    token = args["developer_token"]
    router = args["router_url"]
    double_slash = _user_store(f"{router}//edam/user")
    edam_note = _note_store(f"{router}/edam/note/{args['shard']}")
    observed["paths"] = {
        "//edam/user getUser": double_slash.getUser(token).username,
        "/edam/note/<shard> listNotebooks": _names(edam_note.listNotebooks(token)),
        "/edam/note/<shard> getSyncState": edam_note.getSyncState(token).updateCount,
    }


def _check_keep_alive(args, observed):
    """Two SDK-encoded calls on one HTTP/1.1 connection, as pooling clients do.

    THttpClient opens a connection per call, so the calls are encoded with
    the SDK and posted with http.client.
    """
    url = urllib.parse.urlsplit(args["userstore_url"])
    timeout_s = HTTP_TIMEOUT_MS / 1000
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=timeout_s)
    try:
        calls = [
            _get_user_over(connection, url.path, args["developer_token"])
            for _ in range(2)
        ]
    finally:
        connection.close()
    observed["keep_alive"] = calls


def _get_user_over(connection, path, token):
    request = _Buffer()
    UserStore.Client(TBinaryProtocol(request)).send_getUser(token)
    headers = {"Content-Type": "application/x-thrift"}
    connection.request("POST", path, request.getvalue(), headers)
    response = connection.getresponse()
    local_port = connection.sock.getsockname()[1]
    body = response.read()
    reply = UserStore.Client(TBinaryProtocol(_Buffer(body)))
    return {
        "status": response.status,
        "content_type": response.getheader("Content-Type"),
        "will_close": response.will_close,
        "local_port": local_port,
        "username": reply.recv_getUser().username,
    }


class _Buffer:
    """Just enough transport for TBinaryProtocol to encode or decode bytes.

    The SDK's TMemoryBuffer wraps a text StringIO and cannot hold bytes.
    """

    def __init__(self, data=b""):
        self._stream = io.BytesIO(data)

    def write(self, data):
        self._stream.write(data)

    def flush(self):
        pass

    def readAll(self, size):
        return self._stream.read(size)

    def getvalue(self):
        return self._stream.getvalue()


# Errors: every one must arrive typed, and the service must go on serving


def _check_errors(args, url, note_guid, observed):
    token = args["developer_token"]
    forged = _forged_tokens(token)
    user_store = _user_store(args["userstore_url"])
    note_store = _note_store(url)
    errors = {
        "wrong password": lambda: user_store.authenticateLongSession(
            args["username"], "wrong-" + args["password"], "c", "s", "d", "d", False
        ),
        "getUser forged signature": lambda: user_store.getUser(forged["signature"]),
        "getUser forged user": lambda: user_store.getUser(forged["user"]),
        "getUser garbage token": lambda: user_store.getUser("not-a-token"),
        "listNotebooks forged signature": lambda: note_store.listNotebooks(
            forged["signature"]
        ),
        "listNotebooks forged user": lambda: note_store.listNotebooks(forged["user"]),
    }
    errors.update(_note_errors(note_store, token, note_guid, args["unknown_guid"]))
    errors.update(_unserved_methods(args, url, token, note_guid))
    observed["errors"] = {name: _outcome(call) for name, call in errors.items()}
    observed["after_errors"] = _after_errors(args, url, note_guid)


def _note_errors(note_store, token, note_guid, unknown_guid):
    valid = _simple_enml("valid content")

    def create(**fields):
        return lambda: note_store.createNote(token, Types.Note(**fields))

    return {
        "createNote without title": create(content=valid),
        "createNote invalid ENML": create(
            title="Broken", content="<en-note><div>unclosed</en-note>"
        ),
        "createNote forbidden element": create(
            title="Scripted",
            content=_simple_enml("<script>alert(1)</script>"),
        ),
        "updateNote without title": lambda: note_store.updateNote(
            token, Types.Note(guid=note_guid, content=valid)
        ),
        "getNote unknown guid": lambda: note_store.getNote(
            token, unknown_guid, True, False, False, False
        ),
        "getNoteContent unknown guid": lambda: note_store.getNoteContent(
            token, unknown_guid
        ),
    }


def _unserved_methods(args, url, token, note_guid):
    email = NoteStore.NoteEmailParameters(guid=note_guid, toAddresses=["a@b.c"])
    return {
        "emailNote": lambda: _note_store(url).emailNote(token, email),
        "shareNote": lambda: _note_store(url).shareNote(token, note_guid),
        "getPremiumInfo": lambda: _user_store(args["userstore_url"]).getPremiumInfo(
            token
        ),
    }


def _after_errors(args, url, note_guid):
    token = args["developer_token"]
    fetched = _note_store(url).getNote(token, note_guid, False, False, False, False)
    return {
        "getUser": _user_store(args["userstore_url"]).getUser(token).username,
        "listNotebooks": _names(_note_store(url).listNotebooks(token)),
        "getNote title": fetched.title,
    }


def _forged_tokens(token):
    fields = [part.split("=", 1) for part in token.split(":")]
    values = dict(fields)
    signature = values["H"]
    flipped = "0" if signature[-1] != "0" else "1"
    other_user = format(int(values["U"], 16) + 1, "x")
    return {
        "signature": _join_token(fields, H=signature[:-1] + flipped),
        "user": _join_token(fields, U=other_user),
    }


def _join_token(fields, **changes):
    return ":".join(f"{key}={changes.get(key, value)}" for key, value in fields)


def _outcome(call):
    """What a call that must fail answered: the exception's type and fields."""
    try:
        value = call()
    except Errors.EDAMUserException as exc:
        return {
            "type": "EDAMUserException",
            "errorCode": exc.errorCode,
            "errorName": Errors.EDAMErrorCode._VALUES_TO_NAMES.get(exc.errorCode),
            "parameter": exc.parameter,
        }
    except Errors.EDAMNotFoundException as exc:
        return {
            "type": "EDAMNotFoundException",
            "identifier": exc.identifier,
            "key": exc.key,
        }
    except Errors.EDAMSystemException as exc:
        return {
            "type": "EDAMSystemException",
            "errorCode": exc.errorCode,
            "message": exc.message,
        }
    except TApplicationException as exc:
        return {
            "type": "TApplicationException",
            "kind": exc.type,
            "message": _text(exc.message),
        }
    return {"type": None, "returned": repr(value)}


# The SDK's high-level EvernoteClient


def _check_high_level_client(args, observed):
    if not hasattr(inspect, "getargspec"):
        # Removed in Python 3.11; the SDK's Store calls it on every method.
        inspect.getargspec = inspect.getfullargspec
    from evernote.api.client import EvernoteClient

    class PlainHttpClient(EvernoteClient):
        """Our router serves plain http; the SDK builds only https URLs."""

        def _get_endpoint(self, path=None):
            url = f"http://{self.service_host}"
            if path is not None:
                url += f"/{path}"
            return url

    host = args["router_url"].split("://", 1)[1]
    client = PlainHttpClient(
        token=args["developer_token"], sandbox=False, service_host=host
    )
    observed["EvernoteClient"] = {
        "userstore_url": client._get_endpoint("/edam/user"),
        "getUser": client.get_user_store().getUser().username,
        "listNotebooks": _names(client.get_note_store().listNotebooks()),
    }


# Plain values for the JSON report


def _user(user):
    return {
        "id": user.id,
        "username": user.username,
        "email": user.email,
        "name": user.name,
        "privilege": user.privilege,
        "active": user.active,
        "shardId": user.shardId,
    }


def _notebook(notebook):
    return {
        "guid": notebook.guid,
        "name": notebook.name,
        "defaultNotebook": notebook.defaultNotebook,
        "updateSequenceNum": notebook.updateSequenceNum,
    }


def _notebooks(notebooks):
    return [_notebook(notebook) for notebook in notebooks]


def _names(notebooks):
    return sorted(notebook.name for notebook in notebooks)


def _note(note):
    return {
        "guid": note.guid,
        "title": note.title,
        "content": note.content,
        "contentHash": note.contentHash.hex() if note.contentHash else None,
        "contentLength": note.contentLength,
        "notebookGuid": note.notebookGuid,
        "tagGuids": note.tagGuids,
        "updateSequenceNum": note.updateSequenceNum,
        "created": note.created,
        "updated": note.updated,
        "active": note.active,
    }


def _sync_state(state):
    return {
        "currentTime": state.currentTime,
        "fullSyncBefore": state.fullSyncBefore,
        "updateCount": state.updateCount,
    }


def _text(value):
    # The bundled thrift reads TApplicationException.message as raw bytes.
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else value


def _simple_enml(body):
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<!DOCTYPE en-note SYSTEM "http://xml.evernote.com/pub/enml2.dtd">'
        f"<en-note><div>{body}</div></en-note>"
    )


if __name__ == "__main__":
    sys.exit(main(sys.argv))
