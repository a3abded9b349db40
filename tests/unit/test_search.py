"""Unit tests for store.search over a real SQLite database in tmp_path.

The shard's tables come from shard.storage.Storage, the index's from
FTS_SCHEMA; rows are written with plain SQL and indexed with index_note,
as the storage appliers do.
"""

import hashlib
import json
import sqlite3
import uuid
from datetime import datetime, timezone

import pytest

from notestore.edam import NoteStore, Types
from shard import search
from shard.storage import Storage

pytestmark = pytest.mark.timeout(30)

ORDER = Types.NoteSortOrder
USER = 7
OTHER_USER = 8


def ms(*args):
    return int(datetime(*args, tzinfo=timezone.utc).timestamp() * 1000)


NOW_MS = ms(2024, 3, 13, 15, 30)  # a Wednesday
EARLIER_MS = ms(2024, 1, 1)


def enml(body=""):
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<!DOCTYPE en-note SYSTEM "http://xml.evernote.com/pub/enml2.dtd">'
        f"<en-note>{body}</en-note>"
    )


class IndexedShard:
    """A shard database with the search index, and rows written by hand."""

    def __init__(self, path):
        Storage(path).close()
        self.db = sqlite3.connect(path, isolation_level=None)
        self.db.row_factory = sqlite3.Row
        self.db.executescript(search.FTS_SCHEMA)
        self.titles = {}
        self._usn = 0

    def notebook(self, name, user_id=USER):
        guid = str(uuid.uuid4())
        self.db.execute(
            "INSERT INTO notebooks (guid, user_id, name, name_key, stack, usn,"
            " created, updated) VALUES (?, ?, ?, ?, NULL, ?, 0, 0)",
            (guid, user_id, name, name.casefold(), self._next_usn()),
        )
        return guid

    def tag(self, name, user_id=USER, parent=None):
        guid = str(uuid.uuid4())
        self.db.execute(
            "INSERT INTO tags (guid, user_id, name, name_key, parent_guid, usn)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (guid, user_id, name, name.casefold(), parent, self._next_usn()),
        )
        return guid

    def note(self, title, body="", user_id=USER, notebook=None, tags=(), **fields):
        guid = str(uuid.uuid4())
        self.titles[guid] = title
        content = enml(body)
        self.db.execute(
            "INSERT INTO notes (guid, user_id, notebook_guid, title, content,"
            " content_hash, content_length, created, updated, deleted, active,"
            " usn, attributes) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?, ?, ?)",
            (
                guid,
                user_id,
                notebook or self.default_notebook(user_id),
                title,
                content,
                hashlib.md5(content.encode()).digest(),
                len(content),
                fields.get("created", EARLIER_MS),
                fields.get("updated", fields.get("created", EARLIER_MS)),
                0 if fields.get("active") is False else 1,
                fields.get("usn", self._next_usn()),
                json.dumps(fields.get("attributes", {})),
            ),
        )
        self._put_tags(guid, tags)
        for resource in fields.get("resources", ()):
            self._put_resource(guid, user_id, **resource)
        search.index_note(self.db, guid)
        return guid

    def update(self, guid, body=None, tags=None, **columns):
        if body is not None:
            content = enml(body)
            columns.update(content=content, content_hash=_md5(content))
        for column, value in columns.items():
            self.db.execute(
                f"UPDATE notes SET {column} = ? WHERE guid = ?", (value, guid)
            )
        if tags is not None:
            self.db.execute("DELETE FROM note_tags WHERE note_guid = ?", (guid,))
            self._put_tags(guid, tags)
        search.index_note(self.db, guid)

    def default_notebook(self, user_id):
        row = self.db.execute(
            "SELECT guid FROM notebooks WHERE user_id = ? AND name_key = 'default'",
            (user_id,),
        ).fetchone()
        return row[0] if row else self.notebook("Default", user_id)

    def find(self, words="", user_id=USER, **fields):
        result = self.search(words, user_id, **fields)
        return [self.titles[guid] for guid in result.guids]

    def search(self, words="", user_id=USER, offset=0, max_notes=None, **fields):
        note_filter = NoteStore.NoteFilter(words=words, **fields)
        return search.find_notes(
            self.db, user_id, note_filter, NOW_MS, offset=offset, max_notes=max_notes
        )

    def count(self, words="", user_id=USER, with_trash=False, **fields):
        note_filter = NoteStore.NoteFilter(words=words, **fields)
        return search.count_notes(self.db, user_id, note_filter, with_trash, NOW_MS)

    def _put_tags(self, guid, tags):
        self.db.executemany(
            "INSERT INTO note_tags (note_guid, tag_guid, position) VALUES (?, ?, ?)",
            [(guid, tag, i) for i, tag in enumerate(tags)],
        )

    def _put_resource(self, note_guid, user_id, mime, attributes=None, reco=None):
        guid = str(uuid.uuid4())
        body = guid.encode()
        self.db.execute(
            "INSERT INTO resources (guid, user_id, note_guid, position, usn, mime,"
            " body_hash, body_size, attributes)"
            " VALUES (?, ?, ?, 0, ?, ?, ?, ?, ?)",
            (
                guid,
                user_id,
                note_guid,
                self._next_usn(),
                mime,
                hashlib.md5(body).digest(),
                len(body),
                json.dumps(attributes or {}),
            ),
        )
        self.db.execute(
            "INSERT INTO resource_bodies (resource_guid, body, recognition)"
            " VALUES (?, ?, ?)",
            (guid, body, reco),
        )

    def _next_usn(self):
        self._usn += 1
        return self._usn


