// EDAM NoteStore: sync, notes, notebooks, tags, searches, resources and
// sharing. Arguments, throws slots and struct fields follow Evernote's
// public IDL; the service offers every method of API 1.25 and of 1.29.
//
// Throws slots are not uniform: most methods use 1 user, 2 system,
// 3 not-found, but the sharing and linked-notebook methods use 1 user,
// 2 not-found, 3 system, and getPublicNotebook takes no token and uses
// 1 system, 2 not-found.

include "UserStore.thrift"
include "Types.thrift"
include "Errors.thrift"
include "Limits.thrift"

// --------------------------------------------------------- sync structs

// updateCount is the highest USN in the account.
struct SyncState {
  1: required Types.Timestamp currentTime,
  2: required Types.Timestamp fullSyncBefore,
  3: required i32 updateCount,
  4: optional i64 uploaded,
  // 5 and 6 are 1.29 additions.
  5: optional Types.Timestamp userLastUpdated,
  6: optional Types.MessageEventID userMaxMessageEventId
}

// Objects in ascending USN order. chunkHighUSN is unset for an empty
// chunk; chunkHighUSN == updateCount marks the last chunk.
struct SyncChunk {
  1: required Types.Timestamp currentTime,
  2: optional i32 chunkHighUSN,
  3: required i32 updateCount,
  4: optional list<Types.Note> notes,
  5: optional list<Types.Notebook> notebooks,
  6: optional list<Types.Tag> tags,
  7: optional list<Types.SavedSearch> searches,
  8: optional list<Types.Resource> resources,
  9: optional list<Types.Guid> expungedNotes,
  10: optional list<Types.Guid> expungedNotebooks,
  11: optional list<Types.Guid> expungedTags,
  12: optional list<Types.Guid> expungedSearches,
  13: optional list<Types.LinkedNotebook> linkedNotebooks,
  14: optional list<Types.Guid> expungedLinkedNotebooks
}

struct SyncChunkFilter {
  1: optional bool includeNotes,
  2: optional bool includeNoteResources,
  3: optional bool includeNoteAttributes,
  4: optional bool includeNotebooks,
  5: optional bool includeTags,
  6: optional bool includeSearches,
  7: optional bool includeResources,
  8: optional bool includeLinkedNotebooks,
  9: optional bool includeExpunged,
  10: optional bool includeNoteApplicationDataFullMap,
  12: optional bool includeResourceApplicationDataFullMap,
  13: optional bool includeNoteResourceApplicationDataFullMap,
  17: optional bool includeSharedNotes,  // 1.29 addition
  16: optional bool omitSharedNotebooks,  // 1.29 addition
  11: optional string requireNoteContentClass,
  15: optional set<string> notebookGuids  // 1.29 addition
}

// 1.25 only (getSyncStateWithMetrics).
struct ClientUsageMetrics {
  1: optional i32 sessions
}

// ------------------------------------------------------- search structs

// order holds a Types.NoteSortOrder value but is declared as a plain i32.
struct NoteFilter {
  1: optional i32 order,
  2: optional bool ascending,
  3: optional string words,
  4: optional Types.Guid notebookGuid,
  5: optional list<Types.Guid> tagGuids,
  6: optional string timeZone,
  7: optional bool inactive,
  8: optional string emphasized,
  // 9-12 and 15 are 1.29 additions.
  9: optional bool includeAllReadableNotebooks,
  15: optional bool includeAllReadableWorkspaces,
  10: optional string context,
  11: optional string rawWords,
  12: optional binary searchContextBytes
}

struct NoteList {
  1: required i32 startIndex,
  2: required i32 totalNotes,
  3: required list<Types.Note> notes,
  4: optional list<string> stoppedWords,
  5: optional list<string> searchedWords,
  6: optional i32 updateCount,
  // 7 and 8 are 1.29 additions.
  7: optional binary searchContextBytes,
  8: optional string debugInfo
}

// Field ids mirror those of Types.Note.
struct NoteMetadata {
  1: required Types.Guid guid,
  2: optional string title,
  5: optional i32 contentLength,
  6: optional Types.Timestamp created,
  7: optional Types.Timestamp updated,
  8: optional Types.Timestamp deleted,
  10: optional i32 updateSequenceNum,
  11: optional string notebookGuid,
  12: optional list<Types.Guid> tagGuids,
  14: optional Types.NoteAttributes attributes,
  20: optional string largestResourceMime,
  21: optional i32 largestResourceSize
}

struct NotesMetadataList {
  1: required i32 startIndex,
  2: required i32 totalNotes,
  3: required list<NoteMetadata> notes,
  4: optional list<string> stoppedWords,
  5: optional list<string> searchedWords,
  6: optional i32 updateCount,
  // 7 and 9 are 1.29 additions.
  7: optional binary searchContextBytes,
  9: optional string debugInfo
}

