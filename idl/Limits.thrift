// EDAM limits: lengths, patterns and counts the service enforces.
// Names and values follow Evernote's public IDL. Where 1.29 changed a
// value we carry the 1.29 value and note the 1.25 one above it.
//
// The patterns are Java regexes (\p{Cc}, \p{Z}, \p{Zl}, \p{Zp}, \p{Space});
// Python's re module lacks \p{...}, so translate them before use.
//
// Left out on purpose: EDAM_EMAIL_REGEX, which is EDAM_EMAIL_LOCAL_REGEX
// without its trailing "$", then "@", then EDAM_EMAIL_DOMAIN_REGEX without
// its leading "^"; and EDAM_VAT_REGEX (billing only). Neither fits on one
// line and thrift has no string concatenation.

// ------------------------------------------- string lengths and patterns

const i32 EDAM_ATTRIBUTE_LEN_MIN = 1
const i32 EDAM_ATTRIBUTE_LEN_MAX = 4096
const string EDAM_ATTRIBUTE_REGEX = "^[^\\p{Cc}\\p{Zl}\\p{Zp}]{1,4096}$"
const i32 EDAM_ATTRIBUTE_LIST_MAX = 100
const i32 EDAM_ATTRIBUTE_MAP_MAX = 100
const i32 EDAM_GUID_LEN_MIN = 36
const i32 EDAM_GUID_LEN_MAX = 36
const string EDAM_GUID_REGEX =
  "^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
const i32 EDAM_EMAIL_LEN_MIN = 6
const i32 EDAM_EMAIL_LEN_MAX = 255
const string EDAM_EMAIL_LOCAL_REGEX =
  "^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$"
// 1.25 value: "^[A-Za-z0-9-]+(\\.[A-Za-z0-9-]+)*\\.([A-Za-z]{2,})$"
const string EDAM_EMAIL_DOMAIN_REGEX =
  "^[A-Za-z0-9-]*[A-Za-z0-9](\\.[A-Za-z0-9-]*[A-Za-z0-9])*\\.([A-Za-z]{2,})$"
const i32 EDAM_TIMEZONE_LEN_MIN = 1
const i32 EDAM_TIMEZONE_LEN_MAX = 32
const string EDAM_TIMEZONE_REGEX =
  "^([A-Za-z_-]+(/[A-Za-z_-]+)*)|(GMT(-|\\+)[0-9]{1,2}(:[0-9]{2})?)$"