def _md5(text):
    return hashlib.md5(text.encode()).digest()


@pytest.fixture
def store(tmp_path):
    node = IndexedShard(tmp_path / "store.sqlite3")
    yield node
    node.db.close()


def titles(*names):
    return sorted(names)


# Words


def test_a_word_matches_whole_words_only(store):
    store.note("Sweet Potato Pie")
    store.note("Mash", "Mash four potatoes together")
    assert store.find("potato") == ["Sweet Potato Pie"]
    assert store.find("POTATOES") == ["Mash"]


def test_a_prefix_matches_the_start_of_words(store):
    store.note("Evernote Corporation")
    store.note("Other", "forevernote")
    assert store.find("Ever*") == ["Evernote Corporation"]
    assert store.find("evernote*") == ["Evernote Corporation"]


def test_a_phrase_matches_consecutive_words(store):
    store.note("Hills", "The hills of San Francisco")
    store.note("Fault", "San Andreas fault near Francisco winery")
    assert store.find('"San Francisco"') == ["Hills"]
    assert sorted(store.find("San Francisco")) == titles("Fault", "Hills")


def test_punctuation_is_ignored_in_phrases_and_notes(store):
    store.note("Breakfast", "green eggs&amp;ham.")
    store.note(
        "Spatula", "<div>Come down to Spatula</div><div>City - for bargains</div>"
    )
    assert store.find("ham") == ["Breakfast"]
    assert store.find('"eggs ham"') == ["Breakfast"]
    assert store.find('"Spatula! City! For Bargains..."') == ["Spatula"]


def test_a_phrase_may_end_in_a_prefix(store):
    store.note("City", "San Francisco")
    assert store.find('"san fran*"') == ["City"]
    assert store.find('"san fran"') == []


def test_all_words_must_match(store):
    store.note("Both", "alpha beta")
    store.note("One", "alpha")
    assert store.find("alpha beta") == ["Both"]
    assert store.find("beta alpha") == ["Both"]


def test_a_negated_word_excludes(store):
    store.note("Pie", "Sweet Potato Pie")
    store.note("Mash", "Mash four potatoes together")
    assert store.find("-potato") == ["Mash"]
    assert store.find("-potato -potatoes") == []
    assert store.find('mash -"sweet potato"') == ["Mash"]


def test_words_match_title_content_tag_names_and_recognition(store):
    picnic = store.tag("Picnic")
    store.note("Lunch plans")
    store.note("Basket", tags=[picnic])
    store.note("Receipt", resources=[{"mime": "image/png", "reco": _reco("Lunch")}])
    store.note("Notes", "what about lunch?")
    assert sorted(store.find("lunch")) == titles("Lunch plans", "Notes", "Receipt")
    assert store.find("picnic") == ["Basket"]


def test_recognition_words_come_from_the_reco_index(store):
    store.note(
        "Scan", resources=[{"mime": "image/jpeg", "reco": _reco("Invoice", "42")}]
    )
    assert store.find("invoice") == ["Scan"]
    assert store.find("42") == ["Scan"]
    assert store.find("recoIndex") == []
    assert store.find("docType") == []


