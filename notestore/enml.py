"""Validation of ENML, the XHTML dialect stored in Note.content.

The rules are our own, written from the public description of ENML: an
``en-note`` root, a fixed set of XHTML elements plus ``en-media``,
``en-crypt`` and ``en-todo``, and per-element attribute lists with no
``id``, ``class`` or event handlers. Every element may contain any other,
except that EMPTY elements contain nothing and ``en-crypt`` only text.

Failures raise EnmlError, whose message imitates the XML validator that
Evernote runs, because clients show that text (it travels as the
``parameter`` of an ENML_VALIDATION EDAMUserException).

The DOCTYPE's system identifier is never fetched. Instead expat is handed
our own declarations of the XHTML named entities (``&nbsp;`` and the rest),
which is what the real DTD contributes to parsing. A DOCTYPE with an
internal subset is refused outright, which rules out external entities
(XXE) and entity expansion bombs before any declaration is read.
"""

import html.entities
import logging
import re
from dataclasses import dataclass
from typing import NoReturn
from xml.parsers import expat

from notestore.validation import ENML_VALIDATION, ValidationError

log = logging.getLogger(__name__)

ENML_NAMESPACE = "http://xml.evernote.com/pub/enml2.dtd"

PERMITTED_URL_SCHEMES = frozenset(
    {"http", "https", "file", "mailto", "ftp", "evernote"}
)

# Attributes every element takes.
_COMMON_ATTRIBUTES = ("style", "title", "lang", "xml:lang", "dir")
_CELL_ATTRIBUTES = "align char charoff valign"
_TD_ATTRIBUTES = (
    "abbr axis headers scope rowspan colspan nowrap bgcolor width height "
    + _CELL_ATTRIBUTES
)

# Attributes beyond the common ones, per element: XHTML 1.0 Transitional
# minus id, class and the on* event handlers, plus the en-* elements. The
# keys are the complete set of elements ENML declares.
_EXTRA_ATTRIBUTES = {
    "a": (
        "charset type name href hreflang rel rev shape coords target accesskey tabindex"
    ),
    "abbr": "",
    "acronym": "",
    "address": "",
    "area": "shape coords href nohref alt target accesskey tabindex",
    "b": "",
    "bdo": "",
    "big": "",
    "blockquote": "cite",
    "br": "clear",
    "caption": "align",
    "center": "",
    "cite": "",
    "code": "",
    "col": "span width " + _CELL_ATTRIBUTES,
    "colgroup": "span width " + _CELL_ATTRIBUTES,
    "dd": "",
    "del": "cite datetime",
    "dfn": "",
    "div": "align",
    "dl": "compact",
    "dt": "",
    "em": "",
    "font": "size color face",
    "h1": "align",
    "h2": "align",
    "h3": "align",
    "h4": "align",
    "h5": "align",
    "h6": "align",
    "hr": "align noshade size width",
    "i": "",
    "img": (
        "src alt name longdesc height width usemap ismap align border hspace vspace"
    ),
    "ins": "cite datetime",
    "kbd": "",
    "li": "type value",
    "map": "name",
    "ol": "type compact start",
    "p": "align",
    "pre": "width xml:space",
    "q": "cite",
    "s": "",
    "samp": "",
    "small": "",
    "span": "",
    "strike": "",
    "strong": "",
    "sub": "",
    "sup": "",
    "table": ("summary width border frame rules cellspacing cellpadding align bgcolor"),
    "tbody": _CELL_ATTRIBUTES,
    "td": _TD_ATTRIBUTES,
    "tfoot": _CELL_ATTRIBUTES,
    "th": _TD_ATTRIBUTES,
    "thead": _CELL_ATTRIBUTES,
    "tr": "bgcolor " + _CELL_ATTRIBUTES,
    "tt": "",
    "u": "",
    "ul": "type compact",
    "var": "",
    "en-note": "bgcolor text xmlns",
    "en-media": (
        "type hash height width usemap align border hspace vspace longdesc alt"
    ),
    "en-crypt": "hint cipher length",
    "en-todo": "checked",
}

ENML_ELEMENTS = frozenset(_EXTRA_ATTRIBUTES)
XHTML_ELEMENTS = frozenset(n for n in ENML_ELEMENTS if not n.startswith("en-"))

