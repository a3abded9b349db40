// EDAM data model. Field ids, types, names and requiredness follow
// Evernote's public IDL. Every struct carries the fields of API 1.25 and
// of 1.29 (minor 28): fields dropped in 1.29 stay for 1.25 clients, and
// 1.29 additions are harmless to 1.25 clients, which skip unknown ids.

include "Limits.thrift"

// ------------------------------------------------------------- typedefs

typedef i32 UserID

// 36 chars, lowercase hex in 8-4-4-4-12 form.
typedef string Guid

// Milliseconds since the Unix epoch (UTC), precise to the second.
typedef i64 Timestamp

// 1.29 additions.
typedef i64 InvalidationSequenceNumber
typedef i64 IdentityID
typedef i64 MessageEventID
typedef i64 MessageThreadID

// ---------------------------------------------------------------- enums

enum PrivilegeLevel {
  NORMAL = 1,
  PREMIUM = 3,
  VIP = 5,
  MANAGER = 7,
  SUPPORT = 8,
  ADMIN = 9
}

// 1.29 addition.
enum ServiceLevel {
  BASIC = 1,
  PLUS = 2,
  PREMIUM = 3,
  BUSINESS = 4
}

enum QueryFormat {
  USER = 1,
  SEXP = 2
}

enum NoteSortOrder {
  CREATED = 1,
  UPDATED = 2,
  RELEVANCE = 3,
  UPDATE_SEQUENCE_NUMBER = 4,
  TITLE = 5
}

enum PremiumOrderStatus {
  NONE = 0,
  PENDING = 1,
  ACTIVE = 2,
  FAILED = 3,
  CANCELLATION_PENDING = 4,
  CANCELED = 5
}

enum SharedNotebookPrivilegeLevel {
  READ_NOTEBOOK = 0,
  MODIFY_NOTEBOOK_PLUS_ACTIVITY = 1,
  READ_NOTEBOOK_PLUS_ACTIVITY = 2,
  GROUP = 3,
  FULL_ACCESS = 4,
  BUSINESS_FULL_ACCESS = 5
}

// 1.29 addition.
enum SharedNotePrivilegeLevel {
  READ_NOTE = 0,
  MODIFY_NOTE = 1,
  FULL_ACCESS = 2
}

enum SponsoredGroupRole {
  GROUP_MEMBER = 1,
  GROUP_ADMIN = 2,
  GROUP_OWNER = 3
}

enum BusinessUserRole {
  ADMIN = 1,
  NORMAL = 2
}

// 1.29 addition.
enum BusinessUserStatus {
  ACTIVE = 1,
  DEACTIVATED = 2
}

// Value 1 is ONLY_JOINED_OR_PREVIEW in 1.25 and ASSIGNED in 1.29; both
// names are kept, and ASSIGNED comes last so it wins value -> name lookups.
enum SharedNotebookInstanceRestrictions {
  ONLY_JOINED_OR_PREVIEW = 1,
  ASSIGNED = 1,
  NO_SHARED_NOTEBOOKS = 2
}

enum ReminderEmailConfig {
  DO_NOT_SEND = 1,
  SEND_DAILY_EMAIL = 2
}

// 1.29 addition.
enum BusinessInvitationStatus {
  APPROVED = 0,
  REQUESTED = 1,
  REDEEMED = 2
}

// 1.29 addition.
enum ContactType {
  EVERNOTE = 1,
  SMS = 2,
  FACEBOOK = 3,
  EMAIL = 4,
  TWITTER = 5,
  LINKEDIN = 6
}

// 1.29 addition.
enum EntityType {
  NOTE = 1,
  NOTEBOOK = 2,
  WORKSPACE = 3
}

// 1.29 addition.
enum RecipientStatus {
  NOT_IN_MY_LIST = 1,
  IN_MY_LIST = 2,
  IN_MY_LIST_AND_DEFAULT_NOTEBOOK = 3
}

// 1.29 addition.
enum CanMoveToContainerStatus {
  CAN_BE_MOVED = 1,
  INSUFFICIENT_ENTITY_PRIVILEGE = 2,
  INSUFFICIENT_CONTAINER_PRIVILEGE = 3
}

// 1.29 addition.
enum RelatedContentType {
  NEWS_ARTICLE = 1,
  PROFILE_PERSON = 2,
  PROFILE_ORGANIZATION = 3,
  REFERENCE_MATERIAL = 4
}

