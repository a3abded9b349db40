"""The EDAM IDL, loaded at run time with thriftpy2.

The Thrift files live in the repository's ``idl/`` directory and are
installed as the ``notestore.idl`` package data. Both services include the
same ``Types`` and ``Errors`` modules; thriftpy2 caches includes by path, so
an exception class raised by the NoteStore logic is the very class the
UserStore result structs declare.
"""

import pathlib

import thriftpy2
from thriftpy2.thrift import TApplicationException

__all__ = [
    "Errors",
    "Limits",
    "NoteStore",
    "NoteStoreApi",
    "Replication",
    "ReplicationApi",
    "TApplicationException",
    "Types",
    "UserStore",
    "UserStoreApi",
    "idl_dir",
]


def idl_dir():
    """Return the directory holding the ``.thrift`` files."""
    here = pathlib.Path(__file__).resolve().parent
    installed = here / "idl"
    if (installed / "NoteStore.thrift").exists():
        return installed
    return here.parent / "idl"


def _load(name):
    path = idl_dir() / f"{name}.thrift"
    return thriftpy2.load(
        str(path), module_name=f"{name}_thrift", include_dirs=[str(idl_dir())]
    )


UserStore = _load("UserStore")
NoteStore = _load("NoteStore")
Types = NoteStore.Types
Errors = NoteStore.Errors
Limits = NoteStore.Limits if hasattr(NoteStore, "Limits") else _load("Limits")

# The Thrift service definitions (method lists, ``<method>_args`` and
# ``<method>_result`` structs), as opposed to the modules holding them.
NoteStoreApi = NoteStore.NoteStore
UserStoreApi = UserStore.UserStore

# The shard-internal replication service (not EDAM).
Replication = _load("Replication")
ReplicationApi = Replication.Replication
