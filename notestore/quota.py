"""The monthly upload quota: the calendar it runs on.

EDAM counts, per user, the bytes uploaded in the current accounting period
(``SyncState.uploaded``) against ``Accounting.uploadLimit`` until
``Accounting.uploadLimitEnd``. Our periods are calendar months in UTC, the
same for every user, so a shard and a router agree on them without asking
each other.
"""

import datetime

__all__ = ["month_end_ms", "month_of"]


def month_of(ms):
    """The period ``ms`` (ms since the epoch) falls in, as ``"YYYY-MM"``."""
    return _utc(ms).strftime("%Y-%m")


def month_end_ms(ms):
    """The first millisecond of the period after the one ``ms`` is in."""
    moment = _utc(ms)
    year, month = moment.year + moment.month // 12, moment.month % 12 + 1
    start = datetime.datetime(year, month, 1, tzinfo=datetime.timezone.utc)
    return int(start.timestamp()) * 1000


def _utc(ms):
    return datetime.datetime.fromtimestamp(ms / 1000, tz=datetime.timezone.utc)