// 1.29 addition.
enum RelatedContentAccess {
  NOT_ACCESSIBLE = 0,
  DIRECT_LINK_ACCESS_OK = 1,
  DIRECT_LINK_LOGIN_REQUIRED = 2,
  DIRECT_LINK_EMBEDDED_VIEW = 3
}

// 1.29 addition.
enum UserIdentityType {
  EVERNOTE_USERID = 1,
  EMAIL = 2,
  IDENTITYID = 3
}

// ------------------------------------------------------------ constants

// Values of the "recipe" key in NoteAttributes.classifications.
const string CLASSIFICATION_RECIPE_USER_NON_RECIPE = "000"
const string CLASSIFICATION_RECIPE_USER_RECIPE = "001"
const string CLASSIFICATION_RECIPE_SERVICE_RECIPE = "002"

// Standard values of NoteAttributes.source.
const string EDAM_NOTE_SOURCE_WEB_CLIP = "web.clip"
const string EDAM_NOTE_SOURCE_WEB_CLIP_SIMPLIFIED = "Clearly"  // 1.29
const string EDAM_NOTE_SOURCE_MAIL_CLIP = "mail.clip"
const string EDAM_NOTE_SOURCE_MAIL_SMTP_GATEWAY = "mail.smtp"

// -------------------------------------------------------------- structs

// A block of bytes (note content, resource body, recognition XML).
// bodyHash is the binary MD5 of body.
struct Data {
  1: optional binary bodyHash,
  2: optional i32 size,
  3: optional binary body
}

struct UserAttributes {
  1: optional string defaultLocationName,
  2: optional double defaultLatitude,
  3: optional double defaultLongitude,
  4: optional bool preactivation,
  5: optional list<string> viewedPromotions,
  6: optional string incomingEmailAddress,
  7: optional list<string> recentMailedAddresses,
  9: optional string comments,
  11: optional Timestamp dateAgreedToTermsOfService,
  12: optional i32 maxReferrals,
  13: optional i32 referralCount,
  14: optional string refererCode,
  15: optional Timestamp sentEmailDate,
  16: optional i32 sentEmailCount,
  17: optional i32 dailyEmailLimit,
  18: optional Timestamp emailOptOutDate,
  19: optional Timestamp partnerEmailOptInDate,
  20: optional string preferredLanguage,
  21: optional string preferredCountry,
  22: optional bool clipFullPage,
  23: optional string twitterUserName,
  24: optional string twitterId,
  25: optional string groupName,
  26: optional string recognitionLanguage,
  28: optional string referralProof,
  29: optional bool educationalDiscount,
  30: optional string businessAddress,
  31: optional bool hideSponsorBilling,
  32: optional bool taxExempt,  // 1.25 only
  33: optional bool useEmailAutoFiling,
  34: optional ReminderEmailConfig reminderEmailConfig,
  // 35-39 are 1.29 additions.
  35: optional Timestamp emailAddressLastConfirmed,
  36: optional Timestamp passwordUpdated,
  37: optional bool salesforcePushEnabled,
  38: optional bool shouldLogClientEvent,
  39: optional bool optOutMachineLearning
}

// 1.29 addition.
struct BusinessUserAttributes {
  1: optional string title,
  2: optional string location,
  3: optional string department,
  4: optional string mobilePhone,
  5: optional string linkedInProfileUrl,
  6: optional string workPhone,
  7: optional Timestamp companyStartDate
}

// Subscription bookkeeping for a user.
struct Accounting {
  1: optional i64 uploadLimit,  // 1.25 only; 1.29 moved it to AccountLimits
  2: optional Timestamp uploadLimitEnd,
  3: optional i64 uploadLimitNextMonth,
  4: optional PremiumOrderStatus premiumServiceStatus,
  5: optional string premiumOrderNumber,
  6: optional string premiumCommerceService,
  7: optional Timestamp premiumServiceStart,
  8: optional string premiumServiceSKU,
  9: optional Timestamp lastSuccessfulCharge,
  10: optional Timestamp lastFailedCharge,
  11: optional string lastFailedChargeReason,
  12: optional Timestamp nextPaymentDue,
  13: optional Timestamp premiumLockUntil,
  14: optional Timestamp updated,
  16: optional string premiumSubscriptionNumber,
  17: optional Timestamp lastRequestedCharge,
  18: optional string currency,
  19: optional i32 unitPrice,
  20: optional i32 businessId,
  21: optional string businessName,
  22: optional BusinessUserRole businessRole,
  23: optional i32 unitDiscount,
  24: optional Timestamp nextChargeDate,
  25: optional i32 availablePoints  // 1.29 addition
}