// Each flag asks for the NoteMetadata field with the same id.
struct NotesMetadataResultSpec {
  2: optional bool includeTitle,
  5: optional bool includeContentLength,
  6: optional bool includeCreated,
  7: optional bool includeUpdated,
  8: optional bool includeDeleted,
  10: optional bool includeUpdateSequenceNum,
  11: optional bool includeNotebookGuid,
  12: optional bool includeTagGuids,
  14: optional bool includeAttributes,
  20: optional bool includeLargestResourceMime,
  21: optional bool includeLargestResourceSize
}

struct NoteCollectionCounts {
  1: optional map<Types.Guid, i32> notebookCounts,
  2: optional map<Types.Guid, i32> tagCounts,
  3: optional i32 trashCount
}

// --------------------------------------------------------- note structs

// 1.29 addition (getNoteWithResultSpec).
struct NoteResultSpec {
  1: optional bool includeContent,
  2: optional bool includeResourcesData,
  3: optional bool includeResourcesRecognition,
  4: optional bool includeResourcesAlternateData,
  5: optional bool includeSharedNotes,
  6: optional bool includeNoteAppDataValues,
  7: optional bool includeResourceAppDataValues,
  8: optional bool includeAccountLimits
}

// Either guid or note must be set.
struct NoteEmailParameters {
  1: optional string guid,
  2: optional Types.Note note,
  3: optional list<string> toAddresses,
  4: optional list<string> ccAddresses,
  5: optional string subject,
  6: optional string message
}

struct NoteVersionId {
  1: required i32 updateSequenceNum,
  2: required Types.Timestamp updated,
  3: required Types.Timestamp saved,
  4: required string title,
  5: optional Types.UserID lastEditorId  // 1.29 addition
}

// 1.29 addition.
struct UpdateNoteIfUsnMatchesResult {
  1: optional Types.Note note,
  2: optional bool updated
}

// ------------------------------------------------------ related structs

// Set exactly one of noteGuid and plainText.
struct RelatedQuery {
  1: optional string noteGuid,
  2: optional string plainText,
  3: optional NoteFilter filter,
  4: optional string referenceUri,
  // 5 and 6 are 1.29 additions.
  5: optional string context,
  6: optional string cacheKey
}

struct RelatedResult {
  1: optional list<Types.Note> notes,
  2: optional list<Types.Notebook> notebooks,
  3: optional list<Types.Tag> tags,
  4: optional list<Types.NotebookDescriptor> containingNotebooks,
  // 5-9 are 1.29 additions.
  5: optional string debugInfo,
  6: optional list<Types.UserProfile> experts,
  7: optional list<Types.RelatedContent> relatedContent,
  8: optional string cacheKey,
  9: optional i32 cacheExpires
}

struct RelatedResultSpec {
  1: optional i32 maxNotes,
  2: optional i32 maxNotebooks,
  3: optional i32 maxTags,
  4: optional bool writableNotebooksOnly,
  5: optional bool includeContainingNotebooks,
  // 6-9 are 1.29 additions.
  6: optional bool includeDebugInfo,
  7: optional i32 maxExperts,
  8: optional i32 maxRelatedContent,
  9: optional set<Types.RelatedContentType> relatedContentTypes
}

// ------------------------------------------- sharing structs (all 1.29)

struct ShareRelationshipRestrictions {
  1: optional bool noSetReadOnly,
  2: optional bool noSetReadPlusActivity,
  3: optional bool noSetModify,
  4: optional bool noSetFullAccess
}

enum ShareRelationshipPrivilegeLevel {
  READ_NOTEBOOK = 0,
  READ_NOTEBOOK_PLUS_ACTIVITY = 10,
  MODIFY_NOTEBOOK_PLUS_ACTIVITY = 20,
  FULL_ACCESS = 30
}

struct InvitationShareRelationship {
  1: optional string displayName,
  2: optional Types.UserIdentity recipientUserIdentity,
  3: optional ShareRelationshipPrivilegeLevel privilege,
  5: optional Types.UserID sharerUserId
}

struct MemberShareRelationship {
  1: optional string displayName,
  2: optional Types.UserID recipientUserId,
  3: optional ShareRelationshipPrivilegeLevel bestPrivilege,
  4: optional ShareRelationshipPrivilegeLevel individualPrivilege,
  5: optional ShareRelationshipRestrictions restrictions,
  6: optional Types.UserID sharerUserId
}

