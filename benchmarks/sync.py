"""Full-sync speed: getFilteredSyncChunk with maxEntries=250 over 10,000 notes.

Fills one account with ``--notes`` notes (about 1 KB of ENML, two tags out
of fifty, one note in ten with a small image resource), then times a full
sync from USN 0 the way a desktop client runs it: chunks of 250 with
notes, their resources and attributes, notebooks, tags, searches and
expunged GUIDs, until chunkHighUSN reaches updateCount. Prints entries/s.

Two modes:

- direct (default): the shard's NoteStoreService over a Storage in a
  temporary directory; each chunk is also encoded as the Thrift reply the
  shard would send, so the figure is the shard's whole cost per chunk.
- ``--cluster``: a private local cluster (one shard of two nodes, the
  router); notes are created and synced over the router's framed TCP port.

    .venv/bin/python benchmarks/sync.py [--notes 10000] [--cluster]
"""

import argparse
import concurrent.futures
import hashlib
import random
import tempfile
import time
from pathlib import Path

from notestore import dispatch
from notestore.client import connect
from notestore.cluster import Cluster
from notestore.edam import NoteStore, NoteStoreApi, Types
from notestore.noteservice import NoteStoreService
from notestore.tokens import TokenSigner
from shard.storage import Storage

MAX_ENTRIES = 250
ENML = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<!DOCTYPE en-note SYSTEM "http://xml.evernote.com/pub/enml2.dtd">'
    "<en-note><div>{}</div>{}</en-note>"
)
WORDS = "alpha bravo charlie delta echo foxtrot golf hotel india juliet".split()
TAGS = [f"tag{i}" for i in range(50)]
SYNC_FILTER = NoteStore.SyncChunkFilter(
    includeNotes=True,
    includeNoteResources=True,
    includeNoteAttributes=True,
    includeNotebooks=True,
    includeTags=True,
    includeSearches=True,
    includeResources=True,
    includeExpunged=True,
)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--notes", type=int, default=10_000)
    parser.add_argument("--cluster", action="store_true", help="through a router")
    parser.add_argument("--writers", type=int, default=8, help="cluster fill clients")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="notestore-bench-") as base:
        if args.cluster:
            _cluster_run(Path(base), args)
        else:
            _direct_run(Path(base), args.notes)


# Direct: service and storage in this process


def _direct_run(base, count):
    signer = TokenSigner(b"benchmark-secret-0123456789abcdef")
    # No fsync while filling: the figure is the sync, not the fill.
    storage = Storage(base / "shard.sqlite3", synchronous="OFF")
    service = NoteStoreService(
        "s1", signer, storage, lambda record: storage.commit(1, record)
    )
    token = signer.issue("s1", 1, 3600)
    started = time.perf_counter()
    rng = random.Random(1)
    for i in range(count):
        service.createNote(token, _note(rng, i))
    print(f"filled {count} notes in {time.perf_counter() - started:.1f} s")

    def get_chunk(after_usn):
        chunk = service.getFilteredSyncChunk(token, after_usn, MAX_ENTRIES, SYNC_FILTER)
        result = NoteStoreApi.getFilteredSyncChunk_result(success=chunk)
        reply = dispatch.encode_reply("getFilteredSyncChunk", 0, result)
        return chunk, len(reply)

    _report(_full_sync(get_chunk))
    storage.close()


# Through a local cluster


def _cluster_run(base, args):
    cluster = Cluster(base, shards=("s1",))
    try:
        cluster.start()
        _, token = cluster.create_user("syncbench", "bench-password", shard_id="s1")
        router = cluster.router.info
        address = (router["host"], router["tcp_port"])
        _fill_over_router(address, token, args.notes, args.writers)
        with connect(*address, token) as session:
            store = session.note_store

            def get_chunk(after_usn):
                chunk = store.getFilteredSyncChunk(after_usn, MAX_ENTRIES, SYNC_FILTER)
                return chunk, 0

            _report(_full_sync(get_chunk))
    finally:
        cluster.stop()


def _fill_over_router(address, token, count, writers):
    started = time.perf_counter()

    def write(first):
        rng = random.Random(first)
        with connect(*address, token) as session:
            for i in range(first, count, writers):
                session.note_store.createNote(_note(rng, i))

    with concurrent.futures.ThreadPoolExecutor(writers) as pool:
        list(pool.map(write, range(writers)))
    print(f"filled {count} notes in {time.perf_counter() - started:.1f} s")


# The sync and its figures


def _full_sync(get_chunk):
    entries, chunks, reply_bytes, after_usn = 0, 0, 0, 0
    started = time.perf_counter()
    while True:
        chunk, size = get_chunk(after_usn)
        chunks += 1
        reply_bytes += size
        entries += _entries(chunk)
        if chunk.chunkHighUSN is None or chunk.chunkHighUSN >= chunk.updateCount:
            break
        after_usn = chunk.chunkHighUSN
    return entries, chunks, reply_bytes, time.perf_counter() - started


def _entries(chunk):
    fields = ("notes", "notebooks", "tags", "searches", "resources", "expungedNotes")
    return sum(len(getattr(chunk, field) or ()) for field in fields)


def _report(figures):
    entries, chunks, reply_bytes, elapsed_s = figures
    print(f"full sync: {entries} entries in {chunks} chunks of <= {MAX_ENTRIES}")
    if reply_bytes:
        print(f"replies: {reply_bytes / 1e6:.1f} MB")
    print(f"{elapsed_s:.2f} s, {entries / elapsed_s:.0f} entries/s")


def _note(rng, index):
    body = " ".join(rng.choice(WORDS) for _ in range(150))
    resources, media = None, ""
    if index % 10 == 0:
        image = rng.randbytes(2000)
        resource = Types.Resource(mime="image/png", data=Types.Data(body=image))
        resources = [resource]
        digest = hashlib.md5(image).hexdigest()
        media = f'<en-media type="image/png" hash="{digest}"/>'
    return Types.Note(
        title=f"Note {index}",
        content=ENML.format(body, media),
        tagNames=rng.sample(TAGS, 2),
        resources=resources,
    )


if __name__ == "__main__":
    main()