struct BusinessUserInfo {
  1: optional i32 businessId,
  2: optional string businessName,
  3: optional BusinessUserRole role,
  4: optional string email,
  5: optional Timestamp updated  // 1.29 addition
}

// 1.25 only (User.premiumInfo and UserStore.getPremiumInfo).
struct PremiumInfo {
  1: required Timestamp currentTime,
  2: required bool premium,
  3: required bool premiumRecurring,
  4: optional Timestamp premiumExpirationDate,
  5: required bool premiumExtendable,
  6: required bool premiumPending,
  7: required bool premiumCancellationPending,
  8: required bool canPurchaseUploadAllowance,
  9: optional string sponsoredGroupName,
  10: optional SponsoredGroupRole sponsoredGroupRole,
  11: optional bool premiumUpgradable
}

// 1.29 addition. Sizes in bytes.
struct AccountLimits {
  1: optional i32 userMailLimitDaily,
  2: optional i64 noteSizeMax,
  3: optional i64 resourceSizeMax,
  4: optional i32 userLinkedNotebookMax,
  5: optional i64 uploadLimit,
  6: optional i32 userNoteCountMax,
  7: optional i32 userNotebookCountMax,
  8: optional i32 userTagCountMax,
  9: optional i32 noteTagCountMax,
  10: optional i32 userSavedSearchesMax,
  11: optional i32 noteResourceCountMax
}

struct User {
  1: optional UserID id,
  2: optional string username,
  3: optional string email,
  4: optional string name,
  6: optional string timezone,
  7: optional PrivilegeLevel privilege,
  21: optional ServiceLevel serviceLevel,  // 1.29 addition
  9: optional Timestamp created,
  10: optional Timestamp updated,
  11: optional Timestamp deleted,
  13: optional bool active,
  14: optional string shardId,
  15: optional UserAttributes attributes,
  16: optional Accounting accounting,
  17: optional PremiumInfo premiumInfo,  // 1.25 only
  18: optional BusinessUserInfo businessUserInfo,
  // 19, 20 and 22 are 1.29 additions.
  19: optional string photoUrl,
  20: optional Timestamp photoLastUpdated,
  22: optional AccountLimits accountLimits
}

// 1.29 addition.
struct Contact {
  1: optional string name,
  2: optional string id,
  3: optional ContactType type,
  4: optional string photoUrl,
  5: optional Timestamp photoLastUpdated,
  6: optional binary messagingPermit,
  7: optional Timestamp messagingPermitExpires
}

// 1.29 addition.
struct Identity {
  1: required IdentityID id,
  2: optional Contact contact,
  3: optional UserID userId,
  4: optional bool deactivated,
  5: optional bool sameBusiness,
  6: optional bool blocked,
  7: optional bool userConnected,
  8: optional MessageEventID eventId
}

struct Tag {
  1: optional Guid guid,
  2: optional string name,
  3: optional Guid parentGuid,
  4: optional i32 updateSequenceNum
}

// The server fills either keysOnly or fullMap, never both; on update it
// only looks at fullMap.
struct LazyMap {
  1: optional set<string> keysOnly,
  2: optional map<string, string> fullMap
}

struct ResourceAttributes {
  1: optional string sourceURL,
  2: optional Timestamp timestamp,
  3: optional double latitude,
  4: optional double longitude,
  5: optional double altitude,
  6: optional string cameraMake,
  7: optional string cameraModel,
  8: optional bool clientWillIndex,
  9: optional string recoType,
  10: optional string fileName,
  11: optional bool attachment,
  12: optional LazyMap applicationData
}

struct Resource {
  1: optional Guid guid,
  2: optional Guid noteGuid,
  3: optional Data data,
  4: optional string mime,
  5: optional i16 width,
  6: optional i16 height,
  7: optional i16 duration,
  8: optional bool active,
  9: optional Data recognition,
  11: optional ResourceAttributes attributes,
  12: optional i32 updateSequenceNum,
  13: optional Data alternateData
}

struct NoteAttributes {
  1: optional Timestamp subjectDate,
  10: optional double latitude,
  11: optional double longitude,
  12: optional double altitude,
  13: optional string author,
  14: optional string source,
  15: optional string sourceURL,
  16: optional string sourceApplication,
  17: optional Timestamp shareDate,
  18: optional i64 reminderOrder,
  19: optional Timestamp reminderDoneTime,
  20: optional Timestamp reminderTime,
  21: optional string placeName,
  22: optional string contentClass,
  23: optional LazyMap applicationData,
  24: optional string lastEditedBy,
  26: optional map<string, string> classifications,
  27: optional UserID creatorId,
  28: optional UserID lastEditorId,
  // 29-31 are 1.29 additions.
  29: optional bool sharedWithBusiness,
  30: optional Guid conflictSourceNoteGuid,
  31: optional i32 noteTitleQuality
}