def test_accents_are_kept_and_case_is_folded(store):
    store.note("Café", "CRÈME brûlée")
    assert store.find("café") == ["Café"]
    assert store.find("cafe") == []
    assert store.find("crème") == ["Café"]


def test_words_of_other_scripts(store):
    store.note("Hindi", "नमस्ते दुनिया")
    store.note("Japanese", "東京都に住む")
    assert store.find("नमस्ते") == ["Hindi"]
    assert store.find("東京都に住む") == ["Japanese"]
    assert store.find("東京*") == ["Japanese"]
    assert store.find("東京") == []


def test_search_operators_are_plain_words(store):
    store.note("Logic", "this OR that AND NOT near")
    assert store.find("OR") == ["Logic"]
    assert store.find("NOT NEAR") == ["Logic"]
    assert store.find("AND*") == ["Logic"]


def test_underscore_belongs_to_words(store):
    store.note("Code", "call snake_case here")
    assert store.find("snake_case") == ["Code"]
    assert store.find("snake") == []


def test_unknown_labels_search_their_text(store):
    store.note("Link", "see http://example.com/page for more")
    store.note("Clock", "meet at 12:30")
    assert store.find("http://example.com") == ["Link"]
    assert store.find("12:30") == ["Clock"]


def test_searched_and_stopped_words(store):
    store.note("Pie", "sweet pie of potato")
    result = store.search('Potato "Sweet pie" * &')
    assert store.titles[result.guids[0]] == "Pie"
    assert result.searched_words == ["potato", "sweet", "pie"]
    assert result.stopped_words == ["*", "&"]


def test_a_query_of_stopped_words_matches_everything(store):
    store.note("One")
    store.note("Two")
    assert sorted(store.find("* &")) == titles("One", "Two")


# any:


def test_any_matches_notes_with_one_of_the_terms(store):
    food = store.tag("food")
    store.note("Potato", "potato")
    store.note("Tagged", tags=[food])
    store.note("Neither", "rice")
    assert sorted(store.find("any: potato tag:food")) == titles("Potato", "Tagged")
    assert sorted(store.find("any: potato rice")) == titles("Neither", "Potato")


def test_any_with_a_negated_term(store):
    food = store.tag("food")
    store.note("Potato", "potato", tags=[food])
    store.note("Tagged", tags=[food])
    store.note("Untagged", "rice")
    assert sorted(store.find("any: potato -tag:food")) == titles("Potato", "Untagged")


def test_terms_before_any_stay_required(store):
    store.note("Sweet pie", "pie sweet")
    store.note("Savory pie", "pie savory")
    store.note("Sweet cake", "cake sweet")
    assert sorted(store.find("pie any: sweet savory")) == titles(
        "Savory pie", "Sweet pie"
    )
    assert store.find("-savory any: pie cake") == ["Sweet cake", "Sweet pie"]


# Scopes and tags


def test_notebook_scope(store):
    work = store.notebook("Work Stuff")
    store.note("At work", "report", notebook=work)
    store.note("At home", "report")
    assert store.find('notebook:"work stuff" report') == ["At work"]
    assert store.find('-notebook:"Work Stuff" report') == ["At home"]
    assert store.find("notebook:Nowhere report") == []


def test_notebook_scope_applies_with_any(store):
    work = store.notebook("Work")
    store.note("A", "alpha", notebook=work)
    store.note("B", "beta", notebook=work)
    store.note("C", "alpha")
    assert sorted(store.find("notebook:work any: alpha beta")) == titles("A", "B")


def test_tag_names_match_exactly_and_case_insensitively(store):
    food = store.tag("Food")
    foodie = store.tag("Foodie")
    store.note("Meal", tags=[food])
    store.note("Blog", tags=[foodie])
    assert store.find("tag:food") == ["Meal"]
    assert sorted(store.find("tag:FOOD*")) == titles("Blog", "Meal")
    assert store.find("-tag:food*") == []


def test_tag_names_with_spaces(store):
    sweet = store.tag("Sweet Things")
    store.note("Cake", tags=[sweet])
    assert store.find('tag:"sweet things"') == ["Cake"]