# Elements that HTML has and ENML refuses. Validation needs no list of its
# own for them, since none is declared; it is here for code that cleans up
# HTML before storing it.
PROHIBITED_ELEMENTS = frozenset(
    "applet base basefont bgsound body button dir embed fieldset form frame "
    "frameset head html iframe ilayer input isindex label layer legend link "
    "marquee menu meta noframes noscript object optgroup option param "
    "plaintext script select style textarea xml".split()
)

_ATTRIBUTES = {
    name: frozenset(_COMMON_ATTRIBUTES + tuple(extra.split()))
    for name, extra in _EXTRA_ATTRIBUTES.items()
}
_REQUIRED_ATTRIBUTES = {"en-media": ("type", "hash"), "map": ("name",)}
_FIXED_VALUES = {("en-note", "xmlns"): ENML_NAMESPACE, ("pre", "xml:space"): "preserve"}
_ENUMERATED_VALUES = {("en-todo", "checked"): ("true", "false")}
_URL_ATTRIBUTES = frozenset({("a", "href"), ("area", "href"), ("img", "src")})

_EMPTY_ELEMENTS = frozenset({"area", "br", "col", "hr", "img", "en-media", "en-todo"})
_TEXT_ONLY_ELEMENTS = frozenset({"en-crypt"})
# Elements that end a word for search indexing; inline ones (b, span) do not.
_BLOCK_ELEMENTS = frozenset(
    "address blockquote br caption center dd div dl dt en-media en-note "
    "en-todo h1 h2 h3 h4 h5 h6 hr li ol p pre table tbody td tfoot th thead "
    "tr ul".split()
)

_MD5_HEX = re.compile(r"[0-9a-fA-F]{32}")
_URL_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*):")
# Browsers trim C0 controls and spaces around a URL and drop tabs and
# newlines inside it, so "  java\tscript:" still runs script.
_URL_TRIMMED = "".join(chr(c) for c in range(0x21))
_URL_DROPPED = str.maketrans("", "", "\t\n\r")

# The five XML predefines itself; declaring them again is an error in expat.
_XML_ENTITIES = frozenset({"amp", "lt", "gt", "quot", "apos"})
_KNOWN_ENTITIES = _XML_ENTITIES | frozenset(html.entities.name2codepoint)
_ENTITY_DECLARATIONS = "".join(
    f'<!ENTITY {name} "&#{codepoint};">'
    for name, codepoint in sorted(html.entities.name2codepoint.items())
    if name not in _XML_ENTITIES
).encode("ascii")
_RAW_START_TAG = re.compile(
    rb"""<[^\s/>]+(?:\s+[^\s=]+\s*=\s*(?:"[^"]*"|'[^']*'))*\s*/?>"""
)
_RAW_REFERENCE = re.compile(rb"&([^\s&;#<>\"'=]+);")
_RAW_ATTRIBUTE_NAME = re.compile(rb"[^\s=/>]+")

_ERRORS = expat.errors
_TAG_MISMATCH = _ERRORS.codes[_ERRORS.XML_ERROR_TAG_MISMATCH]
_NO_ELEMENTS = _ERRORS.codes[_ERRORS.XML_ERROR_NO_ELEMENTS]
_UNCLOSED = frozenset(
    _ERRORS.codes[m]
    for m in (
        _ERRORS.XML_ERROR_UNCLOSED_TOKEN,
        _ERRORS.XML_ERROR_UNCLOSED_CDATA_SECTION,
    )
)
_JUNK_AFTER_ROOT = _ERRORS.codes[_ERRORS.XML_ERROR_JUNK_AFTER_DOC_ELEMENT]
_BAD_TOKEN = frozenset(
    _ERRORS.codes[m]
    for m in (_ERRORS.XML_ERROR_INVALID_TOKEN, _ERRORS.XML_ERROR_SYNTAX)
)
_UNDEFINED_ENTITY = _ERRORS.codes[_ERRORS.XML_ERROR_UNDEFINED_ENTITY]
_ENTITY_IN_DTD = _ERRORS.codes[_ERRORS.XML_ERROR_ENTITY_DECLARED_IN_PE]
_DUPLICATE_ATTRIBUTE = _ERRORS.codes[_ERRORS.XML_ERROR_DUPLICATE_ATTRIBUTE]
_MISPLACED_XML_PI = _ERRORS.codes[_ERRORS.XML_ERROR_MISPLACED_XML_PI]