const i32 EDAM_MIME_LEN_MIN = 3
const i32 EDAM_MIME_LEN_MAX = 255
const string EDAM_MIME_REGEX = "^[A-Za-z]+/[A-Za-z0-9._+-]+$"
const string EDAM_MIME_TYPE_GIF = "image/gif"
const string EDAM_MIME_TYPE_JPEG = "image/jpeg"
const string EDAM_MIME_TYPE_PNG = "image/png"
const string EDAM_MIME_TYPE_TIFF = "image/tiff"  // 1.29 addition
const string EDAM_MIME_TYPE_BMP = "image/bmp"  // 1.29 addition
const string EDAM_MIME_TYPE_WAV = "audio/wav"
const string EDAM_MIME_TYPE_MP3 = "audio/mpeg"
const string EDAM_MIME_TYPE_AMR = "audio/amr"
const string EDAM_MIME_TYPE_AAC = "audio/aac"
const string EDAM_MIME_TYPE_M4A = "audio/mp4"
const string EDAM_MIME_TYPE_MP4_VIDEO = "video/mp4"
const string EDAM_MIME_TYPE_INK = "application/vnd.evernote.ink"
const string EDAM_MIME_TYPE_PDF = "application/pdf"
const string EDAM_MIME_TYPE_DEFAULT = "application/octet-stream"
const set<string> EDAM_MIME_TYPES = [
  "application/pdf",
  "application/vnd.evernote.ink",
  "audio/aac",
  "audio/amr",
  "audio/mp4",
  "audio/mpeg",
  "audio/wav",
  "image/gif",
  "image/jpeg",
  "image/png",
  "video/mp4"
]
const set<string> EDAM_INDEXABLE_RESOURCE_MIME_TYPES = [
  "application/excel",
  "application/mspowerpoint",
  "application/msword",
  "application/vnd.apple.keynote",
  "application/vnd.apple.numbers",
  "application/vnd.apple.pages",
  "application/vnd.ms-excel",
  "application/vnd.ms-powerpoint",
  "application/vnd.ms-word",
  "application/vnd.openxmlformats-officedocument.presentationml.presentation",
  "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
  "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
  "application/x-iwork-keynote-sffkey",
  "application/x-iwork-numbers-sffnumbers",
  "application/x-iwork-pages-sffpages"
]
const set<string> EDAM_INDEXABLE_PLAINTEXT_MIME_TYPES = [
  "application/sql",
  "application/x-bsh",
  "application/x-sh",
  "application/x-sql"
]  // 1.29 addition
const i32 EDAM_SEARCH_QUERY_LEN_MIN = 0
const i32 EDAM_SEARCH_QUERY_LEN_MAX = 1024
const string EDAM_SEARCH_QUERY_REGEX = "^[^\\p{Cc}\\p{Zl}\\p{Zp}]{0,1024}$"
const i32 EDAM_HASH_LEN = 16
const i32 EDAM_USER_USERNAME_LEN_MIN = 1
const i32 EDAM_USER_USERNAME_LEN_MAX = 64
const string EDAM_USER_USERNAME_REGEX = "^[a-z0-9]([a-z0-9_-]{0,62}[a-z0-9])?$"
const i32 EDAM_USER_NAME_LEN_MIN = 1
const i32 EDAM_USER_NAME_LEN_MAX = 255
const string EDAM_USER_NAME_REGEX = "^[^\\p{Cc}\\p{Zl}\\p{Zp}]{1,255}$"
const i32 EDAM_TAG_NAME_LEN_MIN = 1
const i32 EDAM_TAG_NAME_LEN_MAX = 100
const string EDAM_TAG_NAME_REGEX =
  "^[^,\\p{Cc}\\p{Z}]([^,\\p{Cc}\\p{Zl}\\p{Zp}]{0,98}[^,\\p{Cc}\\p{Z}])?$"
const i32 EDAM_NOTE_TITLE_LEN_MIN = 1
const i32 EDAM_NOTE_TITLE_LEN_MAX = 255
const string EDAM_NOTE_TITLE_REGEX =
  "^[^\\p{Cc}\\p{Z}]([^\\p{Cc}\\p{Zl}\\p{Zp}]{0,253}[^\\p{Cc}\\p{Z}])?$"
const i32 EDAM_NOTE_CONTENT_LEN_MIN = 0
const i32 EDAM_NOTE_CONTENT_LEN_MAX = 5242880
const i32 EDAM_APPLICATIONDATA_NAME_LEN_MIN = 3
const i32 EDAM_APPLICATIONDATA_NAME_LEN_MAX = 32
const i32 EDAM_APPLICATIONDATA_VALUE_LEN_MIN = 0
const i32 EDAM_APPLICATIONDATA_VALUE_LEN_MAX = 4092
const i32 EDAM_APPLICATIONDATA_ENTRY_LEN_MAX = 4095
const string EDAM_APPLICATIONDATA_NAME_REGEX = "^[A-Za-z0-9_.-]{3,32}$"
// 1.25 value: "^[^\\p{Cc}]{0,4092}$"
const string EDAM_APPLICATIONDATA_VALUE_REGEX =
  "^[\\p{Space}[^\\p{Cc}]]{0,4092}$"
const i32 EDAM_NOTEBOOK_NAME_LEN_MIN = 1
const i32 EDAM_NOTEBOOK_NAME_LEN_MAX = 100
const string EDAM_NOTEBOOK_NAME_REGEX =
  "^[^\\p{Cc}\\p{Z}]([^\\p{Cc}\\p{Zl}\\p{Zp}]{0,98}[^\\p{Cc}\\p{Z}])?$"
