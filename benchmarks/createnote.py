"""createNote throughput through the router: 1 KB of ENML and two tags.

Starts a private cluster (ZooKeeper, MariaDB, one shard of two nodes in
sync replication, the router) on free ports in a temporary directory,
creates one user per client, then has each client create notes over its
own framed TCP connection to the router for ``--seconds``. Each note has
about 1 KB of ENML and two tag names out of a small set, so most calls
find their tags and a few create them. Runs with 1 client and with
``--clients`` clients (threads, one connection each) and prints notes/s.

    .venv/bin/python benchmarks/createnote.py [--seconds 10] [--clients 8]
"""

import argparse
import random
import tempfile
import threading
import time

from notestore.client import connect
from notestore.cluster import Cluster
from notestore.edam import Types

ENML = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<!DOCTYPE en-note SYSTEM "http://xml.evernote.com/pub/enml2.dtd">'
    "<en-note>{}</en-note>"
)
WORDS = "alpha bravo charlie delta echo foxtrot golf hotel india juliet".split()
TAGS = [f"tag{i}" for i in range(20)]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="per run")
    parser.add_argument("--clients", type=int, default=8, help="for the second run")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="notestore-bench-") as base:
        cluster = Cluster(base, shards=("s1",))
        try:
            cluster.start()
            _run(cluster, args)
        finally:
            cluster.stop()


def _run(cluster, args):
    router = cluster.router.info
    address = (router["host"], router["tcp_port"])
    print(f"{len(ENML.format(_body(random.Random(0))))} bytes of ENML, two tags")
    for clients in (1, args.clients):
        tokens = [
            cluster.create_user(f"bench{clients}x{i}", "bench-password")[1]
            for i in range(clients)
        ]
        created, elapsed_s = _measure(address, tokens, args.seconds)
        print(
            f"{clients:>3} client(s): {created} notes in {elapsed_s:.1f} s,"
            f" {created / elapsed_s:.0f} notes/s"
        )


def _measure(address, tokens, seconds):
    counts = [0] * len(tokens)
    start = threading.Barrier(len(tokens) + 1)
    stop = threading.Event()
    threads = [
        threading.Thread(target=_client, args=(address, token, i, counts, start, stop))
        for i, token in enumerate(tokens)
    ]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.perf_counter()
    time.sleep(seconds)
    stop.set()
    for thread in threads:
        thread.join()
    return sum(counts), time.perf_counter() - began


def _client(address, token, index, counts, start, stop):
    rng = random.Random(index)
    with connect(*address, token) as session:
        store = session.note_store
        store.createNote(_note(rng))  # warm up: account, connection, tags
        start.wait()
        while not stop.is_set():
            store.createNote(_note(rng))
            counts[index] += 1


def _note(rng):
    return Types.Note(
        title=" ".join(rng.choices(WORDS, k=3)),
        content=ENML.format(_body(rng)),
        tagNames=rng.sample(TAGS, 2),
    )


def _body(rng):
    words = []
    while sum(len(w) + 1 for w in words) < 930:
        words.append(rng.choice(WORDS))
    return "<div>" + " ".join(words) + "</div>"


if __name__ == "__main__":
    main()