def test_runs_of_spaces_in_names_compare_as_one_space(store):
    # The grammar: string matches ignore case, and runs of spaces compare as
    # one space, in the query and in the stored name alike.
    work = store.notebook("Work  Stuff")
    store.note("Cake", tags=[store.tag("Sweet  Things")], notebook=work)
    store.note("Bread", tags=[store.tag("Sweet Thing")])
    assert store.find('tag:"sweet things"') == ["Cake"]
    assert store.find('tag:"sweet  thing"') == ["Bread"]
    assert sorted(store.find('tag:"sweet   thing*"')) == titles("Bread", "Cake")
    assert store.find('notebook:"work stuff"') == ["Cake"]
    assert store.find('-notebook:"work \u00a0 stuff"') == ["Bread"]


def test_any_tag_and_no_tag(store):
    tag = store.tag("x")
    store.note("Tagged", tags=[tag])
    store.note("Untagged")
    assert store.find("tag:*") == ["Tagged"]
    assert store.find("-tag:*") == ["Untagged"]


def test_a_parent_tag_does_not_match_notes_of_its_children(store):
    parent = store.tag("Recipes")
    child = store.tag("Desserts", parent=parent)
    store.note("Cake", tags=[child])
    store.note("Soup", tags=[parent])
    assert store.find("tag:recipes") == ["Soup"]
    assert store.find("tag:desserts") == ["Cake"]


def test_a_tag_prefix_naming_very_many_tags(store):
    tags = [store.tag(f"bulk{i:03}") for i in range(search._MAX_TAG_KEYS + 1)]
    store.note("First", tags=tags[:1])
    store.note("Last", tags=tags[-1:])
    store.note("None")
    assert sorted(store.find("tag:bulk*")) == titles("First", "Last")
    assert store.find("-tag:bulk*") == ["None"]


def test_tags_are_not_words(store):
    tag = store.tag("x")
    store.note("Note", tags=[tag])
    assert store.find("tagged") == []
    assert store.find("tag" + tag.replace("-", "")) == []


def test_several_tags_must_all_match(store):
    a, b = store.tag("a"), store.tag("b")
    store.note("Both", tags=[a, b])
    store.note("One", tags=[a])
    assert store.find("tag:a tag:b") == ["Both"]


def test_intitle(store):
    store.note("Potato salad", "with mayo")
    store.note("Salad", "no potato here")
    assert store.find("intitle:potato") == ["Potato salad"]
    assert store.find("intitle:pot*") == ["Potato salad"]
    assert store.find('intitle:"potato salad"') == ["Potato salad"]
    assert store.find("potato -intitle:potato") == ["Salad"]


# Dates


def test_created_and_updated_at_or_after(store):
    store.note("Old", created=ms(2023, 6, 1), updated=ms(2024, 3, 1))
    store.note("New", created=ms(2024, 2, 1), updated=ms(2024, 2, 1))
    assert store.find("created:20240101") == ["New"]
    assert store.find("-created:20240101") == ["Old"]
    assert store.find("updated:20240215") == ["Old"]
    assert sorted(store.find("created:20230601T000000Z")) == titles("New", "Old")
    assert store.find("created:20230601T000001Z") == ["New"]


def test_date_ranges(store):
    for month in (1, 2, 3):
        store.note(f"Month {month}", created=ms(2024, month, 10))
    assert store.find("created:20240201 -created:20240301") == ["Month 2"]


def test_relative_dates_use_now(store):
    store.note("Today", created=ms(2024, 3, 13, 9))
    store.note("Yesterday", created=ms(2024, 3, 12, 9))
    store.note("Monday", created=ms(2024, 3, 11, 9))
    store.note("Last month", created=ms(2024, 2, 20))
    store.note("Last year", created=ms(2023, 7, 1))
    assert store.find("created:day") == ["Today"]
    assert store.find("created:day-1 -created:day") == ["Yesterday"]
    assert store.find("created:week") == ["Today", "Yesterday", "Monday"]
    assert store.find("created:month-1 -created:month") == ["Last month"]
    assert store.find("-created:year") == ["Last year"]


def test_relative_dates_use_the_filter_time_zone(store):
    # 06:30 UTC on March 13th is still March 12th in Los Angeles (UTC-7).
    store.note("Early", created=ms(2024, 3, 13, 6, 30))
    assert store.find("created:day") == ["Early"]
    assert store.find("created:day", timeZone="America/Los_Angeles") == []
    assert store.find("created:day-1", timeZone="America/Los_Angeles") == ["Early"]
    assert store.find("created:day", timeZone="GMT-08:00") == []
    assert store.find("created:day", timeZone="No/Such_Zone") == ["Early"]