const i32 EDAM_NOTEBOOK_STACK_LEN_MIN = 1
const i32 EDAM_NOTEBOOK_STACK_LEN_MAX = 100
const string EDAM_NOTEBOOK_STACK_REGEX =
  "^[^\\p{Cc}\\p{Z}]([^\\p{Cc}\\p{Zl}\\p{Zp}]{0,98}[^\\p{Cc}\\p{Z}])?$"
const i32 EDAM_WORKSPACE_NAME_LEN_MIN = 1  // 1.29 addition
const i32 EDAM_WORKSPACE_NAME_LEN_MAX = 100  // 1.29 addition
const i32 EDAM_WORKSPACE_DESCRIPTION_LEN_MAX = 600  // 1.29 addition
// 1.29 addition
const string EDAM_WORKSPACE_NAME_REGEX =
  "^[^\\p{Cc}\\p{Z}]([^\\p{Cc}\\p{Zl}\\p{Zp}]{0,98}[^\\p{Cc}\\p{Z}])?$"
const i32 EDAM_PUBLISHING_URI_LEN_MIN = 1
const i32 EDAM_PUBLISHING_URI_LEN_MAX = 255
const string EDAM_PUBLISHING_URI_REGEX = "^[a-zA-Z0-9.~_+-]{1,255}$"
// 1.25 value: [".."]
const set<string> EDAM_PUBLISHING_URI_PROHIBITED = [".", ".."]
const i32 EDAM_PUBLISHING_DESCRIPTION_LEN_MIN = 1
const i32 EDAM_PUBLISHING_DESCRIPTION_LEN_MAX = 200
const string EDAM_PUBLISHING_DESCRIPTION_REGEX =
  "^[^\\p{Cc}\\p{Z}]([^\\p{Cc}\\p{Zl}\\p{Zp}]{0,198}[^\\p{Cc}\\p{Z}])?$"
const i32 EDAM_SAVED_SEARCH_NAME_LEN_MIN = 1
const i32 EDAM_SAVED_SEARCH_NAME_LEN_MAX = 100
const string EDAM_SAVED_SEARCH_NAME_REGEX =
  "^[^\\p{Cc}\\p{Z}]([^\\p{Cc}\\p{Zl}\\p{Zp}]{0,98}[^\\p{Cc}\\p{Z}])?$"
const i32 EDAM_USER_PASSWORD_LEN_MIN = 6
const i32 EDAM_USER_PASSWORD_LEN_MAX = 64
const string EDAM_USER_PASSWORD_REGEX =
  "^[A-Za-z0-9!#$%&'()*+,./:;<=>?@^_`{|}~\\[\\]\\\\-]{6,64}$"
const i32 EDAM_BUSINESS_URI_LEN_MAX = 32
const string EDAM_BUSINESS_MARKETING_CODE_REGEX_PATTERN =
  "[A-Za-z0-9-]{1,128}"  // 1.29 addition

// ----------------------------------- collection sizes and account limits