class EnmlError(ValidationError):
    """Note content is not valid ENML.

    ``message`` reads like an XML validator's and is also the ``parameter``
    (code ENML_VALIDATION) for the EDAMUserException. ``line`` and
    ``column`` (1-based, in characters) locate the problem when known.
    """

    def __init__(
        self, message: str, line: int | None = None, column: int | None = None
    ) -> None:
        super().__init__(ENML_VALIDATION, message, message)
        self.line = line
        self.column = column


@dataclass(frozen=True)
class EnmlDocument:
    """What the service needs from a validated note body.

    ``media_hashes`` lists each ``en-media`` hash as lowercase hex in
    document order, repeats included. ``plain_text`` is the text content for
    search indexing, without ``en-crypt`` ciphertext, whitespace collapsed
    to single spaces and block elements acting as word breaks.
    """

    media_hashes: tuple[str, ...]
    has_checked_todo: bool
    has_unchecked_todo: bool
    has_encryption: bool
    plain_text: str

    @property
    def has_todo(self) -> bool:
        return self.has_checked_todo or self.has_unchecked_todo


def validate_enml(content: str) -> EnmlDocument:
    """Validate ``content`` as ENML and return what the service indexes.

    Runs in the calling thread, CPU only: nothing is fetched or opened.
    Raises EnmlError for content that is not well-formed XML, uses an
    undeclared entity, element or attribute, misses a required attribute,
    or has a DOCTYPE with an internal subset. Callers check the length limit
    (validation.check_note_content) first.
    """
    try:
        return _Validator(content).run()
    except EnmlError as err:
        log.debug("ENML rejected: %s", err.message)
        raise


