"""Notebooks: update, expunge, stacks, publishing, limits, the one default."""

import pytest
from noteshard import CODES, MISSING_GUID, raises_not_found, raises_user_error

from notestore import validation
from notestore.edam import Types

pytestmark = pytest.mark.timeout(30)


def create(shard, token, name, **fields):
    return shard.service.createNotebook(token, Types.Notebook(name=name, **fields))


def update(shard, token, notebook, **changes):
    fields = {
        "guid": notebook.guid,
        "name": notebook.name,
        "stack": notebook.stack,
        **changes,
    }
    return shard.service.updateNotebook(token, Types.Notebook(**fields))


def defaults(shard, token):
    return [nb.guid for nb in shard.service.listNotebooks(token) if nb.defaultNotebook]


# updateNotebook ---------------------------------------------------------------


def test_update_renames_and_restacks_with_a_new_usn(shard, token):
    notebook = create(shard, token, "Travel", stack="Life")
    shard.clock.now_s += 10

    usn = update(shard, token, notebook, name="Trips", stack="Work")

    fetched = shard.service.getNotebook(token, notebook.guid)
    assert (fetched.name, fetched.stack) == ("Trips", "Work")
    assert fetched.updateSequenceNum == usn == notebook.updateSequenceNum + 1
    assert fetched.serviceUpdated == notebook.serviceUpdated + 10_000
    assert fetched.serviceCreated == notebook.serviceCreated
    assert usn == shard.update_count(token)


def test_update_without_stack_takes_the_notebook_out_of_its_stack(shard, token):
    notebook = create(shard, token, "Travel", stack="Life")

    update(shard, token, notebook, stack=None)

    assert shard.service.getNotebook(token, notebook.guid).stack is None


def test_update_may_change_only_the_case_of_the_name(shard, token):
    notebook = create(shard, token, "travel")

    update(shard, token, notebook, name="Travel")

    assert shard.service.getNotebook(token, notebook.guid).name == "Travel"


def test_update_to_a_taken_name_is_a_conflict(shard, token):
    create(shard, token, "Travel")
    other = create(shard, token, "Work")

    raises_user_error(
        CODES.DATA_CONFLICT, "Notebook.name", update, shard, token, other, name="TRAVEL"
    )


@pytest.mark.parametrize("name", ["", " x", "x" * 101])
def test_update_with_a_bad_name_is_bad_data_format(shard, token, name):
    notebook = create(shard, token, "Travel")

    raises_user_error(
        CODES.BAD_DATA_FORMAT,
        "Notebook.name",
        update,
        shard,
        token,
        notebook,
        name=name,
    )


def test_bad_stack_is_bad_data_format(shard, token):
    raises_user_error(
        CODES.BAD_DATA_FORMAT,
        "Notebook.stack",
        create,
        shard,
        token,
        "Travel",
        stack=" padded",
    )


def test_update_of_an_unknown_notebook_is_not_found(shard, token):
    ghost = Types.Notebook(guid=MISSING_GUID, name="Ghost")

    raises_not_found("Notebook.guid", shard.service.updateNotebook, token, ghost)


def test_update_making_a_notebook_default_demotes_the_old_one(shard, token):
    old = shard.service.getDefaultNotebook(token)
    notebook = create(shard, token, "Inbox")

    usn = update(shard, token, notebook, defaultNotebook=True)

    assert defaults(shard, token) == [notebook.guid]
    demoted = shard.service.getNotebook(token, old.guid)
    assert demoted.defaultNotebook is False
    assert old.updateSequenceNum < demoted.updateSequenceNum < usn
    assert usn == shard.update_count(token)


def test_update_with_default_false_keeps_the_default(shard, token):
    default = shard.service.getDefaultNotebook(token)

    update(shard, token, default, name="Renamed", defaultNotebook=False)

    assert defaults(shard, token) == [default.guid]


def test_update_of_the_default_keeps_it_default_without_demoting(shard, token):
    default = shard.service.getDefaultNotebook(token)
    before = shard.update_count(token)

    usn = update(shard, token, default, name="Main", defaultNotebook=True)

    assert usn == before + 1
    assert defaults(shard, token) == [default.guid]


# Publishing -------------------------------------------------------------------


def test_publishing_is_stored_and_returned(shard, token):
    publishing = Types.Publishing(
        uri="my-recipes", order=2, ascending=True, publicDescription="Food"
    )

    notebook = create(shard, token, "Recipes", published=True, publishing=publishing)

    assert notebook.published is True
    assert notebook.publishing == publishing


def test_update_without_publishing_keeps_it(shard, token):
    publishing = Types.Publishing(uri="recipes")
    notebook = create(shard, token, "Recipes", published=True, publishing=publishing)

    update(shard, token, notebook, name="Cooking")

    fetched = shard.service.getNotebook(token, notebook.guid)
    assert fetched.published is True and fetched.publishing.uri == "recipes"