def test_absolute_dates_use_the_filter_time_zone(store):
    store.note("Evening", created=ms(2024, 3, 2, 4))  # March 1st, 20:00 in LA
    assert store.find("created:20240302") == ["Evening"]
    assert store.find("created:20240302", timeZone="America/Los_Angeles") == []


def test_any_date(store):
    store.note("Note")
    assert store.find("created:*") == ["Note"]
    assert store.find("-updated:*") == []


# Attributes, resources, content flags


def test_reminders(store):
    store.note("Due", attributes={"reminderOrder": 5, "reminderTime": ms(2024, 3, 14)})
    store.note("Done", attributes={"reminderOrder": 9, "reminderDoneTime": EARLIER_MS})
    store.note("Plain")
    assert sorted(store.find("reminderOrder:*")) == titles("Done", "Due")
    assert store.find("-reminderOrder:*") == ["Plain"]
    assert store.find("reminderOrder:6") == ["Done"]
    assert store.find("reminderTime:* -reminderDoneTime:*") == ["Due"]
    assert store.find("reminderTime:day+1") == ["Due"]
    assert store.find("reminderTime:day+2") == []


def test_subject_date(store):
    store.note("Dated", attributes={"subjectDate": ms(2024, 3, 1)})
    assert store.find("subjectDate:month") == ["Dated"]
    assert store.find("-subjectDate:month") == []


def test_location(store):
    store.note(
        "North", attributes={"latitude": 48.8, "longitude": 2.35, "altitude": 35}
    )
    store.note("South", attributes={"latitude": -33.9, "longitude": 18.4})
    store.note("Nowhere")
    assert store.find("latitude:0") == ["North"]
    assert sorted(store.find("-latitude:0")) == titles("Nowhere", "South")
    assert store.find("latitude:-40 -latitude:0") == ["South"]
    assert store.find("longitude:10") == ["South"]
    assert store.find("altitude:30") == ["North"]


def test_attribute_strings(store):
    store.note(
        "Clip",
        attributes={
            "author": "Jane Doe",
            "source": "mobile.android",
            "sourceApplication": "Skitch",
            "contentClass": "evernote.food",
            "placeName": "Café Central",
            "sourceURL": "https://example.com/",
        },
    )
    store.note("Other", attributes={"source": "web.clip"})
    assert store.find('author:"jane doe"') == ["Clip"]
    assert store.find("author:jane") == []
    assert store.find("author:jane*") == ["Clip"]
    assert store.find("source:mobile.*") == ["Clip"]
    assert store.find("-source:mobile.*") == ["Other"]
    assert sorted(store.find("source:*")) == titles("Clip", "Other")
    assert store.find("sourceApplication:skitch") == ["Clip"]
    assert store.find("contentClass:evernote.food") == ["Clip"]
    assert store.find('placeName:"CAFÉ CENTRAL"') == ["Clip"]
    assert store.find("sourceURL:https://example.com/") == ["Clip"]


def test_runs_of_spaces_in_attribute_strings_compare_as_one_space(store):
    store.note("Double", attributes={"author": "Jane  Doe"})
    store.note("Single", attributes={"author": "Jane Doe"})
    store.note("Other", attributes={"author": "Jane Doering"})
    assert sorted(store.find('author:"jane doe"')) == titles("Double", "Single")
    assert sorted(store.find('author:"jane   doe"')) == titles("Double", "Single")
    assert store.find('-author:"jane  doe"') == ["Other"]


def test_application_data_keys(store):
    store.note("Keys", attributes={"applicationData": {"keysOnly": ["com.app.a"]}})
    store.note("Map", attributes={"applicationData": {"fullMap": {"com.app.b": "1"}}})
    store.note(
        "Res",
        resources=[{"mime": "image/png", "attributes": _app_data("com.app.c")}],
    )
    assert store.find("applicationData:com.app.a") == ["Keys"]
    assert sorted(store.find("applicationData:com.app.*")) == titles(
        "Keys", "Map", "Res"
    )