class _Validator:
    """One parse of one document; expat calls the ``_on_*`` methods."""

    def __init__(self, content: str) -> None:
        # Lone surrogates survive encoding so that expat, not Python,
        # reports them as not well-formed.
        self._data = content.encode("utf-8", "surrogatepass")
        self._parser = self._create_parser()
        self._stack: list[str] = []
        self._started = False
        self._doctype_name: str | None = None
        # expat drops undeclared entities in attribute values silently, so
        # start tags are rescanned when the document holds any unknown name.
        self._scan_start_tags = _has_unknown_reference(self._data)
        self._hashes: list[str] = []
        self._todo_states: set[bool] = set()
        self._has_encryption = False
        self._text: list[str] = []

    def run(self) -> EnmlDocument:
        try:
            self._parser.Parse(self._data, True)
        except expat.ExpatError as err:
            raise self._syntax_error(err) from err
        return EnmlDocument(
            media_hashes=tuple(self._hashes),
            has_checked_todo=True in self._todo_states,
            has_unchecked_todo=False in self._todo_states,
            has_encryption=self._has_encryption,
            plain_text=" ".join("".join(self._text).split()),
        )

    def _create_parser(self) -> "expat.XMLParserType":
        # The content arrived as Unicode and is fed as UTF-8, whatever
        # encoding its XML declaration claims.
        parser = expat.ParserCreate(encoding="UTF-8")
        parser.buffer_text = True
        # The DTD is always "loaded", but from our own declarations; see
        # _on_external_entity. Without a DOCTYPE the foreign DTD stands in.
        parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_ALWAYS)
        parser.UseForeignDTD(True)
        parser.StartDoctypeDeclHandler = self._on_doctype
        parser.ExternalEntityRefHandler = self._on_external_entity
        parser.SkippedEntityHandler = self._on_skipped_entity
        parser.StartElementHandler = self._on_start
        parser.EndElementHandler = self._on_end
        parser.CharacterDataHandler = self._on_text
        return parser

    def _on_doctype(
        self, name: str, system_id: str, public_id: str, has_internal_subset: int
    ) -> None:
        # expat reports the DOCTYPE before reading any of its internal subset,
        # so no declaration in it is ever processed.
        if has_internal_subset:
            self._fail(
                f'The document type declaration for root element type "{name}" '
                "must not contain markup declarations."
            )
        self._doctype_name = name

    def _on_external_entity(
        self, context: str | None, base: str, system_id: str, public_id: str
    ) -> int:
        # Only the DTD reaches here: general external entities need a
        # declaration, and declarations are refused in _on_doctype.
        if context is not None:
            self._fail("External entities are not allowed.")
        dtd_parser = self._parser.ExternalEntityParserCreate(None)
        dtd_parser.Parse(_ENTITY_DECLARATIONS, True)
        return 1

    def _on_skipped_entity(self, name: str, is_parameter_entity: int) -> None:
        self._fail(f'The entity "{name}" was referenced, but not declared.')

    def _on_start(self, name: str, attributes: dict[str, str]) -> None:
        if self._scan_start_tags:
            self._check_start_tag_references()
        if name not in _ATTRIBUTES:
            self._fail(f'Element type "{name}" must be declared.')
        if self._stack:
            self._check_child(self._stack[-1], name)
        else:
            self._check_root(name)
        self._check_attributes(name, attributes)
        self._record(name, attributes)
        self._stack.append(name)
        self._started = True

    def _on_end(self, name: str) -> None:
        self._stack.pop()
        if name in _BLOCK_ELEMENTS:
            self._text.append(" ")

    def _on_text(self, data: str) -> None:
        parent = self._stack[-1]
        if parent in _EMPTY_ELEMENTS:
            self._fail_content(parent, "EMPTY")
        if parent not in _TEXT_ONLY_ELEMENTS:
            self._text.append(data)

    def _check_root(self, name: str) -> None:
        # A DOCTYPE naming another root is wrong twice; report the mismatch
        # first, as a validator would.
        for expected in (self._doctype_name, "en-note"):
            if expected is not None and name != expected:
                self._fail(
                    f'Document root element "{name}", must match DOCTYPE root '
                    f'"{expected}".'
                )

    def _check_child(self, parent: str, name: str) -> None:
        if parent in _EMPTY_ELEMENTS:
            self._fail_content(parent, "EMPTY")
        if parent in _TEXT_ONLY_ELEMENTS:
            self._fail_content(parent, "(#PCDATA)")
        if name == "en-note":
            self._fail(
                f'Element type "en-note" must not appear inside element type '
                f'"{parent}"; it is only allowed as the root element.'
            )

    def _check_attributes(self, name: str, attributes: dict[str, str]) -> None:
        allowed = _ATTRIBUTES[name]
        for attribute, value in attributes.items():
            if attribute not in allowed:
                self._fail(
                    f'Attribute "{attribute}" must be declared for element '
                    f'type "{name}".'
                )
            self._check_value(name, attribute, value)
        for attribute in _REQUIRED_ATTRIBUTES.get(name, ()):
            if attribute not in attributes:
                self._fail(
                    f'Attribute "{attribute}" is required and must be specified '
                    f'for element type "{name}".'
                )

    def _check_value(self, name: str, attribute: str, value: str) -> None:
        key = (name, attribute)
        if key in _FIXED_VALUES and value != _FIXED_VALUES[key]:
            self._fail(
                f'Attribute "{attribute}" with value "{_shorten(value)}" must '
                f'have a value of "{_FIXED_VALUES[key]}".'
            )
        if key in _ENUMERATED_VALUES and value not in _ENUMERATED_VALUES[key]:
            self._fail(
                f'Attribute "{attribute}" with value "{_shorten(value)}" must '
                f'have a value from the list "{" ".join(_ENUMERATED_VALUES[key])}".'
            )
        if key in _URL_ATTRIBUTES and not _is_permitted_url(value):
            self._fail(
                f'Attribute "{attribute}" with value "{_shorten(value)}" uses a '
                f'URL scheme that is not permitted for element type "{name}".'
            )
        if key == ("en-media", "hash") and not _MD5_HEX.fullmatch(value):
            self._fail(
                f'Attribute "hash" with value "{_shorten(value)}" must be 32 '
                'hexadecimal digits for element type "en-media".'
            )

    def _record(self, name: str, attributes: dict[str, str]) -> None:
        if name in _BLOCK_ELEMENTS:
            self._text.append(" ")
        if name == "en-media":
            self._hashes.append(attributes["hash"].lower())
        elif name == "en-todo":
            self._todo_states.add(attributes.get("checked") == "true")
        elif name == "en-crypt":
            self._has_encryption = True

    def _check_start_tag_references(self) -> None:
        tag = _RAW_START_TAG.match(self._data, self._parser.CurrentByteIndex)
        if tag is None:
            return
        for reference in _RAW_REFERENCE.finditer(tag.group()):
            name = reference.group(1).decode("utf-8", "replace")
            if name not in _KNOWN_ENTITIES:
                self._fail(f'The entity "{name}" was referenced, but not declared.')

    def _syntax_error(self, err: expat.ExpatError) -> EnmlError:
        message = self._describe_syntax_error(err, self._parser.ErrorByteIndex)
        return EnmlError(message, err.lineno, err.offset + 1)

    def _describe_syntax_error(self, err: expat.ExpatError, index: int) -> str:
        # Map expat's terse reasons onto the validator wording clients know;
        # anything unusual keeps expat's reason and the position.
        code = err.code
        if code == _TAG_MISMATCH and self._stack:
            top = self._stack[-1]
            return (
                f'The element type "{top}" must be terminated by the matching '
                f'end-tag "</{top}>".'
            )
        if code == _NO_ELEMENTS and not self._started:
            return "Premature end of file."
        if code == _NO_ELEMENTS or code in _UNCLOSED:
            return "XML document structures must start and end within the same entity."
        if code in _BAD_TOKEN and not self._started and _is_text(self._data, index):
            return "Content is not allowed in prolog."
        if code in _DESCRIBERS:
            return _DESCRIBERS[code](self._data, index)
        return (
            f"Content is not well-formed XML ({_ERRORS.messages[code]}) "
            f"at line {err.lineno}, column {err.offset + 1}."
        )

    def _fail_content(self, name: str, model: str) -> NoReturn:
        self._fail(f'The content of element type "{name}" must match "{model}".')

    def _fail(self, message: str) -> NoReturn:
        parser = self._parser
        raise EnmlError(
            message, parser.CurrentLineNumber, parser.CurrentColumnNumber + 1
        )


