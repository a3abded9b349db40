// EDAM error codes and exceptions. Field ids and types follow Evernote's
// public IDL; this file serves the union of API 1.25 and 1.29 (minor 28).

include "Types.thrift"

enum EDAMErrorCode {
  UNKNOWN = 1,
  BAD_DATA_FORMAT = 2,
  PERMISSION_DENIED = 3,
  INTERNAL_ERROR = 4,
  DATA_REQUIRED = 5,
  LIMIT_REACHED = 6,
  QUOTA_REACHED = 7,
  INVALID_AUTH = 8,
  AUTH_EXPIRED = 9,
  DATA_CONFLICT = 10,
  ENML_VALIDATION = 11,
  SHARD_UNAVAILABLE = 12,
  LEN_TOO_SHORT = 13,
  LEN_TOO_LONG = 14,
  TOO_FEW = 15,
  TOO_MANY = 16,
  UNSUPPORTED_OPERATION = 17,
  TAKEN_DOWN = 18,
  RATE_LIMIT_REACHED = 19,
  // 20-28 are 1.29 additions; a 1.25 client sees them as plain ints.
  BUSINESS_SECURITY_LOGIN_REQUIRED = 20,
  DEVICE_LIMIT_REACHED = 21,
  OPENID_ALREADY_TAKEN = 22,
  INVALID_OPENID_TOKEN = 23,
  USER_NOT_ASSOCIATED = 24,
  USER_NOT_REGISTERED = 25,
  USER_ALREADY_ASSOCIATED = 26,
  ACCOUNT_CLEAR = 27,
  SSO_AUTHENTICATION_REQUIRED = 28
}

// 1.29 addition.
enum EDAMInvalidContactReason {
  BAD_ADDRESS = 0,
  DUPLICATE_CONTACT = 1,
  NO_CONNECTION = 2
}

// A failure the caller can fix; parameter names the offending input,
// e.g. "Note.title" or "authenticationToken".
exception EDAMUserException {
  1: required EDAMErrorCode errorCode,
  2: optional string parameter
}

// A failure on our side. rateLimitDuration (seconds) is set only with
// RATE_LIMIT_REACHED.
exception EDAMSystemException {
  1: required EDAMErrorCode errorCode,
  2: optional string message,
  3: optional i32 rateLimitDuration
}

// identifier is "Type.field" (e.g. "Note.guid"); key is the value not found.
exception EDAMNotFoundException {
  1: optional string identifier,
  2: optional string key
}

// 1.29 addition; reasons[i] explains contacts[i].
exception EDAMInvalidContactsException {
  1: required list<Types.Contact> contacts,
  2: optional string parameter,
  3: optional list<EDAMInvalidContactReason> reasons
}