def test_resource_mime_types(store):
    store.note("Photo", resources=[{"mime": "image/jpeg"}])
    store.note("Both", resources=[{"mime": "image/png"}, {"mime": "application/pdf"}])
    store.note("Text")
    assert store.find("resource:image/jpeg") == ["Photo"]
    assert sorted(store.find("resource:image/*")) == titles("Both", "Photo")
    assert store.find("resource:application/pdf") == ["Both"]
    assert store.find("-resource:*") == ["Text"]
    assert store.find("resource:audio/*") == []


def test_resource_attributes(store):
    attributes = {
        "fileName": "Invoice March.PDF",
        "recoType": "printed",
        "cameraMake": "Canon",
        "attachment": True,
        "timestamp": ms(2024, 3, 1),
    }
    store.note(
        "Scan", resources=[{"mime": "application/pdf", "attributes": attributes}]
    )
    store.note("Other", resources=[{"mime": "image/png", "attributes": {}}])
    assert store.find('fileName:"invoice march.pdf"') == ["Scan"]
    assert store.find("fileName:invoice*") == ["Scan"]
    assert store.find("recoType:printed") == ["Scan"]
    assert store.find("cameraMake:canon") == ["Scan"]
    assert store.find("attachment:true") == ["Scan"]
    assert store.find("-attachment:true") == ["Other"]
    assert store.find("timestamp:month") == ["Scan"]


def test_todo(store):
    store.note("Checked", '<en-todo checked="true"/>done')
    store.note("Unchecked", "<en-todo/>open")
    store.note("Both", '<en-todo checked="true"/>a<en-todo checked="false"/>b')
    store.note("None", "nothing to do")
    assert sorted(store.find("todo:true")) == titles("Both", "Checked")
    assert sorted(store.find("todo:false")) == titles("Both", "Unchecked")
    assert sorted(store.find("todo:*")) == titles("Both", "Checked", "Unchecked")
    assert store.find("-todo:*") == ["None"]
    assert sorted(store.find("-todo:false")) == titles("Checked", "None")


def test_encryption(store):
    store.note("Secret", '<en-crypt hint="pet">c2VjcmV0</en-crypt>')
    store.note("Open", "nothing hidden")
    assert store.find("encryption:") == ["Secret"]
    assert store.find("-encryption:") == ["Open"]


# NoteFilter fields


def test_notebook_guid(store):
    work = store.notebook("Work")
    store.note("At work", "report", notebook=work)
    store.note("At home", "report")
    assert store.find("report", notebookGuid=work) == ["At work"]
    assert store.find(notebookGuid=work) == ["At work"]


def test_tag_guids_must_all_match(store):
    a, b = store.tag("a"), store.tag("b")
    store.note("Both", tags=[a, b])
    store.note("One", tags=[a])
    assert sorted(store.find(tagGuids=[a])) == titles("Both", "One")
    assert store.find(tagGuids=[a, b]) == ["Both"]
    assert store.find("both", tagGuids=[b]) == ["Both"]


def test_inactive_searches_only_the_trash(store):
    store.note("Live", "potato")
    store.note("Trashed", "potato", active=False)
    assert store.find("potato") == ["Live"]
    assert store.find("potato", inactive=True) == ["Trashed"]
    assert store.find(inactive=True) == ["Trashed"]
    assert store.find(inactive=False) == ["Live"]


@pytest.mark.parametrize(
    ("order", "expected"),
    [
        (ORDER.CREATED, ["A", "C", "B"]),
        (ORDER.UPDATED, ["B", "A", "C"]),
        (ORDER.UPDATE_SEQUENCE_NUMBER, ["C", "B", "A"]),
        (ORDER.TITLE, ["A", "B", "C"]),
    ],
)
def test_orders(store, order, expected):
    store.note("b", "word", created=ms(2024, 1, 3), updated=ms(2024, 1, 4), usn=20)
    store.note("A", "word", created=ms(2024, 1, 1), updated=ms(2024, 1, 5), usn=30)
    store.note("C", "word", created=ms(2024, 1, 2), updated=ms(2024, 1, 6), usn=10)
    descending = [title.upper() for title in store.find("word", order=order)]
    ascending = store.find("word", order=order, ascending=True)
    assert [title.upper() for title in ascending] == expected
    assert descending == expected[::-1]
    # The same order without words (the listing path).
    assert [title.upper() for title in store.find(order=order)] == expected[::-1]