// 1.29 addition.
struct SharedNote {
  1: optional UserID sharerUserID,
  2: optional Identity recipientIdentity,
  3: optional SharedNotePrivilegeLevel privilege,
  4: optional Timestamp serviceCreated,
  5: optional Timestamp serviceUpdated,
  6: optional Timestamp serviceAssigned
}

// 1.29 addition.
struct NoteRestrictions {
  1: optional bool noUpdateTitle,
  2: optional bool noUpdateContent,
  3: optional bool noEmail,
  4: optional bool noShare,
  5: optional bool noSharePublicly
}

// 1.29 addition. Sizes in bytes.
struct NoteLimits {
  1: optional i32 noteResourceCountMax,
  2: optional i64 uploadLimit,
  3: optional i64 resourceSizeMax,
  4: optional i64 noteSizeMax,
  5: optional i64 uploaded
}

// contentHash is the binary MD5 of the UTF-8 ENML; contentLength counts
// Unicode characters. Both are set by the server.
struct Note {
  1: optional Guid guid,
  2: optional string title,
  3: optional string content,
  4: optional binary contentHash,
  5: optional i32 contentLength,
  6: optional Timestamp created,
  7: optional Timestamp updated,
  8: optional Timestamp deleted,
  9: optional bool active,
  10: optional i32 updateSequenceNum,
  11: optional string notebookGuid,
  12: optional list<Guid> tagGuids,
  13: optional list<Resource> resources,
  14: optional NoteAttributes attributes,
  15: optional list<string> tagNames,
  // 16-18 are 1.29 additions.
  16: optional list<SharedNote> sharedNotes,
  17: optional NoteRestrictions restrictions,
  18: optional NoteLimits limits
}

struct Publishing {
  1: optional string uri,
  2: optional NoteSortOrder order,
  3: optional bool ascending,
  4: optional string publicDescription
}

struct BusinessNotebook {
  1: optional string notebookDescription,
  2: optional SharedNotebookPrivilegeLevel privilege,
  3: optional bool recommended
}

struct SavedSearchScope {
  1: optional bool includeAccount,
  2: optional bool includePersonalLinkedNotebooks,
  3: optional bool includeBusinessLinkedNotebooks
}

struct SavedSearch {
  1: optional Guid guid,
  2: optional string name,
  3: optional string query,
  4: optional QueryFormat format,
  5: optional i32 updateSequenceNum,
  6: optional SavedSearchScope scope
}

struct SharedNotebookRecipientSettings {
  1: optional bool reminderNotifyEmail,
  2: optional bool reminderNotifyInApp
}

// 1.29 addition.
struct NotebookRecipientSettings {
  1: optional bool reminderNotifyEmail,
  2: optional bool reminderNotifyInApp,
  3: optional bool inMyList,
  4: optional string stack,
  5: optional RecipientStatus recipientStatus
}

struct SharedNotebook {
  1: optional i64 id,
  2: optional UserID userId,
  3: optional Guid notebookGuid,
  4: optional string email,
  18: optional IdentityID recipientIdentityId,  // 1.29 addition
  5: optional bool notebookModifiable,
  6: optional bool requireLogin,  // 1.25 only
  7: optional Timestamp serviceCreated,
  10: optional Timestamp serviceUpdated,
  // 1.29 renames this to globalId; same id and type on the wire.
  8: optional string shareKey,
  9: optional string username,
  11: optional SharedNotebookPrivilegeLevel privilege,
  12: optional bool allowPreview,  // 1.25 only
  13: optional SharedNotebookRecipientSettings recipientSettings,
  // 14-17 are 1.29 additions.
  14: optional UserID sharerUserId,
  15: optional string recipientUsername,
  17: optional UserID recipientUserId,
  16: optional Timestamp serviceAssigned
}

// 1.29 addition.
struct CanMoveToContainerRestrictions {
  1: optional CanMoveToContainerStatus canMoveToContainer
}

