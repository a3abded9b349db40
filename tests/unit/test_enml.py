"""Unit tests for notestore.enml: ENML rules and validator-style messages."""

import html.entities
import time

import pytest

from notestore import enml
from notestore.enml import EnmlError, validate_enml
from notestore.validation import EDAM_NOTE_CONTENT_LEN_MAX, ValidationError

HEADER = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<!DOCTYPE en-note SYSTEM "http://xml.evernote.com/pub/enml2.dtd">'
)
HASH = "0123456789abcdef0123456789abcdef"
MEDIA = f'<en-media type="image/png" hash="{HASH}"/>'

# The 60 XHTML elements ENML allows, as the fact sheet lists them.
FACT_SHEET_XHTML = set(
    "a abbr acronym address area b bdo big blockquote br caption center cite "
    "code col colgroup dd del dfn div dl dt em font h1 h2 h3 h4 h5 h6 hr i img "
    "ins kbd li map ol p pre q s samp small span strike strong sub sup table "
    "tbody td tfoot th thead tr tt u ul var".split()
)
EMPTY = {"area", "br", "col", "hr", "img", "en-media", "en-todo"}
REQUIRED = {"map": ' name="m"', "en-media": f' type="image/png" hash="{HASH}"'}


def note(body="", attributes=""):
    return f"{HEADER}<en-note{attributes}>{body}</en-note>"


def element(name, attributes=""):
    attributes = REQUIRED.get(name, "") + attributes
    if name in EMPTY:
        return f"<{name}{attributes}/>"
    return f"<{name}{attributes}>x</{name}>"


def rejection(content):
    with pytest.raises(EnmlError) as info:
        validate_enml(content)
    return info.value.message


# Documents that pass -------------------------------------------------------


def test_minimal_note_with_header_is_valid():
    doc = validate_enml(note())
    assert doc.media_hashes == ()
    assert doc.plain_text == ""


def test_note_without_declarations_is_valid():
    assert validate_enml("<en-note>hi</en-note>").plain_text == "hi"


def test_declared_encoding_is_ignored_for_decoded_content():
    content = (
        '<?xml version="1.0" encoding="ISO-8859-1"?><en-note>caf\xe9 \u20ac</en-note>'
    )
    assert validate_enml(content).plain_text == "caf\xe9 \u20ac"


def test_leading_byte_order_mark_is_accepted():
    assert validate_enml("\ufeff<en-note>x</en-note>").plain_text == "x"


def test_result_lists_media_hashes_lowercase_in_document_order():
    upper = "ABCDEF" + "0" * 26
    body = (
        MEDIA
        + f'<div><en-media type="image/jpeg" hash="{upper}"/></div>'
        + f'<en-media hash="{HASH}" type="application/pdf"/>'
    )
    assert validate_enml(note(body)).media_hashes == (HASH, upper.lower(), HASH)


@pytest.mark.parametrize(
    ("body", "checked", "unchecked"),
    [
        ("", False, False),
        ('<en-todo checked="true"/>', True, False),
        ('<en-todo checked="false"/>', False, True),
        ("<en-todo/>", False, True),
        ('<en-todo/><div><en-todo checked="true"/>done</div>', True, True),
    ],
)
def test_result_reports_todo_states(body, checked, unchecked):
    doc = validate_enml(note(body))
    assert (doc.has_checked_todo, doc.has_unchecked_todo) == (checked, unchecked)
    assert doc.has_todo == (checked or unchecked)


def test_result_reports_encryption():
    assert not validate_enml(note("plain")).has_encryption
    crypt = '<en-crypt hint="pet" cipher="AES" length="128">U2FsdGVk</en-crypt>'
    assert validate_enml(note(crypt)).has_encryption


def test_plain_text_separates_blocks_and_joins_inline_runs():
    body = (
        "<div>first</div><div>second</div><p>th<b>ir</b>d</p>"
        "<ul><li>one</li><li>two</li></ul>line<br/>break"
        "<table><tr><td>c1</td><td>c2</td></tr></table>"
    )
    text = validate_enml(note(body)).plain_text
    assert text == "first second third one two line break c1 c2"


