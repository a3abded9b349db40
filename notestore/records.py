"""Write records: the fully resolved form of every change to a shard.

A NoteStore handler validates a call, decides everything that could differ
between two nodes (GUIDs, update sequence numbers, timestamps) and describes
the change as a record: a JSON-able dict with an ``op`` key. The shard's
``apply(record)`` is the only code that turns a record into rows, on the
primary and on every replica alike.

Thrift structs travel inside records as plain dicts (`struct_to_dict`) so a
record never depends on the IDL classes of the process that reads it.
"""

from thriftpy2.thrift import TType

__all__ = ["dict_to_struct", "struct_to_dict"]

_BYTES_KEY = "$bytes"


def struct_to_dict(obj):
    """Return the set fields of a thriftpy2 struct as JSON-able data."""
    out = {}
    for spec in obj.thrift_spec.values():
        value = getattr(obj, spec[1])
        if value is not None:
            out[spec[1]] = _to_plain(spec[0], spec, value)
    return out


def dict_to_struct(cls, data):
    """Rebuild a thriftpy2 struct of ``cls`` from `struct_to_dict` output."""
    obj = cls()
    for spec in cls.thrift_spec.values():
        if spec[1] in data:
            setattr(obj, spec[1], _from_plain(spec[0], spec, data[spec[1]]))
    return obj


def _element_spec(spec):
    # thriftpy2 specs: (ttype, name, element-spec-or-class, required) for
    # containers and structs, (ttype, name, required) for scalars.
    return spec[2]


def _to_plain(ttype, spec, value):
    if ttype == TType.STRUCT:
        return struct_to_dict(value)
    if ttype in (TType.LIST, TType.SET):
        etype, espec = _split(_element_spec(spec))
        return [_to_plain(etype, (etype, None, espec), item) for item in value]
    if ttype == TType.MAP:
        return {str(k): v for k, v in value.items()}
    if isinstance(value, bytes):
        return {_BYTES_KEY: value.hex()}
    return value


def _from_plain(ttype, spec, value):
    if ttype == TType.STRUCT:
        return dict_to_struct(_element_spec(spec), value)
    if ttype in (TType.LIST, TType.SET):
        etype, espec = _split(_element_spec(spec))
        items = [_from_plain(etype, (etype, None, espec), item) for item in value]
        return set(items) if ttype == TType.SET else items
    if isinstance(value, dict) and _BYTES_KEY in value:
        return bytes.fromhex(value[_BYTES_KEY])
    return value


def _split(element):
    if isinstance(element, tuple):
        return element[0], element[1]
    return element, None