const i32 EDAM_NOTE_TAGS_MAX = 100
const i32 EDAM_NOTE_RESOURCES_MAX = 1000
const i32 EDAM_USER_TAGS_MAX = 100000
const i32 EDAM_BUSINESS_TAGS_MAX = 100000
const i32 EDAM_USER_SAVED_SEARCHES_MAX = 100
const i32 EDAM_USER_NOTES_MAX = 100000
const i32 EDAM_BUSINESS_NOTES_MAX = 500000
const i32 EDAM_USER_NOTEBOOKS_MAX = 250
const i32 EDAM_USER_WORKSPACES_MAX = 0  // 1.29 addition
// 1.25 value: 5000
const i32 EDAM_BUSINESS_NOTEBOOKS_MAX = 10000
const i32 EDAM_BUSINESS_WORKSPACES_MAX = 1000  // 1.29 addition
const i32 EDAM_USER_RECENT_MAILED_ADDRESSES_MAX = 10
const i32 EDAM_USER_MAIL_LIMIT_DAILY_FREE = 50
const i32 EDAM_USER_MAIL_LIMIT_DAILY_PREMIUM = 200
const i64 EDAM_USER_UPLOAD_LIMIT_FREE = 62914560
// 1.25 value: 1073741824
const i64 EDAM_USER_UPLOAD_LIMIT_PREMIUM = 10737418240
const i64 EDAM_USER_UPLOAD_LIMIT_BUSINESS_FIRST_MONTH = 53687091200  // 1.29 addition
const i64 EDAM_USER_UPLOAD_LIMIT_BUSINESS_NEXT_MONTH = 21474836480  // 1.29 addition
const i64 EDAM_USER_UPLOAD_LIMIT_PLUS = 1073741824  // 1.29 addition
const i64 EDAM_USER_UPLOAD_SURVEY_THRESHOLD = 5368709120  // 1.29 addition
// 1.25 value: 2147483647
const i64 EDAM_USER_UPLOAD_LIMIT_BUSINESS = 10737418240
const i64 EDAM_USER_UPLOAD_LIMIT_BUSINESS_PER_USER = 2147483647  // 1.29 addition
const i32 EDAM_NOTE_SIZE_MAX_FREE = 26214400
// 1.25 value: 104857600
const i32 EDAM_NOTE_SIZE_MAX_PREMIUM = 209715200
const i32 EDAM_RESOURCE_SIZE_MAX_FREE = 26214400
// 1.25 value: 104857600
const i32 EDAM_RESOURCE_SIZE_MAX_PREMIUM = 209715200
const i32 EDAM_USER_LINKED_NOTEBOOK_MAX = 100
// 1.25 value: 250
const i32 EDAM_USER_LINKED_NOTEBOOK_MAX_PREMIUM = 500
const i32 EDAM_NOTEBOOK_BUSINESS_SHARED_NOTEBOOK_MAX = 5000  // 1.29 addition
const i32 EDAM_NOTEBOOK_PERSONAL_SHARED_NOTEBOOK_MAX = 500  // 1.29 addition
const i32 EDAM_NOTE_BUSINESS_SHARED_NOTE_MAX = 1000  // 1.29 addition
const i32 EDAM_NOTE_PERSONAL_SHARED_NOTE_MAX = 100  // 1.29 addition

// -------------------------------------- content classes and note sources

const i32 EDAM_NOTE_CONTENT_CLASS_LEN_MIN = 3
const i32 EDAM_NOTE_CONTENT_CLASS_LEN_MAX = 32
const string EDAM_NOTE_CONTENT_CLASS_REGEX = "^[A-Za-z0-9_.-]{3,32}$"
const string EDAM_HELLO_APP_CONTENT_CLASS_PREFIX = "evernote.hello."
const string EDAM_FOOD_APP_CONTENT_CLASS_PREFIX = "evernote.food."
const string EDAM_CONTENT_CLASS_HELLO_ENCOUNTER = "evernote.hello.encounter"
const string EDAM_CONTENT_CLASS_HELLO_PROFILE = "evernote.hello.profile"
const string EDAM_CONTENT_CLASS_FOOD_MEAL = "evernote.food.meal"
const string EDAM_CONTENT_CLASS_SKITCH_PREFIX = "evernote.skitch"
const string EDAM_CONTENT_CLASS_SKITCH = "evernote.skitch"
const string EDAM_CONTENT_CLASS_SKITCH_PDF = "evernote.skitch.pdf"
const string EDAM_CONTENT_CLASS_PENULTIMATE_PREFIX = "evernote.penultimate."
const string EDAM_CONTENT_CLASS_PENULTIMATE_NOTEBOOK =
  "evernote.penultimate.notebook"