def test_unknown_order_is_updated_descending(store):
    store.note("Older", updated=ms(2024, 1, 1))
    store.note("Newer", updated=ms(2024, 1, 2))
    assert store.find(order=99) == ["Newer", "Older"]
    assert store.find() == ["Newer", "Older"]
    assert store.find("", order=ORDER.RELEVANCE) == ["Newer", "Older"]


def test_relevance_without_words_is_updated(store):
    tag = store.tag("t")
    store.note("Older", "word", tags=[tag], updated=ms(2024, 1, 1))
    store.note("Newer", tags=[tag], updated=ms(2024, 1, 2))
    assert store.find(tagGuids=[tag], order=ORDER.RELEVANCE) == ["Newer", "Older"]
    assert store.find("-word", order=ORDER.RELEVANCE) == ["Newer"]


def test_relevance_ranks_better_matches_first(store):
    store.note("Once", "potato and many other words to dilute it " * 5)
    store.note("Potato potato", "potato potato potato")
    ranked = store.find("potato", order=ORDER.RELEVANCE)
    assert ranked == ["Potato potato", "Once"]
    assert store.find("potato", order=ORDER.RELEVANCE, ascending=True) == ranked[::-1]


def test_relevance_with_any_words(store):
    store.note("Weak", "alpha " + "filler " * 40)
    store.note("Strong", "alpha beta alpha beta")
    assert store.find("any: alpha beta", order=ORDER.RELEVANCE) == ["Strong", "Weak"]


def test_ties_are_broken_the_same_way_every_time(store):
    for i in range(5):
        store.note(f"N{i}", "same", updated=EARLIER_MS)
    first = store.find("same")
    assert first == store.find("same") == store.find()
    assert sorted(first) == [f"N{i}" for i in range(5)]


@pytest.mark.parametrize("words", ["page", ""])
def test_paging(store, words):
    for day in range(1, 8):
        store.note(f"Day {day}", "page", updated=ms(2024, 1, day))
    result = store.search(words, offset=2, max_notes=3)
    assert [store.titles[guid] for guid in result.guids] == ["Day 5", "Day 4", "Day 3"]
    assert result.total == 7
    past_the_end = store.search(words, offset=10, max_notes=3)
    assert past_the_end.guids == [] and past_the_end.total == 7
    count_only = store.search(words, max_notes=0)
    assert count_only.guids == [] and count_only.total == 7
    assert store.search("nothing", offset=0, max_notes=3).total == 0


# Users


def test_users_never_see_each_others_notes(store):
    store.note("Mine", "potato")
    store.note("Theirs", "potato", user_id=OTHER_USER)
    assert store.find("potato") == ["Mine"]
    assert store.find("potato", user_id=OTHER_USER) == ["Theirs"]
    assert store.find("-nothing") == ["Mine"]
    assert store.find() == ["Mine"]
    assert store.find("any: potato -potato") == ["Mine"]


def test_names_resolve_within_the_user(store):
    theirs = store.notebook("Shared Name", user_id=OTHER_USER)
    their_tag = store.tag("shared", user_id=OTHER_USER)
    store.note("Theirs", notebook=theirs, tags=[their_tag], user_id=OTHER_USER)
    mine = store.tag("shared")
    store.note("Mine", tags=[mine])
    assert store.find('notebook:"shared name"') == []
    assert store.find("tag:shared") == ["Mine"]
    assert store.find(notebookGuid=theirs) == []
    assert store.find(tagGuids=[their_tag]) == []


def test_extreme_user_ids(store):
    for user_id in (0, 2**31 - 1, -(2**31)):
        store.note(f"User {user_id}", "edge", user_id=user_id)
    assert store.find("edge", user_id=2**31 - 1) == [f"User {2**31 - 1}"]
    assert store.find("edge", user_id=0) == ["User 0"]
    assert store.find(user_id=-(2**31)) == [f"User {-(2**31)}"]


# findNoteCounts