def test_plain_text_breaks_words_at_todos_and_media():
    body = f"<en-todo/>buy<en-todo/>milk{MEDIA}now"
    assert validate_enml(note(body)).plain_text == "buy milk now"


def test_plain_text_collapses_whitespace_and_omits_ciphertext():
    body = "  a \n\t b <en-crypt>SECRETBASE64</en-crypt> c  "
    assert validate_enml(note(body)).plain_text == "a b c"


def test_plain_text_keeps_cdata_and_drops_comments():
    body = "<![CDATA[x < y]]><!-- hidden -->z"
    assert validate_enml(note(body)).plain_text == "x < yz"


# The messages clients have seen from Evernote -----------------------------


def test_html_root_is_an_undeclared_element():
    content = f"{HEADER}<html><body>hi</body></html>"
    assert rejection(content) == 'Element type "html" must be declared.'


def test_class_attribute_is_undeclared():
    assert (
        rejection(note('<span class="x">y</span>'))
        == 'Attribute "class" must be declared for element type "span".'
    )


def test_en_media_without_type_names_the_required_attribute():
    assert rejection(note(f'<en-media hash="{HASH}"/>')) == (
        'Attribute "type" is required and must be specified for element type '
        '"en-media".'
    )


def test_unclosed_hr_names_the_missing_end_tag():
    assert rejection(note("<hr>")) == (
        'The element type "hr" must be terminated by the matching end-tag "</hr>".'
    )


def test_error_is_a_validation_error_for_enml_validation():
    with pytest.raises(ValidationError) as info:
        validate_enml(note("<blink>x</blink>"))
    err = info.value
    assert isinstance(err, EnmlError)
    assert err.code == "ENML_VALIDATION"
    assert err.parameter == err.message == 'Element type "blink" must be declared.'


def test_error_reports_line_and_column():
    with pytest.raises(EnmlError) as info:
        validate_enml('<en-note>\n<p>ok</p>\n  <div id="d">x</div></en-note>')
    assert (info.value.line, info.value.column) == (3, 3)


# Not XML, or not an en-note document ---------------------------------------


@pytest.mark.parametrize("content", ["Hello, world", '{"title": "x"}', "x<en-note/>"])
def test_plain_text_is_not_allowed_in_prolog(content):
    assert rejection(content) == "Content is not allowed in prolog."


def test_text_between_declaration_and_root_is_not_allowed():
    assert rejection(f"{HEADER}hello<en-note/>") == "Content is not allowed in prolog."


@pytest.mark.parametrize("content", ["", "   \n", HEADER])
def test_empty_document_is_premature_end_of_file(content):
    assert rejection(content) == "Premature end of file."


@pytest.mark.parametrize("content", ["<en-note><div>x", "<en-note><div"])
def test_truncated_document_is_reported(content):
    assert rejection(content) == (
        "XML document structures must start and end within the same entity."
    )


def test_text_after_root_is_not_allowed():
    assert rejection(note() + "junk") == "Content is not allowed in trailing section."


def test_second_root_element_is_not_allowed():
    assert rejection(note() + "<en-note/>") == (
        "The markup in the document following the root element must be well-formed."
    )


def test_div_root_must_be_en_note():
    assert rejection(f"{HEADER}<div>x</div>") == (
        'Document root element "div", must match DOCTYPE root "en-note".'
    )


def test_div_root_without_doctype_must_be_en_note():
    assert rejection("<div>x</div>") == (
        'Document root element "div", must match DOCTYPE root "en-note".'
    )


def test_doctype_must_name_en_note():
    content = '<!DOCTYPE html SYSTEM "about:legacy-compat"><en-note/>'
    assert rejection(content) == (
        'Document root element "en-note", must match DOCTYPE root "html".'
    )


def test_nested_en_note_is_rejected():
    assert "only allowed as the root" in rejection(note("<div><en-note/></div>"))


def test_duplicate_attribute_is_reported():
    assert rejection(note('<p title="a" title="b">x</p>')) == (
        'Attribute "title" was already specified for element "p".'
    )


def test_xml_declaration_inside_content_is_rejected():
    assert rejection(note('<?xml version="1.0"?>')) == (
        'The processing instruction target matching "[xX][mM][lL]" is not allowed.'
    )


