"""What every part of the NoteStore service shares: tokens, accounts, writes.

A write follows one pattern: under ``_write_lock``, read the account's
update count, validate against the current state, build a record that uses
the next USNs, hand it to ``write``. One writer at a time keeps USNs dense
and every check valid until its record is applied.
"""

import threading
import time
import uuid

from notestore import auth, errors, quota, validation

__all__ = [
    "DEFAULT_NOTEBOOK_NAME",
    "ServiceBase",
    "check",
    "check_guid",
    "new_guid",
    "record",
]

DEFAULT_NOTEBOOK_NAME = "First Notebook"


class ServiceBase:
    """EDAM NoteStore semantics over a shard's storage.

    ``storage`` answers reads (see ``shard.storage.Storage``); ``write`` takes
    a record and returns once it is applied locally, raising on failure (the
    shard holds the call's answer until the write is durable as its
    acknowledgement mode requires).
    ``shard_id`` is the shard this process serves: a token for another shard
    is refused as INVALID_AUTH. ``upload_limit`` is the bytes each user may
    upload per month (0: no limit; see `notestore.quota`).
    """

    def __init__(
        self, shard_id, signer, storage, write, clock=time.time, upload_limit=0
    ):
        self._shard_id = shard_id
        self._signer = signer
        self._storage = storage
        self._write = write
        self._clock = clock
        self._upload_limit = upload_limit
        self._write_lock = threading.RLock()

    def _account(self, token):
        return self._account_of(self._authenticate(token))

    def _account_of(self, user_id):
        account = self._storage.account(user_id)
        if account is not None:
            return account
        with self._write_lock:
            account = self._storage.account(user_id)
            if account is None:
                self._write(self._account_record(user_id))
                account = self._storage.account(user_id)
        return account

    def _account_record(self, user_id):
        # An account comes to life on its first call to its shard, with the
        # default notebook EDAM promises every account has. Its creation
        # time is its fullSyncBefore: a client that synced before (with an
        # account lost and created afresh) must sync from scratch.
        now_ms = self._now_ms()
        notebook = {
            "guid": new_guid(),
            "name": DEFAULT_NOTEBOOK_NAME,
            "stack": None,
            "usn": 1,
            "created": now_ms,
            "updated": now_ms,
            "default": True,
        }
        return {
            "op": "create_account",
            "user_id": user_id,
            "usn": 1,
            "full_sync_before": now_ms,
            "notebook": notebook,
        }

    def _authenticate(self, token):
        parsed = auth.check_token(self._signer, token)
        if parsed.shard_id != self._shard_id:
            raise auth.invalid_auth()
        return parsed.user_id

    def _now_ms(self):
        return int(self._clock() * 1000)

    def _uploaded(self, user_id):
        """Bytes the user has uploaded this month."""
        return self._storage.uploaded(user_id, quota.month_of(self._now_ms()))

    def _with_upload(self, change, size):
        """Count ``size`` uploaded bytes in ``change``, a record about to be
        written; QUOTA_REACHED if they would take the user past the limit."""
        if size <= 0:
            return change
        month = quota.month_of(self._now_ms())
        used = self._storage.uploaded(change["user_id"], month)
        if self._upload_limit and used + size > self._upload_limit:
            raise errors.user_error("QUOTA_REACHED", "Accounting.uploadLimit")
        change["upload"] = {"month": month, "bytes": size}
        return change

    def _found(self, row, identifier, guid):
        if row is None:
            raise errors.not_found(identifier, guid)
        return row

    def _at_limit(self, account, count, maximum, extra=0):
        """Whether the account holds ``maximum`` objects (``extra`` pending).

        Every object took a USN when it was made, so an account whose
        update count is below the limit cannot have reached it: the
        count, a scan of the user's rows, is only run near the limit.
        """
        if account["update_count"] + extra < maximum:
            return False
        return count(account["user_id"]) + extra >= maximum

    def _note_row(self, account, guid, content=True):
        """The note's row, or EDAMNotFoundException "Note.guid"."""
        check_guid(guid, "Note.guid")
        read = self._storage.note if content else self._storage.note_meta
        return self._found(read(account["user_id"], guid), "Note.guid", guid)

    def _notebook_row(self, account, guid, parameter="Notebook.guid"):
        check_guid(guid, parameter)
        row = self._storage.notebook(account["user_id"], guid)
        return self._found(row, parameter, guid)


def check(check_function, *args):
    """Run a ``validation.check_*`` function; raise EDAMUserException."""
    try:
        check_function(*args)
    except validation.ValidationError as exc:
        raise errors.user_error(exc.code, exc.parameter) from exc


def check_guid(guid, parameter):
    """A malformed or missing GUID is BAD_DATA_FORMAT, as EDAM documents."""
    if guid is None:
        raise errors.user_error("BAD_DATA_FORMAT", parameter)
    check(validation.check_guid, guid, parameter)


def record(op, account, usn, **body):
    """A write record for ``account`` whose highest USN is ``usn``."""
    return {"op": op, "user_id": account["user_id"], "usn": usn, **body}


def new_guid():
    return str(uuid.uuid4())