def _has_unknown_reference(data: bytes) -> bool:
    # A cheap over-estimate: references inside comments and CDATA count too.
    names = {name.decode("utf-8", "replace") for name in _RAW_REFERENCE.findall(data)}
    return not names <= _KNOWN_ENTITIES


def _is_permitted_url(value: str) -> bool:
    url = value.strip(_URL_TRIMMED).translate(_URL_DROPPED)
    scheme = _URL_SCHEME.match(url)
    # No scheme means a relative reference or a fragment, which is harmless.
    return scheme is None or scheme.group(1).lower() in PERMITTED_URL_SCHEMES


def _is_text(data: bytes, index: int) -> bool:
    # Text, rather than broken markup, between the last ">" and the error.
    start = data.rfind(b">", 0, max(index, 0)) + 1
    before = data[start : max(index, 0)]
    at = data[index : index + 1] if index >= 0 else b""
    if b"<" in before:
        return False
    return bool(before.strip()) or (at not in (b"", b"<") and not at.isspace())


def _describe_trailing(data: bytes, index: int) -> str:
    if data[index : index + 1] == b"<":
        return (
            "The markup in the document following the root element must be well-formed."
        )
    return "Content is not allowed in trailing section."


def _describe_undefined_entity(data: bytes, index: int) -> str:
    name = _name_at(_RAW_REFERENCE, data, index)
    return f'The entity "{name}" was referenced, but not declared.'


def _describe_standalone_entity(data: bytes, index: int) -> str:
    name = _name_at(_RAW_REFERENCE, data, index)
    return (
        f'The reference to entity "{name}" declared in an external parsed '
        "entity is not permitted in a standalone document."
    )


def _describe_misplaced_declaration(data: bytes, index: int) -> str:
    return 'The processing instruction target matching "[xX][mM][lL]" is not allowed.'


def _describe_duplicate_attribute(data: bytes, index: int) -> str:
    # Attribute values cannot hold "<", so the last one opens this tag.
    element = _name_at(_RAW_ATTRIBUTE_NAME, data, data.rfind(b"<", 0, index) + 1)
    attribute = _name_at(_RAW_ATTRIBUTE_NAME, data, index)
    return f'Attribute "{attribute}" was already specified for element "{element}".'


def _name_at(pattern: re.Pattern, data: bytes, index: int) -> str:
    match = pattern.match(data, max(index, 0))
    if match is None:
        return ""
    return match.group(match.lastindex or 0).decode("utf-8", "replace")


_DESCRIBERS = {
    _JUNK_AFTER_ROOT: _describe_trailing,
    _UNDEFINED_ENTITY: _describe_undefined_entity,
    _ENTITY_IN_DTD: _describe_standalone_entity,
    _MISPLACED_XML_PI: _describe_misplaced_declaration,
    _DUPLICATE_ATTRIBUTE: _describe_duplicate_attribute,
}


def _shorten(value: str, limit: int = 64) -> str:
    # Values are echoed in the error; a 5 MB data: URL should not be.
    return value if len(value) <= limit else value[: limit - 3] + "..."