const string EDAM_SOURCE_APPLICATION_POSTIT = "postit"  // 1.29 addition
const string EDAM_SOURCE_APPLICATION_MOLESKINE = "moleskine"  // 1.29 addition
const string EDAM_SOURCE_APPLICATION_EN_SCANSNAP =
  "scanner.scansnap.evernote"  // 1.29 addition
const string EDAM_SOURCE_APPLICATION_EWC = "clipncite.web"  // 1.29 addition
const string EDAM_SOURCE_APPLICATION_ANDROID_SHARE_EXTENSION =
  "android.clipper.evernote"  // 1.29 addition
const string EDAM_SOURCE_APPLICATION_IOS_SHARE_EXTENSION =
  "ios.clipper.evernote"  // 1.29 addition
const string EDAM_SOURCE_APPLICATION_WEB_CLIPPER =
  "webclipper.evernote"  // 1.29 addition
const string EDAM_SOURCE_OUTLOOK_CLIPPER = "app.ms.outlook"  // 1.29 addition
const i32 EDAM_NOTE_TITLE_QUALITY_UNTITLED = 0  // 1.29 addition
const i32 EDAM_NOTE_TITLE_QUALITY_LOW = 1  // 1.29 addition
const i32 EDAM_NOTE_TITLE_QUALITY_MEDIUM = 2  // 1.29 addition
const i32 EDAM_NOTE_TITLE_QUALITY_HIGH = 3  // 1.29 addition

// ----------------------------------------------------------- findRelated

const i32 EDAM_RELATED_PLAINTEXT_LEN_MIN = 1
const i32 EDAM_RELATED_PLAINTEXT_LEN_MAX = 131072
const i32 EDAM_RELATED_MAX_NOTES = 25
const i32 EDAM_RELATED_MAX_NOTEBOOKS = 1
const i32 EDAM_RELATED_MAX_TAGS = 25
const i32 EDAM_RELATED_MAX_EXPERTS = 10  // 1.29 addition
const i32 EDAM_RELATED_MAX_RELATED_CONTENT = 10  // 1.29 addition

// ---------------------------------------------------- business notebooks

const i32 EDAM_BUSINESS_NOTEBOOK_DESCRIPTION_LEN_MIN = 1
const i32 EDAM_BUSINESS_NOTEBOOK_DESCRIPTION_LEN_MAX = 200
const string EDAM_BUSINESS_NOTEBOOK_DESCRIPTION_REGEX =
  "^[^\\p{Cc}\\p{Z}]([^\\p{Cc}\\p{Zl}\\p{Zp}]{0,198}[^\\p{Cc}\\p{Z}])?$"
const i32 EDAM_BUSINESS_PHONE_NUMBER_LEN_MAX = 20

// ------------------------------ preferences, devices, search suggestions

const i32 EDAM_PREFERENCE_NAME_LEN_MIN = 3
const i32 EDAM_PREFERENCE_NAME_LEN_MAX = 32
const i32 EDAM_PREFERENCE_VALUE_LEN_MIN = 1
const i32 EDAM_PREFERENCE_VALUE_LEN_MAX = 1024
const i32 EDAM_MAX_PREFERENCES = 100
const i32 EDAM_MAX_VALUES_PER_PREFERENCE = 256
const i32 EDAM_PREFERENCE_ONLY_ONE_VALUE_LEN_MAX = 16384  // 1.29 addition
const string EDAM_PREFERENCE_NAME_REGEX = "^[A-Za-z0-9_.-]{3,32}$"
const string EDAM_PREFERENCE_VALUE_REGEX = "^[^\\p{Cc}]{1,1024}$"
const string EDAM_PREFERENCE_ONLY_ONE_VALUE_REGEX =
  "^[^\\p{Cc}]{1,16384}$"  // 1.29 addition
const string EDAM_PREFERENCE_SHORTCUTS = "evernote.shortcuts"
const string EDAM_PREFERENCE_BUSINESS_DEFAULT_NOTEBOOK =
  "evernote.business.notebook"  // 1.29 addition