struct ShareRelationships {
  1: optional list<InvitationShareRelationship> invitations,
  2: optional list<MemberShareRelationship> memberships,
  3: optional ShareRelationshipRestrictions invitationRestrictions
}

struct ManageNotebookSharesParameters {
  1: optional string notebookGuid,
  2: optional string inviteMessage,
  3: optional list<MemberShareRelationship> membershipsToUpdate,
  4: optional list<InvitationShareRelationship> invitationsToCreateOrUpdate,
  5: optional list<Types.UserIdentity> unshares
}

// Exactly one of the two exception fields is set.
struct ManageNotebookSharesError {
  1: optional Types.UserIdentity userIdentity,
  2: optional Errors.EDAMUserException userException,
  3: optional Errors.EDAMNotFoundException notFoundException
}

struct ManageNotebookSharesResult {
  1: optional list<ManageNotebookSharesError> errors
}

struct SharedNoteTemplate {
  1: optional Types.Guid noteGuid,
  4: optional Types.MessageThreadID recipientThreadId,
  2: optional list<Types.Contact> recipientContacts,
  3: optional Types.SharedNotePrivilegeLevel privilege
}

struct NotebookShareTemplate {
  1: optional Types.Guid notebookGuid,
  4: optional Types.MessageThreadID recipientThreadId,
  2: optional list<Types.Contact> recipientContacts,
  3: optional Types.SharedNotebookPrivilegeLevel privilege
}

struct CreateOrUpdateNotebookSharesResult {
  1: optional i32 updateSequenceNum,
  2: optional list<Types.SharedNotebook> matchingShares
}

struct NoteShareRelationshipRestrictions {
  1: optional bool noSetReadNote,
  2: optional bool noSetModifyNote,
  3: optional bool noSetFullAccess
}

struct NoteMemberShareRelationship {
  1: optional string displayName,
  2: optional Types.UserID recipientUserId,
  3: optional Types.SharedNotePrivilegeLevel privilege,
  4: optional NoteShareRelationshipRestrictions restrictions,
  5: optional Types.UserID sharerUserId
}

struct NoteInvitationShareRelationship {
  1: optional string displayName,
  2: optional Types.IdentityID recipientIdentityId,
  3: optional Types.SharedNotePrivilegeLevel privilege,
  5: optional Types.UserID sharerUserId
}

struct NoteShareRelationships {
  1: optional list<NoteInvitationShareRelationship> invitations,
  2: optional list<NoteMemberShareRelationship> memberships,
  3: optional NoteShareRelationshipRestrictions invitationRestrictions
}

struct ManageNoteSharesParameters {
  1: optional string noteGuid,
  2: optional list<NoteMemberShareRelationship> membershipsToUpdate,
  3: optional list<NoteInvitationShareRelationship> invitationsToUpdate,
  4: optional list<Types.UserID> membershipsToUnshare,
  5: optional list<Types.IdentityID> invitationsToUnshare
}

// One of identityID/userID and one of the two exceptions is set.
struct ManageNoteSharesError {
  1: optional Types.IdentityID identityID,
  2: optional Types.UserID userID,
  3: optional Errors.EDAMUserException userException,
  4: optional Errors.EDAMNotFoundException notFoundException
}

struct ManageNoteSharesResult {
  1: optional list<ManageNoteSharesError> errors
}

// -------------------------------------------------------------- service