@pytest.mark.parametrize(
    "publishing, code, parameter",
    [
        (Types.Publishing(), CODES.DATA_REQUIRED, "Publishing.uri"),
        (Types.Publishing(uri="has space"), CODES.BAD_DATA_FORMAT, "Publishing.uri"),
        (Types.Publishing(uri=".."), CODES.BAD_DATA_FORMAT, "Publishing.uri"),
        (
            Types.Publishing(uri="ok", publicDescription="x" * 201),
            CODES.BAD_DATA_FORMAT,
            "Publishing.publicDescription",
        ),
        (
            Types.Publishing(uri="ok", order=99),
            CODES.BAD_DATA_FORMAT,
            "Publishing.order",
        ),
    ],
)
def test_bad_publishing_is_refused(shard, token, publishing, code, parameter):
    raises_user_error(
        code, parameter, create, shard, token, "Recipes", publishing=publishing
    )


def test_published_without_publishing_needs_a_uri(shard, token):
    raises_user_error(
        CODES.DATA_REQUIRED, "Publishing.uri", create, shard, token, "R", published=True
    )


def test_publishing_uri_is_unique_per_account(shard, token, other_token):
    create(shard, token, "A", publishing=Types.Publishing(uri="shared"))

    raises_user_error(
        CODES.DATA_CONFLICT,
        "Publishing.uri",
        create,
        shard,
        token,
        "B",
        publishing=Types.Publishing(uri="SHARED"),
    )
    create(shard, other_token, "B", publishing=Types.Publishing(uri="shared"))


# expungeNotebook --------------------------------------------------------------


def test_expunge_moves_notes_to_the_default_notebook_trash(shard, token):
    notebook = create(shard, token, "Old")
    live = shard.create_note(token, notebookGuid=notebook.guid)
    trashed = shard.create_note(token, notebookGuid=notebook.guid)
    shard.service.deleteNote(token, trashed.guid)
    deleted_at = shard.get_note(token, trashed.guid).deleted
    shard.clock.now_s += 60

    usn = shard.service.expungeNotebook(token, notebook.guid)

    default = shard.service.getDefaultNotebook(token)
    moved = shard.get_note(token, live.guid)
    assert (moved.notebookGuid, moved.active) == (default.guid, False)
    assert moved.deleted == (shard.clock.now_s * 1000)
    assert shard.get_note(token, trashed.guid).deleted == deleted_at
    assert usn == shard.update_count(token) > moved.updateSequenceNum
    raises_not_found("Notebook.guid", shard.service.getNotebook, token, notebook.guid)
    assert notebook.guid not in [nb.guid for nb in shard.service.listNotebooks(token)]


def test_expunging_the_last_notebook_is_limit_reached(shard, token):
    default = shard.service.getDefaultNotebook(token)

    raises_user_error(
        CODES.LIMIT_REACHED,
        "Notebook",
        shard.service.expungeNotebook,
        token,
        default.guid,
    )


def test_expunging_the_default_notebook_is_a_conflict(shard, token):
    create(shard, token, "Other")
    default = shard.service.getDefaultNotebook(token)

    raises_user_error(
        CODES.DATA_CONFLICT,
        "Notebook.defaultNotebook",
        shard.service.expungeNotebook,
        token,
        default.guid,
    )


def test_expunge_of_an_unknown_or_malformed_notebook(shard, token):
    raises_not_found(
        "Notebook.guid", shard.service.expungeNotebook, token, MISSING_GUID
    )
    raises_user_error(
        CODES.BAD_DATA_FORMAT,
        "Notebook.guid",
        shard.service.expungeNotebook,
        token,
        "nope",
    )


def test_name_of_an_expunged_notebook_is_free_again(shard, token):
    notebook = create(shard, token, "Temp")
    shard.service.expungeNotebook(token, notebook.guid)

    assert create(shard, token, "temp").name == "temp"


# Limits -----------------------------------------------------------------------


def test_notebook_limit_is_limit_reached(shard, token, monkeypatch):
    monkeypatch.setattr(validation, "EDAM_USER_NOTEBOOKS_MAX", 3)
    create(shard, token, "two")
    create(shard, token, "three")

    raises_user_error(CODES.LIMIT_REACHED, "Notebook", create, shard, token, "four")


def test_update_may_set_published_alone_on_a_notebook_with_a_uri(shard, token):
    publishing = Types.Publishing(uri="recipes")
    notebook = create(shard, token, "Recipes", publishing=publishing)

    update(shard, token, notebook, published=True)

    fetched = shard.service.getNotebook(token, notebook.guid)
    assert (fetched.published, fetched.publishing.uri) == (True, "recipes")
    raises_user_error(
        CODES.DATA_REQUIRED,
        "Publishing.uri",
        update,
        shard,
        token,
        shard.service.getDefaultNotebook(token),
        published=True,
    )
