"""Tags: create, update, hierarchy, untagAll, expunge, limits."""

import pytest
from noteshard import CODES, MISSING_GUID, raises_not_found, raises_user_error

from notestore import validation
from notestore.edam import Types

pytestmark = pytest.mark.timeout(30)


def create(shard, token, name, parent=None):
    tag = Types.Tag(name=name, parentGuid=parent.guid if parent else None)
    return shard.service.createTag(token, tag)


def update(shard, token, tag, **changes):
    fields = {"guid": tag.guid, "name": tag.name, "parentGuid": tag.parentGuid}
    return shard.service.updateTag(token, Types.Tag(**{**fields, **changes}))


# createTag and getTag ---------------------------------------------------------


def test_create_tag_returns_it_with_the_next_usn(shard, token):
    before = shard.update_count(token)

    tag = create(shard, token, "Work")

    assert tag.name == "Work" and tag.parentGuid is None
    assert tag.updateSequenceNum == before + 1
    assert shard.service.getTag(token, tag.guid) == tag
    assert shard.service.listTags(token) == [tag]


def test_create_child_tag(shard, token):
    parent = create(shard, token, "Parent")

    child = create(shard, token, "Child", parent)

    assert child.parentGuid == parent.guid


@pytest.mark.parametrize("name", ["", "a,b", " lead", "trail ", "x" * 101, "\x07"])
def test_bad_tag_name_is_bad_data_format(shard, token, name):
    raises_user_error(CODES.BAD_DATA_FORMAT, "Tag.name", create, shard, token, name)


def test_missing_tag_name_is_data_required(shard, token):
    raises_user_error(
        CODES.DATA_REQUIRED, "Tag.name", shard.service.createTag, token, Types.Tag()
    )


def test_duplicate_tag_name_is_a_conflict_in_any_case(shard, token):
    create(shard, token, "Work")

    raises_user_error(CODES.DATA_CONFLICT, "Tag.name", create, shard, token, "WORK")


def test_malformed_parent_is_bad_data_format(shard, token):
    tag = Types.Tag(name="x", parentGuid="not-a-guid")

    raises_user_error(
        CODES.BAD_DATA_FORMAT, "Tag.parentGuid", shard.service.createTag, token, tag
    )


def test_unknown_parent_is_not_found(shard, token):
    tag = Types.Tag(name="x", parentGuid=MISSING_GUID)

    error = raises_not_found("Tag.parentGuid", shard.service.createTag, token, tag)
    assert error.key == MISSING_GUID


def test_get_unknown_or_malformed_tag(shard, token):
    raises_not_found("Tag.guid", shard.service.getTag, token, MISSING_GUID)
    raises_user_error(
        CODES.BAD_DATA_FORMAT, "Tag.guid", shard.service.getTag, token, "bad"
    )


def test_tag_limit_is_limit_reached(shard, token, monkeypatch):
    monkeypatch.setattr(validation, "EDAM_USER_TAGS_MAX", 2)
    create(shard, token, "one")
    create(shard, token, "two")

    raises_user_error(CODES.LIMIT_REACHED, "Tag", create, shard, token, "three")
    raises_user_error(
        CODES.LIMIT_REACHED, "Tag", shard.create_note, token, tagNames=["new"]
    )


# updateTag --------------------------------------------------------------------


def test_update_renames_and_reparents(shard, token):
    parent = create(shard, token, "Parent")
    tag = create(shard, token, "Tag")

    usn = update(shard, token, tag, name="Renamed", parentGuid=parent.guid)

    fetched = shard.service.getTag(token, tag.guid)
    assert (fetched.name, fetched.parentGuid) == ("Renamed", parent.guid)
    assert fetched.updateSequenceNum == usn == shard.update_count(token)


def test_update_without_parent_makes_a_top_level_tag(shard, token):
    parent = create(shard, token, "Parent")
    child = create(shard, token, "Child", parent)

    update(shard, token, child, parentGuid=None)

    assert shard.service.getTag(token, child.guid).parentGuid is None


def test_parent_cycles_are_a_conflict(shard, token):
    a = create(shard, token, "a")
    b = create(shard, token, "b", a)
    c = create(shard, token, "c", b)

    for tag, parent in ((a, c), (a, a), (b, c)):
        raises_user_error(
            CODES.DATA_CONFLICT,
            "Tag.parentGuid",
            update,
            shard,
            token,
            tag,
            parentGuid=parent.guid,
        )
    update(shard, token, c, parentGuid=a.guid)