def test_other_well_formedness_errors_carry_position():
    message = rejection("<en-note>\n  <b>&#0;</b></en-note>")
    assert message.startswith("Content is not well-formed XML")
    assert "line 2, column 6" in message


def test_lone_surrogate_is_not_well_formed():
    assert rejection(note("\ud800")).startswith("Content is not well-formed XML")


def test_uppercase_element_is_undeclared():
    assert rejection(note("<DIV>x</DIV>")) == 'Element type "DIV" must be declared.'


# Entities ------------------------------------------------------------------


def test_every_xhtml_named_entity_is_accepted_in_text():
    names = sorted(html.entities.name2codepoint)
    body = "".join(f"<p>&{name};</p>" for name in names)
    text = validate_enml(note(body)).plain_text
    # split() would swallow the entities that are spaces, so compare sets.
    expected = {chr(html.entities.name2codepoint[n]) for n in names}
    assert set(text) - {" "} == expected - {" ", "\u2002", "\u2003", "\u2009", "\xa0"}


@pytest.mark.parametrize(
    ("name", "char"), [("nbsp", "\xa0"), ("copy", "\xa9"), ("eacute", "\xe9")]
)
def test_named_entity_is_accepted_in_attributes(name, char):
    validate_enml(note(f'<p title="a&{name};b">x</p>'))
    assert validate_enml(note(f"a&{name};b")).plain_text.replace(" ", "") in (
        f"a{char}b",
        "ab",
    )


def test_named_entities_work_without_doctype():
    assert validate_enml("<en-note>caf&eacute;</en-note>").plain_text == "caf\xe9"


def test_xml_predefined_entities_are_accepted():
    text = validate_enml(note("&lt;&gt;&amp;&quot;&apos;")).plain_text
    assert text == "<>&\"'"


def test_numeric_character_references_are_accepted():
    assert validate_enml(note("&#233;&#x20AC;")).plain_text == "\xe9\u20ac"


def test_unknown_entity_in_text_is_undeclared():
    assert rejection(note("a&bogus;b")) == (
        'The entity "bogus" was referenced, but not declared.'
    )


def test_unknown_entity_in_attribute_is_undeclared():
    # expat alone drops these silently from attribute values.
    assert rejection(note('<p title="a&bogus;b">x</p>')) == (
        'The entity "bogus" was referenced, but not declared.'
    )


def test_unknown_entity_without_doctype_is_undeclared():
    assert rejection("<en-note>&bogus;</en-note>") == (
        'The entity "bogus" was referenced, but not declared.'
    )


def test_entity_names_are_case_sensitive():
    assert 'The entity "NBSP"' in rejection(note("&NBSP;"))


def test_entity_like_text_in_comments_and_cdata_is_fine():
    doc = validate_enml(note("<!-- &bogus; --><![CDATA[&bogus;]]>"))
    assert doc.plain_text == "&bogus;"


def test_standalone_document_cannot_use_dtd_entities():
    content = (
        '<?xml version="1.0" standalone="yes"?>'
        '<!DOCTYPE en-note SYSTEM "http://xml.evernote.com/pub/enml2.dtd">'
        "<en-note>&nbsp;</en-note>"
    )
    assert 'entity "nbsp" declared in an external parsed entity' in rejection(content)


# Hostile DOCTYPEs ----------------------------------------------------------

INTERNAL_SUBSET = (
    'The document type declaration for root element type "en-note" must not '
    "contain markup declarations."
)


def test_system_identifier_is_never_loaded(tmp_path):
    dtd = tmp_path / "evil.dtd"
    dtd.write_text('<!ENTITY canary "LEAKED">')
    content = f'<!DOCTYPE en-note SYSTEM "{dtd.as_uri()}"><en-note>&canary;</en-note>'
    assert rejection(content) == (
        'The entity "canary" was referenced, but not declared.'
    )