service NoteStore {

  // ---- sync

  SyncState getSyncState(1: string authenticationToken)
    throws (1: Errors.EDAMUserException userException,
            2: Errors.EDAMSystemException systemException),

  // 1.25 only.
  SyncState getSyncStateWithMetrics(1: string authenticationToken,
                                    2: ClientUsageMetrics clientMetrics)
    throws (1: Errors.EDAMUserException userException,
            2: Errors.EDAMSystemException systemException),

  // 1.25 only (deprecated there); the evernote3 SDK still offers it.
  SyncChunk getSyncChunk(1: string authenticationToken,
                         2: i32 afterUSN,
                         3: i32 maxEntries,
                         4: bool fullSyncOnly)
    throws (1: Errors.EDAMUserException userException,
            2: Errors.EDAMSystemException systemException),

  SyncChunk getFilteredSyncChunk(1: string authenticationToken,
                                 2: i32 afterUSN,
                                 3: i32 maxEntries,
                                 4: SyncChunkFilter filter)
    throws (1: Errors.EDAMUserException userException,
            2: Errors.EDAMSystemException systemException),

  SyncState getLinkedNotebookSyncState(1: string authenticationToken,
                                       2: Types.LinkedNotebook linkedNotebook)
    throws (1: Errors.EDAMUserException userException,
            2: Errors.EDAMSystemException systemException,
            3: Errors.EDAMNotFoundException notFoundException),

  SyncChunk getLinkedNotebookSyncChunk(1: string authenticationToken,
                                       2: Types.LinkedNotebook linkedNotebook,
                                       3: i32 afterUSN,
                                       4: i32 maxEntries,
                                       5: bool fullSyncOnly)
    throws (1: Errors.EDAMUserException userException,
            2: Errors.EDAMSystemException systemException,
            3: Errors.EDAMNotFoundException notFoundException),

  // ---- notebooks

  list<Types.Notebook> listNotebooks(1: string authenticationToken)
    throws (1: Errors.EDAMUserException userException,
            2: Errors.EDAMSystemException systemException),

  // 1.29 addition.
  list<Types.Notebook> listAccessibleBusinessNotebooks(
      1: string authenticationToken)
    throws (1: Errors.EDAMUserException userException,
            2: Errors.EDAMSystemException systemException),

  Types.Notebook getNotebook(1: string authenticationToken,
                             2: Types.Guid guid)
    throws (1: Errors.EDAMUserException userException,
            2: Errors.EDAMSystemException systemException,
            3: Errors.EDAMNotFoundException notFoundException),

  Types.Notebook getDefaultNotebook(1: string authenticationToken)
    throws (1: Errors.EDAMUserException userException,
            2: Errors.EDAMSystemException systemException),

  // Slot 3 is a 1.29 addition: a 1.25 client skips it as an unknown field
  // and then reports MISSING_RESULT.
  Types.Notebook createNotebook(1: string authenticationToken,
                                2: Types.Notebook notebook)
    throws (1: Errors.EDAMUserException userException,
            2: Errors.EDAMSystemException systemException,
            3: Errors.EDAMNotFoundException notFoundException),

  i32 updateNotebook(1: string authenticationToken,
                     2: Types.Notebook notebook)
    throws (1: Errors.EDAMUserException userException,
            2: Errors.EDAMSystemException systemException,
            3: Errors.EDAMNotFoundException notFoundException),

  i32 expungeNotebook(1: string authenticationToken,
                      2: Types.Guid guid)
    throws (1: Errors.EDAMUserException userException,
            2: Errors.EDAMSystemException systemException,
            3: Errors.EDAMNotFoundException notFoundException),

  // ---- tags

  list<Types.Tag> listTags(1: string authenticationToken)
    throws (1: Errors.EDAMUserException userException,
            2: Errors.EDAMSystemException systemException),

  list<Types.Tag> listTagsByNotebook(1: string authenticationToken,
                                     2: Types.Guid notebookGuid)
    throws (1: Errors.EDAMUserException userException,
            2: Errors.EDAMSystemException systemException,
            3: Errors.EDAMNotFoundException notFoundException),

  Types.Tag getTag(1: string authenticationToken,
                   2: Types.Guid guid)
    throws (1: Errors.EDAMUserException userException,
            2: Errors.EDAMSystemException systemException,
            3: Errors.EDAMNotFoundException notFoundException),

  Types.Tag createTag(1: string authenticationToken,
                      2: Types.Tag tag)
    throws (1: Errors.EDAMUserException userException,
            2: Errors.EDAMSystemException systemException,
            3: Errors.EDAMNotFoundException notFoundException),

  i32 updateTag(1: string authenticationToken,
                2: Types.Tag tag)
    throws (1: Errors.EDAMUserException userException,
            2: Errors.EDAMSystemException systemException,
            3: Errors.EDAMNotFoundException notFoundException),

  void untagAll(1: string authenticationToken,
                2: Types.Guid guid)
    throws (1: Errors.EDAMUserException userException,
            2: Errors.EDAMSystemException systemException,
            3: Errors.EDAMNotFoundException notFoundException),

  i32 expungeTag(1: string authenticationToken,
                 2: Types.Guid guid)
    throws (1: Errors.EDAMUserException userException,
            2: Errors.EDAMSystemException systemException,
            3: Errors.EDAMNotFoundException notFoundException),

  // ---- saved searches

  list<Types.SavedSearch> listSearches(1: string authenticationToken)
    throws (1: Errors.EDAMUserException userException,
            2: Errors.EDAMSystemException systemException),

  Types.SavedSearch getSearch(1: string authenticationToken,
                              2: Types.Guid guid)
    throws (1: Errors.EDAMUserException userException,
            2: Errors.EDAMSystemException systemException,
            3: Errors.EDAMNotFoundException notFoundException),

  Types.SavedSearch createSearch(1: string authenticationToken,
                                 2: Types.SavedSearch search)
    throws (1: Errors.EDAMUserException userException,
            2: Errors.EDAMSystemException systemException),

  i32 updateSearch(1: string authenticationToken,
                   2: Types.SavedSearch search)
    throws (1: Errors.EDAMUserException userException,
            2: Errors.EDAMSystemException systemException,
            3: Errors.EDAMNotFoundException notFoundException),

  i32 expungeSearch(1: string authenticationToken,
                    2: Types.Guid guid)
    throws (1: Errors.EDAMUserException userException,
            2: Errors.EDAMSystemException systemException,
            3: Errors.EDAMNotFoundException notFoundException),

  // ---- search

  // 1.25 only (deprecated there).
  NoteList findNotes(1: string authenticationToken,
                     2: NoteFilter filter,
                     3: i32 offset,
                     4: i32 maxNotes)
    throws (1: Errors.EDAMUserException userException,
            2: Errors.EDAMSystemException systemException,
            3: Errors.EDAMNotFoundException notFoundException),

  // Returns -1 when the note is not in the filtered list.
  i32 findNoteOffset(1: string authenticationToken,
                     2: NoteFilter filter,
                     3: Types.Guid guid)
    throws (1: Errors.EDAMUserException userException,
            2: Errors.EDAMSystemException systemException,
            3: Errors.EDAMNotFoundException notFoundException),

  NotesMetadataList findNotesMetadata(1: string authenticationToken,
                                      2: NoteFilter filter,
                                      3: i32 offset,
                                      4: i32 maxNotes,
                                      5: NotesMetadataResultSpec resultSpec)
    throws (1: Errors.EDAMUserException userException,
            2: Errors.EDAMSystemException systemException,
            3: Errors.EDAMNotFoundException notFoundException),

  NoteCollectionCounts findNoteCounts(1: string authenticationToken,
                                      2: NoteFilter filter,
                                      3: bool withTrash)
    throws (1: Errors.EDAMUserException userException,
            2: Errors.EDAMSystemException systemException,
            3: Errors.EDAMNotFoundException notFoundException),

  // ---- notes

  // 1.29 addition.
  Types.Note getNoteWithResultSpec(1: string authenticationToken,
                                   2: Types.Guid guid,
                                   3: NoteResultSpec resultSpec)
    throws (1: Errors.EDAMUserException userException,
            2: Errors.EDAMSystemException systemException,
            3: Errors.EDAMNotFoundException notFoundException),

  Types.Note getNote(1: string authenticationToken,
                     2: Types.Guid guid,
                     3: bool withContent,
                     4: bool withResourcesData,
                     5: bool withResourcesRecognition,
                     6: bool withResourcesAlternateData)
    throws (1: Errors.EDAMUserException userException,
            2: Errors.EDAMSystemException systemException,
            3: Errors.EDAMNotFoundException notFoundException),

  Types.LazyMap getNoteApplicationData(1: string authenticationToken,
                                       2: Types.Guid guid)
    throws (1: Errors.EDAMUserException userException,
            2: Errors.EDAMSystemException systemException,
            3: Errors.EDAMNotFoundException notFoundException),

  string getNoteApplicationDataEntry(1: string authenticationToken,
                                     2: Types.Guid guid,
                                     3: string key)
    throws (1: Errors.EDAMUserException userException,
            2: Errors.EDAMSystemException systemException,
            3: Errors.EDAMNotFoundException notFoundException),

  i32 setNoteApplicationDataEntry(1: string authenticationToken,
                                  2: Types.Guid guid,
                                  3: string key,
                                  4: string value)
    throws (1: Errors.EDAMUserException userException,
            2: Errors.EDAMSystemException systemException,
            3: Errors.EDAMNotFoundException notFoundException),

  i32 unsetNoteApplicationDataEntry(1: string authenticationToken,
                                    2: Types.Guid guid,
                                    3: string key)
    throws (1: Errors.EDAMUserException userException,
            2: Errors.EDAMSystemException systemException,
            3: Errors.EDAMNotFoundException notFoundException),

  string getNoteContent(1: string authenticationToken,
                        2: Types.Guid guid)
    throws (1: Errors.EDAMUserException userException,
            2: Errors.EDAMSystemException systemException,
            3: Errors.EDAMNotFoundException notFoundException),

  string getNoteSearchText(1: string authenticationToken,
                           2: Types.Guid guid,
                           3: bool noteOnly,
                           4: bool tokenizeForIndexing)
    throws (1: Errors.EDAMUserException userException,
            2: Errors.EDAMSystemException systemException,
            3: Errors.EDAMNotFoundException notFoundException),

  string getResourceSearchText(1: string authenticationToken,
                               2: Types.Guid guid)
    throws (1: Errors.EDAMUserException userException,
            2: Errors.EDAMSystemException systemException,
            3: Errors.EDAMNotFoundException notFoundException),

  list<string> getNoteTagNames(1: string authenticationToken,
                               2: Types.Guid guid)
    throws (1: Errors.EDAMUserException userException,
            2: Errors.EDAMSystemException systemException,
            3: Errors.EDAMNotFoundException notFoundException),

  Types.Note createNote(1: string authenticationToken,
                        2: Types.Note note)
    throws (1: Errors.EDAMUserException userException,
            2: Errors.EDAMSystemException systemException,
            3: Errors.EDAMNotFoundException notFoundException),

  Types.Note updateNote(1: string authenticationToken,
                        2: Types.Note note)
    throws (1: Errors.EDAMUserException userException,
            2: Errors.EDAMSystemException systemException,
            3: Errors.EDAMNotFoundException notFoundException),

  i32 deleteNote(1: string authenticationToken,
                 2: Types.Guid guid)
    throws (1: Errors.EDAMUserException userException,
            2: Errors.EDAMSystemException systemException,
            3: Errors.EDAMNotFoundException notFoundException),

  i32 expungeNote(1: string authenticationToken,
                  2: Types.Guid guid)
    throws (1: Errors.EDAMUserException userException,
            2: Errors.EDAMSystemException systemException,
            3: Errors.EDAMNotFoundException notFoundException),

  // 1.25 only.
  i32 expungeNotes(1: string authenticationToken,
                   2: list<Types.Guid> noteGuids)
    throws (1: Errors.EDAMUserException userException,
            2: Errors.EDAMSystemException systemException,
            3: Errors.EDAMNotFoundException notFoundException),

  // 1.25 only.
  i32 expungeInactiveNotes(1: string authenticationToken)
    throws (1: Errors.EDAMUserException userException,
            2: Errors.EDAMSystemException systemException),

  Types.Note copyNote(1: string authenticationToken,
                      2: Types.Guid noteGuid,
                      3: Types.Guid toNotebookGuid)
    throws (1: Errors.EDAMUserException userException,
            2: Errors.EDAMSystemException systemException,
            3: Errors.EDAMNotFoundException notFoundException),

  list<NoteVersionId> listNoteVersions(1: string authenticationToken,
                                       2: Types.Guid noteGuid)
    throws (1: Errors.EDAMUserException userException,
            2: Errors.EDAMSystemException systemException,
            3: Errors.EDAMNotFoundException notFoundException),

  Types.Note getNoteVersion(1: string authenticationToken,
                            2: Types.Guid noteGuid,
                            3: i32 updateSequenceNum,
                            4: bool withResourcesData,
                            5: bool withResourcesRecognition,
                            6: bool withResourcesAlternateData)
    throws (1: Errors.EDAMUserException userException,
            2: Errors.EDAMSystemException systemException,
            3: Errors.EDAMNotFoundException notFoundException),

  // ---- resources

  Types.Resource getResource(1: string authenticationToken,
                             2: Types.Guid guid,
                             3: bool withData,
                             4: bool withRecognition,
                             5: bool withAttributes,
                             6: bool withAlternateData)
    throws (1: Errors.EDAMUserException userException,
            2: Errors.EDAMSystemException systemException,
            3: Errors.EDAMNotFoundException notFoundException),

  Types.LazyMap getResourceApplicationData(1: string authenticationToken,
                                           2: Types.Guid guid)
    throws (1: Errors.EDAMUserException userException,
            2: Errors.EDAMSystemException systemException,
            3: Errors.EDAMNotFoundException notFoundException),

  string getResourceApplicationDataEntry(1: string authenticationToken,
                                         2: Types.Guid guid,
                                         3: string key)
    throws (1: Errors.EDAMUserException userException,
            2: Errors.EDAMSystemException systemException,
            3: Errors.EDAMNotFoundException notFoundException),

  i32 setResourceApplicationDataEntry(1: string authenticationToken,
                                      2: Types.Guid guid,
                                      3: string key,
                                      4: string value)
    throws (1: Errors.EDAMUserException userException,
            2: Errors.EDAMSystemException systemException,
            3: Errors.EDAMNotFoundException notFoundException),

  i32 unsetResourceApplicationDataEntry(1: string authenticationToken,
                                        2: Types.Guid guid,
                                        3: string key)
    throws (1: Errors.EDAMUserException userException,
            2: Errors.EDAMSystemException systemException,
            3: Errors.EDAMNotFoundException notFoundException),

  i32 updateResource(1: string authenticationToken,
                     2: Types.Resource resource)
    throws (1: Errors.EDAMUserException userException,
            2: Errors.EDAMSystemException systemException,
            3: Errors.EDAMNotFoundException notFoundException),

  binary getResourceData(1: string authenticationToken,
                         2: Types.Guid guid)
    throws (1: Errors.EDAMUserException userException,
            2: Errors.EDAMSystemException systemException,
            3: Errors.EDAMNotFoundException notFoundException),

  // contentHash is the binary MD5 (Data.bodyHash), not the hex string
  // used in <en-media hash="...">.
  Types.Resource getResourceByHash(1: string authenticationToken,
                                   2: Types.Guid noteGuid,
                                   3: binary contentHash,
                                   4: bool withData,
                                   5: bool withRecognition,
                                   6: bool withAlternateData)
    throws (1: Errors.EDAMUserException userException,
            2: Errors.EDAMSystemException systemException,
            3: Errors.EDAMNotFoundException notFoundException),

  binary getResourceRecognition(1: string authenticationToken,
                                2: Types.Guid guid)
    throws (1: Errors.EDAMUserException userException,
            2: Errors.EDAMSystemException systemException,
            3: Errors.EDAMNotFoundException notFoundException),

  binary getResourceAlternateData(1: string authenticationToken,
                                  2: Types.Guid guid)
    throws (1: Errors.EDAMUserException userException,
            2: Errors.EDAMSystemException systemException,
            3: Errors.EDAMNotFoundException notFoundException),

  Types.ResourceAttributes getResourceAttributes(
      1: string authenticationToken,
      2: Types.Guid guid)
    throws (1: Errors.EDAMUserException userException,
            2: Errors.EDAMSystemException systemException,
            3: Errors.EDAMNotFoundException notFoundException),

  // ---- public notebooks (no token; slots are 1 system, 2 not-found)

  Types.Notebook getPublicNotebook(1: Types.UserID userId,
                                   2: string publicUri)
    throws (1: Errors.EDAMSystemException systemException,
            2: Errors.EDAMNotFoundException notFoundException),

  // ---- sharing and linked notebooks (slots: 1 user, 2 not-found, 3 system)

  // 1.25 only.
  Types.SharedNotebook createSharedNotebook(
      1: string authenticationToken,
      2: Types.SharedNotebook sharedNotebook)
    throws (1: Errors.EDAMUserException userException,
            2: Errors.EDAMNotFoundException notFoundException,
            3: Errors.EDAMSystemException systemException),

  // 1.29 addition.
  Types.SharedNotebook shareNotebook(1: string authenticationToken,
                                     2: Types.SharedNotebook sharedNotebook,
                                     3: string message)
    throws (1: Errors.EDAMUserException userException,
            2: Errors.EDAMNotFoundException notFoundException,
            3: Errors.EDAMSystemException systemException),

  // 1.29 addition; the only method with a fourth throws slot.
  CreateOrUpdateNotebookSharesResult createOrUpdateNotebookShares(
      1: string authenticationToken,
      2: NotebookShareTemplate shareTemplate)
    throws (1: Errors.EDAMUserException userException,
            2: Errors.EDAMNotFoundException notFoundException,
            3: Errors.EDAMSystemException systemException,
            4: Errors.EDAMInvalidContactsException invalidContactsException),

  i32 updateSharedNotebook(1: string authenticationToken,
                           2: Types.SharedNotebook sharedNotebook)
    throws (1: Errors.EDAMUserException userException,
            2: Errors.EDAMNotFoundException notFoundException,
            3: Errors.EDAMSystemException systemException),

  // 1.25 only.
  i32 setSharedNotebookRecipientSettings(
      1: string authenticationToken,
      2: i64 sharedNotebookId,
      3: Types.SharedNotebookRecipientSettings recipientSettings)
    throws (1: Errors.EDAMUserException userException,
            2: Errors.EDAMNotFoundException notFoundException,
            3: Errors.EDAMSystemException systemException),

  // 1.29 addition.
  Types.Notebook setNotebookRecipientSettings(
      1: string authenticationToken,
      2: string notebookGuid,
      3: Types.NotebookRecipientSettings recipientSettings)
    throws (1: Errors.EDAMUserException userException,
            2: Errors.EDAMNotFoundException notFoundException,
            3: Errors.EDAMSystemException systemException),

  // 1.25 only.
  i32 sendMessageToSharedNotebookMembers(1: string authenticationToken,
                                         2: Types.Guid notebookGuid,
                                         3: string messageText,
                                         4: list<string> recipients)
    throws (1: Errors.EDAMUserException userException,
            2: Errors.EDAMNotFoundException notFoundException,
            3: Errors.EDAMSystemException systemException),

  list<Types.SharedNotebook> listSharedNotebooks(
      1: string authenticationToken)
    throws (1: Errors.EDAMUserException userException,
            2: Errors.EDAMNotFoundException notFoundException,
            3: Errors.EDAMSystemException systemException),

  // 1.25 only.
  i32 expungeSharedNotebooks(1: string authenticationToken,
                             2: list<i64> sharedNotebookIds)
    throws (1: Errors.EDAMUserException userException,
            2: Errors.EDAMNotFoundException notFoundException,
            3: Errors.EDAMSystemException systemException),

  Types.LinkedNotebook createLinkedNotebook(
      1: string authenticationToken,
      2: Types.LinkedNotebook linkedNotebook)
    throws (1: Errors.EDAMUserException userException,
            2: Errors.EDAMNotFoundException notFoundException,
            3: Errors.EDAMSystemException systemException),

  i32 updateLinkedNotebook(1: string authenticationToken,
                           2: Types.LinkedNotebook linkedNotebook)
    throws (1: Errors.EDAMUserException userException,
            2: Errors.EDAMNotFoundException notFoundException,
            3: Errors.EDAMSystemException systemException),

  list<Types.LinkedNotebook> listLinkedNotebooks(
      1: string authenticationToken)
    throws (1: Errors.EDAMUserException userException,
            2: Errors.EDAMNotFoundException notFoundException,
            3: Errors.EDAMSystemException systemException),

  i32 expungeLinkedNotebook(1: string authenticationToken,
                            2: Types.Guid guid)
    throws (1: Errors.EDAMUserException userException,
            2: Errors.EDAMNotFoundException notFoundException,
            3: Errors.EDAMSystemException systemException),

  // 1.29 calls argument 1 shareKeyOrGlobalId (a share key, a shared
  // notebook globalId or a notebook GUID); same id and type.
  UserStore.AuthenticationResult authenticateToSharedNotebook(
      1: string shareKey,
      2: string authenticationToken)
    throws (1: Errors.EDAMUserException userException,
            2: Errors.EDAMNotFoundException notFoundException,
            3: Errors.EDAMSystemException systemException),

  Types.SharedNotebook getSharedNotebookByAuth(1: string authenticationToken)
    throws (1: Errors.EDAMUserException userException,
            2: Errors.EDAMNotFoundException notFoundException,
            3: Errors.EDAMSystemException systemException),

  void emailNote(1: string authenticationToken,
                 2: NoteEmailParameters parameters)
    throws (1: Errors.EDAMUserException userException,
            2: Errors.EDAMNotFoundException notFoundException,
            3: Errors.EDAMSystemException systemException),

  // Returns the note key that, with the GUID, grants read access.
  string shareNote(1: string authenticationToken,
                   2: Types.Guid guid)
    throws (1: Errors.EDAMUserException userException,
            2: Errors.EDAMNotFoundException notFoundException,
            3: Errors.EDAMSystemException systemException),

  void stopSharingNote(1: string authenticationToken,
                       2: Types.Guid guid)
    throws (1: Errors.EDAMUserException userException,
            2: Errors.EDAMNotFoundException notFoundException,
            3: Errors.EDAMSystemException systemException),

  UserStore.AuthenticationResult authenticateToSharedNote(
      1: string guid,
      2: string noteKey,
      3: string authenticationToken)
    throws (1: Errors.EDAMUserException userException,
            2: Errors.EDAMNotFoundException notFoundException,
            3: Errors.EDAMSystemException systemException),

  // ---- related content (slots back to 1 user, 2 system, 3 not-found)

  RelatedResult findRelated(1: string authenticationToken,
                            2: RelatedQuery query,
                            3: RelatedResultSpec resultSpec)
    throws (1: Errors.EDAMUserException userException,
            2: Errors.EDAMSystemException systemException,
            3: Errors.EDAMNotFoundException notFoundException),

  // ---- 1.29 additions (slots: 1 user, 2 not-found, 3 system)

  UpdateNoteIfUsnMatchesResult updateNoteIfUsnMatches(
      1: string authenticationToken,
      2: Types.Note note)
    throws (1: Errors.EDAMUserException userException,
            2: Errors.EDAMNotFoundException notFoundException,
            3: Errors.EDAMSystemException systemException),

  ManageNotebookSharesResult manageNotebookShares(
      1: string authenticationToken,
      2: ManageNotebookSharesParameters parameters)
    throws (1: Errors.EDAMUserException userException,
            2: Errors.EDAMNotFoundException notFoundException,
            3: Errors.EDAMSystemException systemException),

  ShareRelationships getNotebookShares(1: string authenticationToken,
                                       2: string notebookGuid)
    throws (1: Errors.EDAMUserException userException,
            2: Errors.EDAMNotFoundException notFoundException,
            3: Errors.EDAMSystemException systemException)
}
