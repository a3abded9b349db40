// EDAM UserStore: version check, bootstrap, authentication and account
// lookups. Arguments, throws slots and struct fields follow Evernote's
// public IDL; the service offers every method of API 1.25 and of 1.29.

include "Types.thrift"
include "Errors.thrift"

// We advertise 1.28 (what the 1.29 IDL release calls itself); checkVersion
// accepts major 1 with any minor >= 25.
const i16 EDAM_VERSION_MAJOR = 1
const i16 EDAM_VERSION_MINOR = 28

struct PublicUserInfo {
  1: required Types.UserID userId,
  2: required string shardId,  // 1.25 only, but required there
  3: optional Types.PrivilegeLevel privilege,  // 1.25 only
  7: optional Types.ServiceLevel serviceLevel,  // 1.29 addition
  4: optional string username,
  5: optional string noteStoreUrl,
  6: optional string webApiUrlPrefix
}

// 1.29 addition.
struct UserUrls {
  1: optional string noteStoreUrl,
  2: optional string webApiUrlPrefix,
  3: optional string userStoreUrl,
  4: optional string utilityUrl,
  5: optional string messageStoreUrl,
  6: optional string userWebSocketUrl
}

struct AuthenticationResult {
  1: required Types.Timestamp currentTime,
  2: required string authenticationToken,
  3: required Types.Timestamp expiration,
  4: optional Types.User user,
  5: optional PublicUserInfo publicUserInfo,
  6: optional string noteStoreUrl,
  7: optional string webApiUrlPrefix,
  8: optional bool secondFactorRequired,
  9: optional string secondFactorDeliveryHint,
  10: optional UserUrls urls  // 1.29 addition
}

struct BootstrapSettings {
  1: required string serviceHost,
  2: required string marketingUrl,
  3: required string supportUrl,
  4: required string accountEmailDomain,
  5: optional bool enableFacebookSharing,
  6: optional bool enableGiftSubscriptions,
  7: optional bool enableSupportTickets,
  8: optional bool enableSharedNotebooks,
  9: optional bool enableSingleNoteSharing,
  10: optional bool enableSponsoredAccounts,
  11: optional bool enableTwitterSharing,
  12: optional bool enableLinkedInSharing,
  13: optional bool enablePublicNotebooks,
  16: optional bool enableGoogle  // 1.29 addition
}

struct BootstrapProfile {
  1: required string name,
  2: required BootstrapSettings settings
}

// Profiles in descending order of preference.
struct BootstrapInfo {
  1: required list<BootstrapProfile> profiles
}

service UserStore {

  // True when the client's protocol version can talk to us. As in EDAM,
  // a version left out means ours.
  bool checkVersion(1: string clientName,
                    2: i16 edamVersionMajor = EDAM_VERSION_MAJOR,
                    3: i16 edamVersionMinor = EDAM_VERSION_MINOR),

  BootstrapInfo getBootstrapInfo(1: string locale),

  // 1.25 only.
  AuthenticationResult authenticate(1: string username,
                                    2: string password,
                                    3: string consumerKey,
                                    4: string consumerSecret,
                                    5: bool supportsTwoFactor)
    throws (1: Errors.EDAMUserException userException,
            2: Errors.EDAMSystemException systemException),

  AuthenticationResult authenticateLongSession(1: string username,
                                               2: string password,
                                               3: string consumerKey,
                                               4: string consumerSecret,
                                               5: string deviceIdentifier,
                                               6: string deviceDescription,
                                               7: bool supportsTwoFactor)
    throws (1: Errors.EDAMUserException userException,
            2: Errors.EDAMSystemException systemException),

  AuthenticationResult completeTwoFactorAuthentication(
      1: string authenticationToken,
      2: string oneTimeCode,
      3: string deviceIdentifier,
      4: string deviceDescription)
    throws (1: Errors.EDAMUserException userException,
            2: Errors.EDAMSystemException systemException),

  void revokeLongSession(1: string authenticationToken)
    throws (1: Errors.EDAMUserException userException,
            2: Errors.EDAMSystemException systemException),

  AuthenticationResult authenticateToBusiness(1: string authenticationToken)
    throws (1: Errors.EDAMUserException userException,
            2: Errors.EDAMSystemException systemException),

  // 1.25 only.
  AuthenticationResult refreshAuthentication(1: string authenticationToken)
    throws (1: Errors.EDAMUserException userException,
            2: Errors.EDAMSystemException systemException),

  Types.User getUser(1: string authenticationToken)
    throws (1: Errors.EDAMUserException userException,
            2: Errors.EDAMSystemException systemException),

  // Note the slot order: not-found first.
  PublicUserInfo getPublicUserInfo(1: string username)
    throws (1: Errors.EDAMNotFoundException notFoundException,
            2: Errors.EDAMSystemException systemException,
            3: Errors.EDAMUserException userException),

  // 1.25 only.
  Types.PremiumInfo getPremiumInfo(1: string authenticationToken)
    throws (1: Errors.EDAMUserException userException,
            2: Errors.EDAMSystemException systemException),

  // 1.25 only; the evernote3 SDK calls it to find the NoteStore.
  string getNoteStoreUrl(1: string authenticationToken)
    throws (1: Errors.EDAMUserException userException,
            2: Errors.EDAMSystemException systemException),

  // 1.29 addition; replaces getNoteStoreUrl.
  UserUrls getUserUrls(1: string authenticationToken)
    throws (1: Errors.EDAMUserException userException,
            2: Errors.EDAMSystemException systemException),

  // 1.29 addition.
  void inviteToBusiness(1: string authenticationToken,
                        2: string emailAddress)
    throws (1: Errors.EDAMUserException userException,
            2: Errors.EDAMSystemException systemException),

  // 1.29 addition.
  void removeFromBusiness(1: string authenticationToken,
                          2: string emailAddress)
    throws (1: Errors.EDAMUserException userException,
            2: Errors.EDAMSystemException systemException,
            3: Errors.EDAMNotFoundException notFoundException),

  // 1.29 addition.
  void updateBusinessUserIdentifier(1: string authenticationToken,
                                    2: string oldEmailAddress,
                                    3: string newEmailAddress)
    throws (1: Errors.EDAMUserException userException,
            2: Errors.EDAMSystemException systemException,
            3: Errors.EDAMNotFoundException notFoundException),

  // 1.29 addition.
  list<Types.UserProfile> listBusinessUsers(1: string authenticationToken)
    throws (1: Errors.EDAMUserException userException,
            2: Errors.EDAMSystemException systemException),

  // 1.29 addition.
  list<Types.BusinessInvitation> listBusinessInvitations(
      1: string authenticationToken,
      2: bool includeRequestedInvitations)
    throws (1: Errors.EDAMUserException userException,
            2: Errors.EDAMSystemException systemException),

  // 1.29 addition. Note: no token and a single throws slot.
  Types.AccountLimits getAccountLimits(1: Types.ServiceLevel serviceLevel)
    throws (1: Errors.EDAMUserException userException)
}