def test_external_entity_declaration_is_refused(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("LEAKED")
    content = (
        f'<!DOCTYPE en-note [<!ENTITY xxe SYSTEM "{secret.as_uri()}">]>'
        "<en-note>&xxe;</en-note>"
    )
    assert rejection(content) == INTERNAL_SUBSET


def test_parameter_entity_declaration_is_refused(tmp_path):
    content = (
        '<!DOCTYPE en-note [<!ENTITY % p SYSTEM "http://127.0.0.1:9/x.dtd"> %p;]>'
        "<en-note/>"
    )
    assert rejection(content) == INTERNAL_SUBSET


def test_entity_expansion_bomb_is_refused_quickly():
    declarations = ['<!ENTITY lol0 "lollollollollollollollollollol">']
    for level in range(1, 10):
        ref = f"&lol{level - 1};"
        declarations.append(f'<!ENTITY lol{level} "{ref * 10}">')
    content = f"<!DOCTYPE en-note [{''.join(declarations)}]><en-note>&lol9;</en-note>"
    started = time.perf_counter()
    assert rejection(content) == INTERNAL_SUBSET
    assert time.perf_counter() - started < 1.0


def test_empty_internal_subset_is_refused():
    assert rejection("<!DOCTYPE en-note []><en-note/>") == INTERNAL_SUBSET


def test_attribute_defaults_from_internal_subset_are_refused():
    content = '<!DOCTYPE en-note [<!ATTLIST en-note id CDATA "x">]><en-note/>'
    assert rejection(content) == INTERNAL_SUBSET


# Elements ------------------------------------------------------------------


def test_declared_elements_are_the_fact_sheet_set():
    assert enml.XHTML_ELEMENTS == FACT_SHEET_XHTML
    assert len(enml.XHTML_ELEMENTS) == 60
    assert enml.ENML_ELEMENTS == FACT_SHEET_XHTML | {
        "en-note",
        "en-media",
        "en-crypt",
        "en-todo",
    }
    assert not enml.PROHIBITED_ELEMENTS & enml.ENML_ELEMENTS


@pytest.mark.parametrize("name", sorted(FACT_SHEET_XHTML | {"en-media", "en-todo"}))
def test_allowed_element_is_accepted(name):
    validate_enml(note(element(name)))


@pytest.mark.parametrize(
    "name", sorted(enml.PROHIBITED_ELEMENTS | {"blink", "svg", "video", "en-foo"})
)
def test_prohibited_or_unknown_element_must_be_declared(name):
    assert rejection(note(f"<{name}/>")) == f'Element type "{name}" must be declared.'


@pytest.mark.parametrize("name", sorted(EMPTY))
def test_empty_element_rejects_text(name):
    content = note(f"<{name}{REQUIRED.get(name, '')}>x</{name}>")
    assert rejection(content) == (
        f'The content of element type "{name}" must match "EMPTY".'
    )


@pytest.mark.parametrize("name", ["br", "en-media"])
def test_empty_element_rejects_child_elements_and_whitespace(name):
    attributes = REQUIRED.get(name, "")
    expected = f'The content of element type "{name}" must match "EMPTY".'
    assert rejection(note(f"<{name}{attributes}><b/></{name}>")) == expected
    assert rejection(note(f"<{name}{attributes}> </{name}>")) == expected


def test_empty_element_may_use_an_end_tag():
    validate_enml(note("<hr></hr><br></br>"))


def test_en_crypt_rejects_child_elements():
    assert rejection(note("<en-crypt>ab<b>c</b></en-crypt>")) == (
        'The content of element type "en-crypt" must match "(#PCDATA)".'
    )


def test_any_element_may_nest_in_any_other():
    validate_enml(
        note(
            "<span><div><table><tr><td><p><h1>x</h1></p></td></tr></table></div></span>"
        )
    )


# Attributes ----------------------------------------------------------------

COMMON = ' style="color:red" title="t" lang="en" xml:lang="en" dir="ltr"'


@pytest.mark.parametrize("name", sorted(enml.ENML_ELEMENTS - {"en-note"}))
def test_common_attributes_are_allowed_everywhere(name):
    validate_enml(note(element(name, COMMON)))


def test_common_attributes_are_allowed_on_en_note():
    validate_enml(note("x", COMMON))


@pytest.mark.parametrize("attribute", ["id", "class", "onclick", "data-x", "name"])
@pytest.mark.parametrize("name", ["div", "span", "p", "td", "en-todo", "en-media"])
def test_undeclared_attribute_is_rejected(attribute, name):
    content = note(element(name, f' {attribute}="v"'))
    assert rejection(content) == (
        f'Attribute "{attribute}" must be declared for element type "{name}".'
    )


@pytest.mark.parametrize(
    "attribute", ["id", "class", "onload", "data-reactid", "xmlns:x"]
)
def test_undeclared_attribute_on_en_note_is_rejected(attribute):
    assert rejection(note("", f' {attribute}="v"')) == (
        f'Attribute "{attribute}" must be declared for element type "en-note".'
    )


# Element-specific attributes from XHTML 1.0 Transitional.
SPECIFIC = {
    "a": "charset type name href hreflang rel rev shape coords target accesskey "
    "tabindex",
    "img": "src alt name longdesc height width usemap ismap align border hspace vspace",
    "table": "summary width border frame rules cellspacing cellpadding align bgcolor",
    "td": "abbr axis headers scope rowspan colspan align char charoff valign "
    "nowrap bgcolor width height",
    "th": "abbr axis headers scope rowspan colspan nowrap bgcolor width height",
    "tr": "align char charoff valign bgcolor",
    "col": "span width align char charoff valign",
    "colgroup": "span width align char charoff valign",
    "tbody": "align char charoff valign",
    "thead": "align char charoff valign",
    "tfoot": "align char charoff valign",
    "caption": "align",
    "font": "size color face",
    "ol": "type compact start",
    "ul": "type compact",
    "li": "type value",
    "dl": "compact",
    "p": "align",
    "div": "align",
    "h1": "align",
    "h6": "align",
    "br": "clear",
    "hr": "align noshade size width",
    "blockquote": "cite",
    "q": "cite",
    "del": "cite datetime",
    "ins": "cite datetime",
    "area": "shape coords href nohref alt target accesskey tabindex",
    "map": "name",
    "pre": "width",
    "en-note": "bgcolor text",
    "en-media": "type hash height width usemap align border hspace vspace longdesc alt",
    "en-crypt": "hint cipher length",
    "en-todo": "checked",
}
SPECIFIC_PAIRS = [(n, a) for n, attrs in SPECIFIC.items() for a in attrs.split()]
VALID_VALUES = {"href": "https://example.com/", "checked": "true", "hash": HASH}


@pytest.mark.parametrize(("name", "attribute"), SPECIFIC_PAIRS)
def test_element_specific_attribute_is_allowed(name, attribute):
    value = VALID_VALUES.get(attribute, "1")
    attributes = f' {attribute}="{value}"'
    if name == "en-note":
        validate_enml(note("x", attributes))
    elif name in REQUIRED and attribute in REQUIRED[name]:
        validate_enml(note(element(name)))
    else:
        validate_enml(note(element(name, attributes)))


@pytest.mark.parametrize(
    ("name", "attribute"),
    [
        ("div", "href"),
        ("p", "cite"),
        ("span", "align"),
        ("img", "href"),
        ("td", "name"),
        ("font", "align"),
        ("en-note", "align"),
        ("en-crypt", "type"),
        ("en-todo", "value"),
        ("ul", "start"),
        ("a", "src"),
        ("pre", "align"),
    ],
)
def test_attribute_of_another_element_is_rejected(name, attribute):
    attributes = f' {attribute}="x"'
    if name == "en-note":
        content = note("x", attributes)
    else:
        content = note(element(name, attributes))
    assert rejection(content) == (
        f'Attribute "{attribute}" must be declared for element type "{name}".'
    )


def test_map_requires_name():
    assert rejection(note("<map><area/></map>")) == (
        'Attribute "name" is required and must be specified for element type "map".'
    )


def test_en_media_requires_hash():
    assert rejection(note('<en-media type="image/png"/>')) == (
        'Attribute "hash" is required and must be specified for element type '
        '"en-media".'
    )


@pytest.mark.parametrize(
    "value", ["", HASH[:-1], HASH + "0", "g" * 32, HASH[:-1] + " "]
)
def test_en_media_hash_must_be_32_hex_digits(value):
    content = note(f'<en-media type="image/png" hash="{value}"/>')
    assert rejection(content).startswith(f'Attribute "hash" with value "{value}"')


@pytest.mark.parametrize("value", ["yes", "TRUE", "", "1"])
def test_en_todo_checked_must_be_true_or_false(value):
    assert rejection(note(f'<en-todo checked="{value}"/>')) == (
        f'Attribute "checked" with value "{value}" must have a value from the '
        'list "true false".'
    )


def test_en_note_xmlns_is_fixed():
    validate_enml(note("x", f' xmlns="{enml.ENML_NAMESPACE}"'))
    assert rejection(note("x", ' xmlns="http://www.w3.org/1999/xhtml"')) == (
        'Attribute "xmlns" with value "http://www.w3.org/1999/xhtml" must have a '
        'value of "http://xml.evernote.com/pub/enml2.dtd".'
    )


@pytest.mark.parametrize(
    "href",
    [
        "http://example.com/",
        "https://example.com/a?b=c:d#e",
        "HTTPS://EXAMPLE.COM/",
        "file:///C:/notes.txt",
        "mailto:someone@example.com",
        "ftp://ftp.example.com/f",
        "evernote:///view/1/s1/guid/guid/",
        "#section",
        "page.html",
        "/absolute/path",
        "//example.com/protocol-relative",
        "dir/file:with-colon",
        "",
    ],
)
def test_href_with_permitted_scheme_or_relative_is_allowed(href):
    validate_enml(note(f'<a href="{href}">x</a>'))
    validate_enml(note(f'<map name="m"><area href="{href}"/></map>'))


@pytest.mark.parametrize(
    "href",
    [
        "javascript:alert(1)",
        "JavaScript:alert(1)",
        "  javascript:alert(1)",
        "java&#9;script:alert(1)",
        "java&#10;script:alert(1)",
        "&#13;javascript:alert(1)",
        "data:text/html,<b>x</b>".replace("<", "&lt;"),
        "vbscript:msgbox(1)",
        "tel:+15551234",
    ],
)
def test_href_with_other_scheme_is_rejected(href):
    message = rejection(note(f'<a href="{href}">x</a>'))
    assert message.startswith('Attribute "href" with value ')
    assert message.endswith('is not permitted for element type "a".')


def test_area_href_scheme_is_checked():
    content = note('<map name="m"><area href="javascript:x()"/></map>')
    assert 'for element type "area"' in rejection(content)


def test_img_src_data_url_is_rejected():
    content = note('<img src="data:image/png;base64,AAAA"/>')
    assert rejection(content).startswith('Attribute "src" with value "data:')


def test_long_values_are_shortened_in_messages():
    url = "data:image/png;base64," + "A" * 100000
    message = rejection(note(f'<img src="{url}"/>'))
    assert len(message) < 300


# Size ----------------------------------------------------------------------


@pytest.mark.timeout(60)
def test_five_megabyte_note_validates_in_reasonable_time():
    block = (
        '<div style="color:red">Some <b>bold</b> text&nbsp;&amp; '
        '<a href="https://example.com/x">link</a></div>\n'
    )
    tail = MEDIA + "</en-note>"
    repeats = (EDAM_NOTE_CONTENT_LEN_MAX - len(HEADER) - 9 - len(tail)) // len(block)
    content = HEADER + "<en-note>" + block * repeats + tail
    assert EDAM_NOTE_CONTENT_LEN_MAX - len(block) < len(content)
    assert len(content) <= EDAM_NOTE_CONTENT_LEN_MAX

    started = time.perf_counter()
    doc = validate_enml(content)
    elapsed_s = time.perf_counter() - started

    assert doc.media_hashes == (HASH,)
    assert doc.plain_text.count("link") == repeats
    assert elapsed_s < 10


@pytest.mark.timeout(60)
def test_five_megabyte_note_with_late_error_is_rejected():
    body = "<p>filler text</p>" * 250000 + '<p id="late">x</p>'
    assert rejection(note(body)) == (
        'Attribute "id" must be declared for element type "p".'
    )