const string EDAM_PREFERENCE_BUSINESS_QUICKNOTE =
  "evernote.business.quicknote"  // 1.29 addition
const i32 EDAM_PREFERENCE_SHORTCUTS_MAX_VALUES = 250
const i32 EDAM_DEVICE_ID_LEN_MAX = 32
const string EDAM_DEVICE_ID_REGEX = "^[^\\p{Cc}]{1,32}$"
const i32 EDAM_DEVICE_DESCRIPTION_LEN_MAX = 64
const string EDAM_DEVICE_DESCRIPTION_REGEX = "^[^\\p{Cc}]{1,64}$"
const i32 EDAM_SEARCH_SUGGESTIONS_MAX = 10
const i32 EDAM_SEARCH_SUGGESTIONS_PREFIX_LEN_MAX = 1024
const i32 EDAM_SEARCH_SUGGESTIONS_PREFIX_LEN_MIN = 2

// ----------------------------- contacts, messaging and other 1.29 limits

const i32 EDAM_FIND_CONTACT_DEFAULT_MAX_RESULTS = 100  // 1.29 addition
const i32 EDAM_FIND_CONTACT_MAX_RESULTS = 256  // 1.29 addition
const i32 EDAM_NOTE_LOCK_VIEWERS_NOTES_MAX = 150  // 1.29 addition
const i32 EDAM_GET_ORDERS_MAX_RESULTS = 2000  // 1.29 addition
const i32 EDAM_MESSAGE_BODY_LEN_MAX = 2048  // 1.29 addition
// 1.29 addition
const string EDAM_MESSAGE_BODY_REGEX =
  "^[^\\p{Cc}\\p{Z}]([^\\p{Cc}\\p{Zl}\\p{Zp}]{0,2046}[^\\p{Cc}\\p{Z}])?$"
const i32 EDAM_MESSAGE_RECIPIENTS_MAX = 50  // 1.29 addition
const i32 EDAM_MESSAGE_ATTACHMENTS_MAX = 100  // 1.29 addition
const i32 EDAM_MESSAGE_ATTACHMENT_TITLE_LEN_MAX = 255  // 1.29 addition
// 1.29 addition
const string EDAM_MESSAGE_ATTACHMENT_TITLE_REGEX =
  "^[^\\p{Cc}\\p{Z}]([^\\p{Cc}\\p{Zl}\\p{Zp}]{0,253}[^\\p{Cc}\\p{Z}])?$"
const i32 EDAM_MESSAGE_ATTACHMENT_SNIPPET_LEN_MAX = 2048  // 1.29 addition
// 1.29 addition
const string EDAM_MESSAGE_ATTACHMENT_SNIPPET_REGEX =
  "^[^\\p{Cc}\\p{Z}]([\\n[^\\p{Cc}\\p{Zl}\\p{Zp}]]{0,2046}[^\\p{Cc}\\p{Z}])?$"
const i32 EDAM_USER_PROFILE_PHOTO_MAX_BYTES = 716800  // 1.29 addition
const i32 EDAM_PROMOTION_ID_LEN_MAX = 32  // 1.29 addition
const string EDAM_PROMOTION_ID_REGEX = "^[A-Za-z0-9_.-]{1,32}$"  // 1.29 addition
const i16 EDAM_APP_RATING_MIN = 1  // 1.29 addition
const i16 EDAM_APP_RATING_MAX = 5  // 1.29 addition
const i32 EDAM_SNIPPETS_NOTES_MAX = 24  // 1.29 addition
const i32 EDAM_CONNECTED_IDENTITY_REQUEST_MAX = 100  // 1.29 addition
const i32 EDAM_OPEN_ID_ACCESS_TOKEN_MAX = 1000  // 1.29 addition
// 1.25 only; 1.29 splits it into the PERSONAL and BUSINESS maxima.
const i32 EDAM_NOTEBOOK_SHARED_NOTEBOOK_MAX = 250
