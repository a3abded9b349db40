"""The NoteStore service logic, independent of sockets and Thrift framing.

`NoteStoreService` has one method per served NoteStore call, taking the IDL
arguments in order. Reads go to the shard's storage; writes are validated,
turned into a fully resolved write record (see ``notestore.records``) and
handed to the shard's ``write`` function, which applies and logs it. The
methods live in ``notestore.notes``, one module per subject.
"""

from notestore.notes.appdata import AppDataMixin
from notestore.notes.base import DEFAULT_NOTEBOOK_NAME, ServiceBase
from notestore.notes.finding import FindingMixin
from notestore.notes.notebooks import NotebooksMixin
from notestore.notes.notereads import NoteReadsMixin
from notestore.notes.notes import NotesMixin
from notestore.notes.resources import ResourcesMixin
from notestore.notes.searches import SearchesMixin
from notestore.notes.sync import SyncMixin
from notestore.notes.tags import TagsMixin

__all__ = ["DEFAULT_NOTEBOOK_NAME", "NoteStoreService"]


class NoteStoreService(
    SyncMixin,
    NotebooksMixin,
    TagsMixin,
    SearchesMixin,
    NotesMixin,
    NoteReadsMixin,
    FindingMixin,
    ResourcesMixin,
    AppDataMixin,
    ServiceBase,
):
    """EDAM NoteStore semantics over a shard's storage.

    Constructed as ``NoteStoreService(shard_id, signer, storage, write,
    clock=time.time)``; see `notestore.notes.base.ServiceBase`.
    """
