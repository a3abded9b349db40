"""Process-wide logging set-up: one line per event, to a file or stderr."""

import logging
import sys

__all__ = ["configure"]

_FORMAT = "%(asctime)s %(levelname)s %(process)d %(name)s: %(message)s"


def configure(log_file=None, level="INFO"):
    handler = (
        logging.FileHandler(log_file) if log_file else logging.StreamHandler(sys.stderr)
    )
    handler.setFormatter(logging.Formatter(_FORMAT))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    logging.getLogger("kazoo.client").setLevel("WARNING")
