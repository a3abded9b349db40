// Shard-internal replication: a secondary pulls the primary's write log.
// Not part of EDAM; the router never relays these methods. Every call
// carries a proof that the caller holds the cluster secret.

namespace py notestore.replication

struct LogRecord {
  1: i64 epoch
  2: i64 lsn
  3: binary body
}

struct FetchResult {
  // The primary's epoch; a follower refuses anything older than it knows.
  1: i64 epoch
  2: list<LogRecord> records
  // The follower's position is no longer in the primary's log, or its
  // history diverged: it must restore a snapshot.
  3: bool snapshotRequired
  4: i64 primaryLsn
}

struct SnapshotInfo {
  1: string snapshotId
  2: i64 lsn
  3: i64 epoch
  4: i64 sizeBytes
}

exception ReplicationError {
  1: string message
  // True when the caller should look up the primary again before retrying.
  2: bool notPrimary
}

service Replication {
  // Long-poll: answers as soon as records at or after fromLsn exist, or
  // after waitMs with none. prevEpoch is the epoch of the follower's
  // record at fromLsn - 1 (0 when it has none); a mismatch means its
  // history diverged. The call acknowledges every record below fromLsn.
  FetchResult fetch(1: string proof, 2: string node, 3: i64 epoch,
                    4: i64 fromLsn, 5: i64 prevEpoch, 6: i32 maxRecords,
                    7: i32 waitMs) throws (1: ReplicationError error)

  SnapshotInfo snapshotBegin(1: string proof, 2: string node)
      throws (1: ReplicationError error)

  binary snapshotChunk(1: string proof, 2: string snapshotId, 3: i64 offset,
                       4: i32 length) throws (1: ReplicationError error)

  void snapshotEnd(1: string proof, 2: string snapshotId)
      throws (1: ReplicationError error)
}
