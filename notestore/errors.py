"""Builders for the EDAM exceptions every service raises.

``parameter`` and ``identifier`` follow EDAM's ``"Type.field"`` convention
(``"Note.title"``, ``"authenticationToken"``); see the fact sheets.
"""

from notestore.edam import Errors

__all__ = ["NOT_PRIMARY", "not_found", "system_error", "user_error"]


def user_error(code, parameter=None):
    """Return an EDAMUserException; ``code`` is an EDAMErrorCode name."""
    return Errors.EDAMUserException(
        errorCode=getattr(Errors.EDAMErrorCode, code), parameter=parameter
    )


def system_error(code, message=None, rate_limit_duration_s=None):
    return Errors.EDAMSystemException(
        errorCode=getattr(Errors.EDAMErrorCode, code),
        message=message,
        rateLimitDuration=rate_limit_duration_s,
    )


def not_found(identifier, key=None):
    return Errors.EDAMNotFoundException(identifier=identifier, key=key)


# The message of the SHARD_UNAVAILABLE answer a shard node gives when it is
# not primary. The router reads it as "refused before any work was done"
# and retries with the next primary it learns of.
NOT_PRIMARY = "not primary"