def test_update_to_a_taken_name_is_a_conflict(shard, token):
    create(shard, token, "Work")
    home = create(shard, token, "Home")

    raises_user_error(
        CODES.DATA_CONFLICT, "Tag.name", update, shard, token, home, name="work"
    )
    update(shard, token, home, name="HOME")


def test_update_of_unknown_tag_or_parent_is_not_found(shard, token):
    tag = create(shard, token, "Tag")

    raises_not_found(
        "Tag.guid",
        shard.service.updateTag,
        token,
        Types.Tag(guid=MISSING_GUID, name="x"),
    )
    raises_not_found(
        "Tag.parentGuid", update, shard, token, tag, parentGuid=MISSING_GUID
    )


def test_renaming_a_tag_does_not_change_its_notes(shard, token):
    note = shard.create_note(token, tagNames=["old"])

    update(shard, token, shard.service.getTag(token, note.tagGuids[0]), name="new")

    assert shard.service.getNoteTagNames(token, note.guid) == ["new"]
    fetched = shard.get_note(token, note.guid)
    assert fetched.updateSequenceNum == note.updateSequenceNum


# listTagsByNotebook -----------------------------------------------------------


def test_list_tags_by_notebook_lists_tags_on_its_active_notes(shard, token):
    travel = shard.service.createNotebook(token, Types.Notebook(name="Travel"))
    shard.create_note(token, notebookGuid=travel.guid, tagNames=["beach", "sun"])
    trashed = shard.create_note(token, notebookGuid=travel.guid, tagNames=["rain"])
    shard.service.deleteNote(token, trashed.guid)
    shard.create_note(token, tagNames=["home"])
    create(shard, token, "unused")

    tags = shard.service.listTagsByNotebook(token, travel.guid)

    assert sorted(t.name for t in tags) == ["beach", "sun"]


def test_list_tags_by_unknown_notebook_is_not_found(shard, token):
    raises_not_found(
        "Notebook.guid", shard.service.listTagsByNotebook, token, MISSING_GUID
    )


# untagAll and expungeTag ------------------------------------------------------


def test_untag_all_removes_the_tag_from_notes_which_change(shard, token):
    first = shard.create_note(token, tagNames=["x", "keep"])
    second = shard.create_note(token, tagNames=["x"])
    untouched = shard.create_note(token, tagNames=["keep"])
    tag_guid = first.tagGuids[0]
    before = shard.update_count(token)

    shard.service.untagAll(token, tag_guid)

    assert shard.service.getNoteTagNames(token, first.guid) == ["keep"]
    assert shard.get_note(token, second.guid).tagGuids is None
    usns = sorted(
        shard.get_note(token, n.guid).updateSequenceNum for n in (first, second)
    )
    assert usns == [before + 1, before + 2] and shard.update_count(token) == before + 2
    assert shard.get_note(token, untouched.guid).updateSequenceNum == (
        untouched.updateSequenceNum
    )
    assert shard.service.getTag(token, tag_guid).name == "x"


def test_untag_all_of_an_unused_tag_writes_nothing(shard, token):
    tag = create(shard, token, "unused")
    before = shard.storage.last_lsn()

    shard.service.untagAll(token, tag.guid)

    assert shard.storage.last_lsn() == before


def test_expunge_tag_removes_it_from_notes_and_frees_children(shard, token):
    note = shard.create_note(token, tagNames=["doomed", "other"])
    doomed = shard.service.getTag(token, note.tagGuids[0])
    child = create(shard, token, "child", doomed)
    before = shard.update_count(token)

    usn = shard.service.expungeTag(token, doomed.guid)

    assert usn == before + 3 == shard.update_count(token)
    raises_not_found("Tag.guid", shard.service.getTag, token, doomed.guid)
    assert shard.service.getNoteTagNames(token, note.guid) == ["other"]
    assert shard.get_note(token, note.guid).updateSequenceNum == before + 1
    freed = shard.service.getTag(token, child.guid)
    assert (freed.parentGuid, freed.updateSequenceNum) == (None, before + 2)
    assert create(shard, token, "Doomed").name == "Doomed"


def test_untag_and_expunge_of_unknown_tag_are_not_found(shard, token):
    raises_not_found("Tag.guid", shard.service.untagAll, token, MISSING_GUID)
    raises_not_found("Tag.guid", shard.service.expungeTag, token, MISSING_GUID)
    raises_user_error(
        CODES.BAD_DATA_FORMAT, "Tag.guid", shard.service.expungeTag, token, "x"
    )