def test_counts_per_notebook_and_tag(store):
    work = store.notebook("Work")
    home = store.notebook("Home")
    a, b, unused = store.tag("a"), store.tag("b"), store.tag("unused")
    store.note("1", "report", notebook=work, tags=[a, b])
    store.note("2", "report", notebook=work, tags=[a])
    store.note("3", "report", notebook=home)
    store.note("4", "other", notebook=home, tags=[b])
    store.note("5", "report", notebook=home, tags=[a], active=False)
    notebooks, tags, trash = store.count("report")
    assert notebooks == {work: 2, home: 1}
    assert tags == {a: 2, b: 1}
    assert unused not in tags and trash is None
    assert store.count("report", with_trash=True)[2] == 1
    assert store.count(with_trash=True) == ({work: 2, home: 2}, {a: 2, b: 2}, 1)


def test_counts_of_the_trash(store):
    a = store.tag("a")
    notebook = store.notebook("Bin")
    store.note("Trashed", notebook=notebook, tags=[a], active=False)
    assert store.count(inactive=True, with_trash=True) == ({notebook: 1}, {a: 1}, 1)


def test_counts_are_per_user(store):
    store.note("Theirs", "report", user_id=OTHER_USER)
    assert store.count("report", with_trash=True) == ({}, {}, 0)


# Keeping the index current


def test_an_update_replaces_the_indexed_words(store):
    guid = store.note("Note", "before")
    store.update(guid, body="after", title="Renamed")
    assert store.find("before") == []
    assert store.find("after") == ["Note"]
    assert store.find("renamed") == ["Note"]
    assert store.find("intitle:note") == []


def test_metadata_changes_keep_the_content_words(store):
    work = store.notebook("Work")
    guid = store.note("Note", "kept words <en-todo/>")
    store.update(guid, notebook_guid=work, updated=NOW_MS, active=0)
    assert store.find("kept", inactive=True, notebookGuid=work) == ["Note"]
    assert store.find("todo:false", inactive=True) == ["Note"]
    assert store.find("updated:day", inactive=True) == ["Note"]


def test_tag_changes_need_index_note(store):
    tag = store.tag("Old name")
    guid = store.note("Note", tags=[tag])
    store.db.execute("UPDATE tags SET name = 'New name', name_key = 'new name'")
    assert store.find('tag:"new name"') == ["Note"]  # read at query time
    assert store.find("new") == []  # the indexed words are stale ...
    search.index_note(store.db, guid)
    assert store.find("new") == ["Note"]  # ... until the note is re-indexed
    assert store.find("old") == []
    store.update(guid, tags=[])
    assert store.find("name") == []


def test_unindex_note(store):
    guid = store.note("Gone", "potato", attributes={"author": "x"})
    store.db.execute("DELETE FROM notes WHERE guid = ?", (guid,))
    search.unindex_note(store.db, guid)
    search.unindex_note(store.db, guid)  # twice is fine
    assert store.find("potato") == []
    for table in ("note_search", "note_fts", "note_search_facts"):
        assert store.db.execute(f"SELECT count(*) FROM {table}").fetchone()[0] == 0


def test_index_note_of_a_missing_note_unindexes_it(store):
    guid = store.note("Gone", "potato")
    store.db.execute("DELETE FROM notes WHERE guid = ?", (guid,))
    search.index_note(store.db, guid)
    assert store.find("potato") == []


def test_reconcile_index(store):
    kept = store.note("Kept", "potato")
    gone = store.note("Gone", "potato")
    store.db.execute("DELETE FROM notes WHERE guid = ?", (gone,))
    store.db.execute("DELETE FROM note_search WHERE guid = ?", (kept,))
    assert search.reconcile_index(store.db) == (1, 1)
    assert search.reconcile_index(store.db) == (0, 0)
    assert store.find("potato") == ["Kept"]


def test_the_schema_can_be_created_twice(store):
    store.db.executescript(search.FTS_SCHEMA)
    store.note("Still", "works")
    assert store.find("works") == ["Still"]


def test_index_note_works_without_a_row_factory(tmp_path):
    node = IndexedShard(tmp_path / "plain.sqlite3")
    node.db.row_factory = None
    guid = node.note("Plain", "tuple rows")
    node.update(guid, tags=[node.tag("t")])
    assert node.find("tuple t") == ["Plain"]
    node.db.close()


def _reco(*words):
    items = "".join(
        f'<item x="1" y="1" w="9" h="9"><t w="90">{word}</t></item>' for word in words
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<recoIndex docType="picture" objType="image">{items}</recoIndex>'
    ).encode()


def _app_data(key):
    return {"applicationData": {"keysOnly": [key]}}