// A true flag means the operation is not allowed for the token that
// fetched the notebook.
struct NotebookRestrictions {
  1: optional bool noReadNotes,
  2: optional bool noCreateNotes,
  3: optional bool noUpdateNotes,
  4: optional bool noExpungeNotes,
  5: optional bool noShareNotes,
  6: optional bool noEmailNotes,
  7: optional bool noSendMessageToRecipients,
  8: optional bool noUpdateNotebook,
  9: optional bool noExpungeNotebook,
  10: optional bool noSetDefaultNotebook,
  11: optional bool noSetNotebookStack,
  12: optional bool noPublishToPublic,
  13: optional bool noPublishToBusinessLibrary,
  14: optional bool noCreateTags,
  15: optional bool noUpdateTags,
  16: optional bool noExpungeTags,
  17: optional bool noSetParentTag,
  18: optional bool noCreateSharedNotebooks,
  19: optional SharedNotebookInstanceRestrictions
    updateWhichSharedNotebookRestrictions,
  20: optional SharedNotebookInstanceRestrictions
    expungeWhichSharedNotebookRestrictions,
  // 21-30 are 1.29 additions.
  21: optional bool noShareNotesWithBusiness,
  22: optional bool noRenameNotebook,
  23: optional bool noSetInMyList,
  24: optional bool noChangeContact,
  26: optional CanMoveToContainerRestrictions canMoveToContainerRestrictions,
  27: optional bool noSetReminderNotifyEmail,
  28: optional bool noSetReminderNotifyInApp,
  29: optional bool noSetRecipientSettingsStack,
  30: optional bool noCanMoveNote
}

struct Notebook {
  1: optional Guid guid,
  2: optional string name,
  5: optional i32 updateSequenceNum,
  6: optional bool defaultNotebook,
  7: optional Timestamp serviceCreated,
  8: optional Timestamp serviceUpdated,
  10: optional Publishing publishing,
  11: optional bool published,
  12: optional string stack,
  13: optional list<i64> sharedNotebookIds,
  14: optional list<SharedNotebook> sharedNotebooks,
  15: optional BusinessNotebook businessNotebook,
  16: optional User contact,
  17: optional NotebookRestrictions restrictions,
  18: optional NotebookRecipientSettings recipientSettings  // 1.29 addition
}

// A link to a notebook in another account. There is no field 1.
struct LinkedNotebook {
  2: optional string shareName,
  3: optional string username,
  4: optional string shardId,
  // 1.29 renames this to sharedNotebookGlobalId; same id and type.
  5: optional string shareKey,
  6: optional string uri,
  7: optional Guid guid,
  8: optional i32 updateSequenceNum,
  9: optional string noteStoreUrl,
  10: optional string webApiUrlPrefix,
  11: optional string stack,
  12: optional i32 businessId
}

struct NotebookDescriptor {
  1: optional Guid guid,
  2: optional string notebookDisplayName,
  3: optional string contactName,
  4: optional bool hasSharedNotebook,
  5: optional i32 joinedUserCount
}

// 1.29 addition.
struct UserProfile {
  1: optional UserID id,
  2: optional string name,
  3: optional string email,
  4: optional string username,
  5: optional BusinessUserAttributes attributes,
  6: optional Timestamp joined,
  7: optional Timestamp photoLastUpdated,
  8: optional string photoUrl,
  9: optional BusinessUserRole role,
  10: optional BusinessUserStatus status
}

// 1.29 addition.
struct RelatedContentImage {
  1: optional string url,
  2: optional i32 width,
  3: optional i32 height,
  4: optional double pixelRatio,
  5: optional i32 fileSize
}

// 1.29 addition.
struct RelatedContent {
  1: optional string contentId,
  2: optional string title,
  3: optional string url,
  4: optional string sourceId,
  5: optional string sourceUrl,
  6: optional string sourceFaviconUrl,
  7: optional string sourceName,
  8: optional Timestamp date,
  9: optional string teaser,
  10: optional list<RelatedContentImage> thumbnails,
  11: optional RelatedContentType contentType,
  12: optional RelatedContentAccess accessType,
  13: optional string visibleUrl,
  14: optional string clipUrl,
  15: optional Contact contact,
  16: optional list<string> authors
}

// 1.29 addition.
struct BusinessInvitation {
  1: optional i32 businessId,
  2: optional string email,
  3: optional BusinessUserRole role,
  4: optional BusinessInvitationStatus status,
  5: optional UserID requesterId,
  6: optional bool fromWorkChat,
  7: optional Timestamp created,
  8: optional Timestamp mostRecentReminder
}

// 1.29 addition. The value lives in stringIdentifier or longIdentifier,
// depending on type.
struct UserIdentity {
  1: optional UserIdentityType type,
  2: optional string stringIdentifier,
  3: optional i64 longIdentifier
}
