"""Token checks with EDAM's answers: the one place tokens meet exceptions."""

from notestore import errors, tokens

__all__ = ["check_token"]

_PARAMETER = "authenticationToken"


def check_token(signer, token):
    """Return the `tokens.Token` in ``token`` or raise EDAMUserException.

    DATA_REQUIRED for an empty token, AUTH_EXPIRED for a genuine expired one
    and INVALID_AUTH for anything else, all with parameter
    ``"authenticationToken"`` as clients expect.
    """
    if not token:
        raise errors.user_error("DATA_REQUIRED", _PARAMETER)
    try:
        return signer.verify(token)
    except tokens.ExpiredToken as exc:
        raise errors.user_error("AUTH_EXPIRED", _PARAMETER) from exc
    except tokens.InvalidToken as exc:
        raise errors.user_error("INVALID_AUTH", _PARAMETER) from exc


def invalid_auth():
    return errors.user_error("INVALID_AUTH", _PARAMETER)
