"""The JSON documents of app extensions: a JSON panel's data structure, a JSON modal's schema, and
the answer a JSON panel's endpoint gives (fact sheet §1.7 and §1.8).

The rules are JSON Schema (Draft 2020-12) documents, `PANEL_SCHEMA_RULES` and `MODAL_SCHEMA_RULES`,
so they can be published to developers as they are; an endpoint's answer is checked against rules
derived from the panel's own data structure. What JSON Schema cannot say (at most one header per
object, `required` naming declared fields once) is checked here in Python. Every problem is
reported at once, each with a JSON path ("$", "$.properties.amount", "$.data[2].status"), sorted by
path; no JSON input raises.

Choices where the fact sheet is vague:
- Field, block and action keys are 1-64 ASCII letters, digits, underscores or hyphens.
- A panel declares `type` and its fields (`properties`, or `items` for `"type": "array"`), with at
  least one field. `items` takes `type` ("object"), `properties`, `required`, `additionalProperties`
  (false), `title` and `description`; a multi-object panel's `required` goes inside `items`.
  `markdown` is a boolean, and only on text fields. A field `label` may be empty.
- A modal block's `visibleOn` is "never" (hidden metadata) or an object of conditions on other
  blocks, whose content is not checked, nor is a block's `options`. A button's `handler` is
  optional, but "open-url" needs a `url`; a `url` is an https URL of at most 2048 characters.
  `actions` may be empty, and how many primary or secondary buttons a modal has is not checked.
- An answer's `data` is an object for a single-object panel and a list of at most
  `MAX_PANEL_OBJECTS` objects for a multi-object one. Each object of a list must carry its header;
  the panel's `required` fields must be present unless `data` is an empty object ("Nothing to
  show"). A value is never null. Numbers are JSON numbers (not text, not true/false). A date is
  YYYY-MM-DD; a time HH:MM or HH:MM:SS; a date-time a date, "T" or a space, HH:MM and whatever
  else `datetime.fromisoformat` reads (seconds, fractions, "Z" or an offset). An email is text
  around exactly one "@", without spaces. A currency code is three capital letters (the ISO 4217
  list itself is not checked); a link's URL is not checked.
- A document nested more than 64 levels deep gets a single problem where it goes too deep, and
  one holding more than 20,000 values (all levels together) a single problem at "$": no extension
  needs that much, error messages must not recurse without bound, and 100,000 fields take seconds
  to check.
- An undeclared key is reported at its own path ("$.blocks.note.colour"), not at its parent's. A
  key that is not plain letters, digits, "_", "-" or "$" is written `["a key"]` in a path, and
  one longer than 100 characters is cut short there.
- `panel_data_problems` with a panel data structure that has problems of its own answers a single
  problem at "$": the caller is expected to have checked the structure when it was uploaded.
"""

from __future__ import annotations

import json
import re
import reprlib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol
from urllib.parse import urlsplit

# jsonschema ships neither type hints nor a py.typed marker; the few attributes used here are
# typed by the `_Validator` and `_Error` protocols below.
from jsonschema import Draft202012Validator, FormatChecker  # type: ignore[import-untyped]

__all__ = [
    "MAX_MODAL_BLOCKS",
    "MAX_PANEL_FIELDS",
    "MAX_PANEL_OBJECTS",
    "MODAL_SCHEMA_RULES",
    "PANEL_SCHEMA_RULES",
    "SchemaProblem",
    "modal_schema_problems",
    "panel_data_problems",
    "panel_schema_problems",
]

MAX_MODAL_BLOCKS = 10  # action buttons and the modal's header are not blocks
MAX_PANEL_OBJECTS = 10
MAX_PANEL_FIELDS = 20  # per object, not counting its header
_MAX_LABEL_LENGTH = 40
_MAX_URL_LENGTH = 2048
_MAX_DEPTH = 64
_MAX_VALUES = 20_000  # keys' values and list items, all levels together

_DRAFT = "https://json-schema.org/draft/2020-12/schema"
_REF_PREFIX = "#/definitions/"
# `$` also matches before a final line feed in Python's `re`; this lookahead means "end of text"
# in Python and in ECMA-262 alike, so the published rules read the same everywhere.
_END_OF_TEXT = r"(?![\s\S])"
_KEY_PATTERN = r"^[A-Za-z0-9_-]{1,64}" + _END_OF_TEXT
_EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+" + _END_OF_TEXT
_CURRENCY_CODE_PATTERN = r"^[A-Z]{3}" + _END_OF_TEXT
_HTTPS_PATTERN = "^https://"

_FIELD_TYPES = (
    "text",
    "numerical",
    "date",
    "time",
    "date-time",
    "email",
    "link",
    "phone",
    "address",
    "currency",
    "label",
    "tags",
    "header",
)
_FIELD_REFS = tuple(_REF_PREFIX + kind for kind in _FIELD_TYPES)
_HEADER_REF = _REF_PREFIX + "header"
_TEXT_REF = _REF_PREFIX + "text"
_PANEL_KINDS = ("object", "array")
_LABEL_COLORS = ("green", "red", "blue", "yellow", "purple", "grey")
_BLOCK_REFS = tuple(
    _REF_PREFIX + "element-" + name
    for name in (
        "text",
        "input",
        "textarea",
        "select",
        "datepicker",
        "checkbox-group",
        "radio-group",
        "separator",
    )
)
_ACTION_REFS = (_REF_PREFIX + "action-primary", _REF_PREFIX + "action-secondary")
_HANDLERS = ("request", "cancel", "open-url")

_HTTPS_URL: dict[str, Any] = {
    "type": "string",
    "maxLength": _MAX_URL_LENGTH,
    "pattern": _HTTPS_PATTERN,
    "format": "uri",
}
_IS_HEADER: dict[str, Any] = {
    "type": "object",
    "required": ["$ref"],
    "properties": {"$ref": {"const": _HEADER_REF}},
}
_NO_HEADER: dict[str, Any] = {"additionalProperties": {"not": _IS_HEADER}}
# A key refused where it stands. Not the `false` schema: jsonschema reports that one at the
# parent's path, without the key.
_FORBIDDEN: dict[str, Any] = {"not": {}}
_TEXTS: dict[str, Any] = {"type": "array", "items": {"type": "string"}}

PANEL_SCHEMA_RULES: dict[str, Any] = {
    "$schema": _DRAFT,
    "title": "JSON panel data structure",
    "description": "A single-object panel (type object) or a multi-object panel (type array).",
    "type": "object",
    "required": ["type"],
    "properties": {
        "$schema": {"type": "string"},
        "type": {"enum": list(_PANEL_KINDS)},
        "properties": {"$ref": "#/$defs/fields"},
        "items": {"$ref": "#/$defs/object"},
        "required": _TEXTS,
        "additionalProperties": {"const": False},
        "definitions": {"type": "object"},
        "title": {"type": "string"},
        "description": {"type": "string"},
    },
    "additionalProperties": False,
    "if": {"required": ["type"], "properties": {"type": {"const": "array"}}},
    "then": {
        "required": ["items"],
        "properties": {"properties": _FORBIDDEN, "required": _FORBIDDEN},
    },
    "else": {"required": ["properties"], "properties": {"items": _FORBIDDEN}},
    "$defs": {
        "object": {
            "description": "One object of a multi-object panel: it needs a header field.",
            "type": "object",
            "required": ["type", "properties"],
            "properties": {
                "type": {"const": "object"},
                "properties": {
                    "$ref": "#/$defs/fields",
                    "not": {"type": "object", **_NO_HEADER},
                },
                "required": _TEXTS,
                "additionalProperties": {"const": False},
                "title": {"type": "string"},
                "description": {"type": "string"},
            },
            "additionalProperties": False,
        },
        "fields": {
            "$comment": "At most one header per object is checked outside JSON Schema.",
            "type": "object",
            "minProperties": 1,
            "propertyNames": {"pattern": _KEY_PATTERN},
            "additionalProperties": {"$ref": "#/$defs/field"},
            "if": _NO_HEADER,
            "then": {"maxProperties": MAX_PANEL_FIELDS},
            "else": {"maxProperties": MAX_PANEL_FIELDS + 1},
        },
        "field": {
            "type": "object",
            "required": ["$ref"],
            "properties": {
                "$ref": {"enum": list(_FIELD_REFS)},
                "label": {"type": "string", "maxLength": _MAX_LABEL_LENGTH},
                "markdown": {"type": "boolean"},
            },
            "additionalProperties": False,
            "if": {"properties": {"$ref": {"const": _TEXT_REF}}},
            "else": {"properties": {"markdown": _FORBIDDEN}},
        },
    },
}

MODAL_SCHEMA_RULES: dict[str, Any] = {
    "$schema": _DRAFT,
    "title": "JSON modal schema",
    "type": "object",
    "required": ["blocks"],
    "properties": {
        "$schema": {"type": "string"},
        "blocks": {
            "type": "object",
            "minProperties": 1,
            "maxProperties": MAX_MODAL_BLOCKS,
            "propertyNames": {"pattern": _KEY_PATTERN},
            "additionalProperties": {"$ref": "#/$defs/block"},
        },
        "actions": {
            "type": "object",
            "propertyNames": {"pattern": _KEY_PATTERN},
            "additionalProperties": {"$ref": "#/$defs/action"},
        },
        "definitions": {"type": "object"},
    },
    "additionalProperties": False,
    "$defs": {
        "block": {
            "type": "object",
            "required": ["$ref"],
            "properties": {
                "$ref": {"enum": list(_BLOCK_REFS)},
                "options": {"type": "object"},
                "visibleOn": {
                    "type": ["string", "object"],
                    "if": {"type": "string"},
                    "then": {"const": "never"},
                },
            },
            "additionalProperties": False,
        },
        "action": {
            "type": "object",
            "required": ["$ref"],
            "properties": {
                "$ref": {"enum": list(_ACTION_REFS)},
                "handler": {"enum": list(_HANDLERS)},
                "label": {"type": "string"},
                "url": _HTTPS_URL,
                "options": {"type": "object"},
            },
            "additionalProperties": False,
            "if": {"required": ["handler"], "properties": {"handler": {"const": "open-url"}}},
            "then": {"required": ["url"]},
        },
    },
}

_STRING: dict[str, Any] = {"type": "string"}
_NUMBER: dict[str, Any] = {"type": "number"}
# What a value of each field type must look like in an endpoint's answer.
_VALUE_RULES: dict[str, dict[str, Any]] = {
    "text": _STRING,
    "numerical": _NUMBER,
    "date": {"type": "string", "format": "panel-date"},
    "time": {"type": "string", "format": "panel-time"},
    "date-time": {"type": "string", "format": "panel-date-time"},
    "email": {"type": "string", "pattern": _EMAIL_PATTERN},
    "link": {
        "type": ["string", "object"],
        "if": {"type": "object"},
        "then": {
            "required": ["value"],
            "properties": {"value": _STRING, "label": _STRING, "external": {"type": "boolean"}},
            "additionalProperties": False,
        },
    },
    "phone": _STRING,
    "address": _STRING,
    "currency": {
        "type": "object",
        "required": ["code", "value"],
        "properties": {
            "code": {"type": "string", "pattern": _CURRENCY_CODE_PATTERN},
            "value": _NUMBER,
        },
        "additionalProperties": False,
    },
    "label": {
        "type": "object",
        "required": ["color", "label"],
        "properties": {"color": {"enum": list(_LABEL_COLORS)}, "label": _STRING},
        "additionalProperties": False,
    },
    "tags": _TEXTS,
    "header": _STRING,
}


@dataclass(frozen=True)
class SchemaProblem:
    """One thing to fix, at a JSON path inside the checked document."""

    path: str  # "$", "$.properties.amount", "$.blocks.note.$ref", "$.data[2].status"
    message: str  # one short sentence for the developer


class _Error(Protocol):
    """The part of `jsonschema.ValidationError` read here."""

    @property
    def validator(self) -> str | None: ...  # the failing keyword; None for a `false` schema
    @property
    def validator_value(self) -> object: ...
    @property
    def instance(self) -> object: ...
    @property
    def schema(self) -> object: ...
    @property
    def absolute_path(self) -> Sequence[str | int]: ...
    @property
    def message(self) -> str: ...


class _Validator(Protocol):
    def iter_errors(self, instance: object) -> Iterable[_Error]: ...


_Path = tuple[str | int, ...]
_Found = list[tuple[_Path, str]]
# A document kind's own wording for an error at a path; None leaves it to `_plain_message`.
_Wording = Callable[[_Error, _Path], str | None]

_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_TIME = re.compile(r"([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?")
_DATE_TIME_START = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}")
_NON_PRINTING = re.compile(r"[\x00-\x20\x7f]")


def _is_date(value: object) -> bool:
    if not isinstance(value, str):
        return True  # the "type" rule speaks for other values
    if not _DATE.fullmatch(value):
        return False
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


def _is_time(value: object) -> bool:
    return not isinstance(value, str) or _TIME.fullmatch(value) is not None


def _is_date_time(value: object) -> bool:
    if not isinstance(value, str):
        return True
    if not _DATE_TIME_START.match(value):
        return False
    try:
        datetime.fromisoformat(value)
    except ValueError:
        return False
    return True


def _is_absolute_url(value: object) -> bool:
    if not isinstance(value, str):
        return True
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises ValueError on a malformed port
    except ValueError:
        return False
    return bool(parts.scheme and parts.hostname) and not _NON_PRINTING.search(value)


_FORMATS = FormatChecker(formats=())
_FORMATS.checks("panel-date")(_is_date)
_FORMATS.checks("panel-time")(_is_time)
_FORMATS.checks("panel-date-time")(_is_date_time)
_FORMATS.checks("uri")(_is_absolute_url)


def _validator_for(rules: Mapping[str, Any]) -> _Validator:
    validator: _Validator = Draft202012Validator(rules, format_checker=_FORMATS)
    return validator


_PANEL_VALIDATOR = _validator_for(PANEL_SCHEMA_RULES)
_MODAL_VALIDATOR = _validator_for(MODAL_SCHEMA_RULES)

_SHORT = reprlib.Repr()
_SHORT.maxstring = 60
_SHORT.maxother = 60
_SHORT.maxlevel = 2
_TYPE_WORDS = {
    "string": "a string",
    "number": "a number",
    "integer": "a whole number",
    "boolean": "true or false",
    "object": "an object",
    "array": "a list",
    "null": "null",
}
_ENUM_WORDING = {
    _FIELD_REFS: "Unknown field type {value}",
    _BLOCK_REFS: "Unknown block type {value}",
    _ACTION_REFS: "Unknown button type {value}: use action-primary or action-secondary",
    _HANDLERS: "Unknown handler {value}: use request, cancel or open-url",
    _LABEL_COLORS: "Unknown color {value}: use green, red, blue, yellow, purple or grey",
    _PANEL_KINDS: 'Must be "object" (single-object panel) or "array" (multi-object panel)',
}
_PATTERN_WORDING = {
    _EMAIL_PATTERN: "Must be an email address",
    _CURRENCY_CODE_PATTERN: "Must be a three-letter currency code in capitals, like EUR",
    _HTTPS_PATTERN: "Must be an https URL",
}
_FORMAT_WORDING = {
    "panel-date": "Must be a date like 2024-05-31",
    "panel-time": "Must be a time like 14:30 or 14:30:15",
    "panel-date-time": "Must be a date and time like 2024-05-31T14:30:00Z",
    "uri": "Must be an https URL",
}
_PLAIN_KEY = re.compile(r"[A-Za-z0-9_$-]+")
_MAX_KEY_IN_PATH = 100
_MAX_MESSAGE = 200


def panel_schema_problems(document: object) -> list[SchemaProblem]:
    """What is wrong with a JSON panel's data structure; empty when it can be used."""
    return _problems(
        _PANEL_VALIDATOR,
        document,
        not_an_object="A panel's data structure must be a JSON object",
        wording=_panel_wording,
        more_checks=_panel_field_checks,
    )


def modal_schema_problems(document: object) -> list[SchemaProblem]:
    """What is wrong with a JSON modal's schema; empty when it can be used."""
    return _problems(
        _MODAL_VALIDATOR,
        document,
        not_an_object="A modal's schema must be a JSON object",
        wording=_modal_wording,
    )


def panel_data_problems(panel_schema: dict[str, Any], answer: object) -> list[SchemaProblem]:
    """What is wrong with a panel endpoint's answer, judged by the panel's data structure."""
    if panel_schema_problems(panel_schema):
        return [SchemaProblem("$", "The panel's data structure has problems; fix those first")]
    multi = panel_schema["type"] == "array"

    def wording(error: _Error, path: _Path) -> str | None:
        if error.validator == "additionalProperties" and _is_data_object(path[:-1]):
            return f"{_show(path[-1])} is not a declared field"
        if error.validator == "type" and path == ("data",):
            if multi:
                return "Must be a list of objects (multi-object panel)"
            return "Must be an object (single-object panel)"
        if error.validator == "maxItems" and path == ("data",):
            return f"At most {MAX_PANEL_OBJECTS} objects"
        return None

    return _problems(
        _validator_for(_answer_rules(panel_schema)),
        answer,
        not_an_object='The answer must be a JSON object with a "data" key',
        wording=wording,
    )


def _answer_rules(panel_schema: Mapping[str, Any]) -> dict[str, Any]:
    """JSON Schema for an endpoint's answer, derived from a valid panel data structure."""
    multi = panel_schema["type"] == "array"
    declaration: Mapping[str, Any] = panel_schema["items"] if multi else panel_schema
    fields: Mapping[str, Mapping[str, Any]] = declaration["properties"]
    kinds = {key: str(field["$ref"]).removeprefix(_REF_PREFIX) for key, field in fields.items()}
    required = [str(name) for name in declaration.get("required", ())]
    one_object: dict[str, Any] = {
        "type": "object",
        "properties": {key: _VALUE_RULES[kind] for key, kind in kinds.items()},
        "additionalProperties": False,
    }
    if multi:
        headers = [key for key, kind in kinds.items() if kind == "header"]
        one_object["required"] = list(dict.fromkeys([*headers, *required]))
        data: dict[str, Any] = {"type": "array", "maxItems": MAX_PANEL_OBJECTS, "items": one_object}
    else:
        if required:  # an empty object is "Nothing to show"
            one_object["if"] = {"minProperties": 1}
            one_object["then"] = {"required": required}
        data = one_object
    return {
        "$schema": _DRAFT,
        "type": "object",
        "required": ["data"],
        "properties": {
            "data": data,
            "external_link": {
                "type": "object",
                "required": ["url"],
                "properties": {"url": _HTTPS_URL, "label": _STRING},
                "additionalProperties": False,
            },
            "settings": {
                "type": "object",
                "required": ["url"],
                "properties": {"url": _HTTPS_URL},
                "additionalProperties": False,
            },
        },
        "additionalProperties": False,
    }


def _is_data_object(path: _Path) -> bool:
    return path == ("data",) or (len(path) == 2 and path[0] == "data" and isinstance(path[1], int))


def _panel_wording(error: _Error, path: _Path) -> str | None:
    keyword = error.validator
    if keyword == "not" and path == ("items", "properties"):
        return "Every object of a multi-object panel needs one field of type header"
    if keyword == "maxProperties":
        return f"At most {MAX_PANEL_FIELDS} fields, not counting the header"
    if keyword == "minProperties":
        return "Declare at least one field"
    if keyword == "const" and error.validator_value is False:
        return "Must be false: undeclared keys break the panel"
    if keyword == "not" and path == ("properties",):
        return "A multi-object panel declares its fields under 'items'"
    if keyword == "not" and path == ("required",):
        return "A multi-object panel lists required fields under 'items'"
    if keyword == "not" and path == ("items",):
        return "'items' is only for a multi-object panel (type array)"
    if keyword == "not" and path[-1:] == ("markdown",):
        return "'markdown' is only for text fields"
    return None


def _modal_wording(error: _Error, path: _Path) -> str | None:
    keyword = error.validator
    if keyword == "maxProperties" and path == ("blocks",):
        return f"At most {MAX_MODAL_BLOCKS} blocks"
    if keyword == "minProperties" and path == ("blocks",):
        return "At least one block"
    if path[-1:] == ("visibleOn",) and keyword in ("const", "type"):
        return 'Must be "never" or an object of conditions'
    return None


def _panel_field_checks(document: Mapping[str, Any]) -> _Found:
    """At most one header per object, and `required` naming declared fields once."""
    found: _Found = []
    places: list[tuple[_Path, object]] = [((), document), (("items",), document.get("items"))]
    for where, declaration in places:
        if not isinstance(declaration, Mapping):
            continue
        fields = declaration.get("properties")
        if not isinstance(fields, Mapping):
            continue
        headers = [
            key
            for key, field in fields.items()
            if isinstance(field, Mapping) and field.get("$ref") == _HEADER_REF
        ]
        for extra in headers[1:]:
            message = f"Only one header per object: {_show(headers[0])} is already the header"
            found.append(((*where, "properties", extra, "$ref"), message))
        required = declaration.get("required")
        if not isinstance(required, list):
            continue
        seen: set[str] = set()
        for index, name in enumerate(required):
            if not isinstance(name, str):
                continue
            if name not in fields:
                found.append(
                    ((*where, "required", index), f"{_show(name)} is not a declared field")
                )
            elif name in seen:
                found.append(((*where, "required", index), f"{_show(name)} is listed twice"))
            seen.add(name)
    return found


def _problems(
    validator: _Validator,
    document: object,
    *,
    not_an_object: str,
    wording: _Wording,
    more_checks: Callable[[Mapping[str, Any]], _Found] | None = None,
) -> list[SchemaProblem]:
    if not isinstance(document, dict):
        return [SchemaProblem("$", not_an_object)]
    out_of_bounds = _out_of_bounds(document)
    if out_of_bounds is not None:
        return [out_of_bounds]
    found: _Found = []
    for error in validator.iter_errors(document):
        found.extend(_explain(error, wording))
    if more_checks is not None:
        found.extend(more_checks(document))
    unique = dict.fromkeys(found)  # one problem can fail more than one rule the same way
    return [
        SchemaProblem(_json_path(path), message)
        for path, message in sorted(unique, key=lambda problem: _path_order(problem[0]))
    ]


def _explain(error: _Error, wording: _Wording) -> _Found:
    path = tuple(error.absolute_path)
    instance = error.instance
    if error.validator == "additionalProperties" and isinstance(instance, dict):
        schema = error.schema
        declared = schema.get("properties", {}) if isinstance(schema, dict) else {}
        found: _Found = []
        for key in instance:
            if key not in declared:
                where = (*path, str(key))
                found.append((where, wording(error, where) or f"{_show(key)} is not allowed here"))
        return found
    if error.validator == "required" and isinstance(instance, dict):
        names = error.validator_value if isinstance(error.validator_value, list) else []
        return [(path, f"{_show(name)} is required") for name in names if name not in instance]
    if error.validator == "pattern" and error.validator_value == _KEY_PATTERN:
        message = "Keys are 1 to 64 letters, digits, underscores or hyphens"
        return [((*path, str(instance)), message)]
    return [(path, wording(error, path) or _plain_message(error, path))]


def _plain_message(error: _Error, path: _Path) -> str:
    keyword, value = error.validator, error.validator_value
    if keyword is None or (keyword == "not" and value == {}):  # `false`, or `_FORBIDDEN`
        return f"{_show(path[-1])} is not allowed here" if path else "Not allowed here"
    if keyword == "type":
        kinds = [value] if isinstance(value, str) else value if isinstance(value, list) else []
        return "Must be " + " or ".join(_TYPE_WORDS.get(str(kind), str(kind)) for kind in kinds)
    if keyword == "enum" and isinstance(value, list):
        options = tuple(str(option) for option in value)
        template = _ENUM_WORDING.get(options)
        if template is not None:
            return template.format(value=_show(error.instance))
        return f"{_show(error.instance)} is not one of: {', '.join(options)}"
    if keyword == "const":
        return f"Must be {json.dumps(value)}"
    if keyword == "pattern" and isinstance(value, str) and value in _PATTERN_WORDING:
        return _PATTERN_WORDING[value]
    if keyword == "format" and isinstance(value, str) and value in _FORMAT_WORDING:
        return _FORMAT_WORDING[value]
    if keyword == "maxLength":
        return f"At most {value} characters"
    if keyword == "maxItems":
        return f"At most {value} items"
    if keyword == "maxProperties":
        return f"At most {value} entries"
    if keyword == "minProperties":
        return "Must not be empty"
    message = error.message  # a keyword these rules do not use: the library's own words, cut short
    return message if len(message) <= _MAX_MESSAGE else message[:_MAX_MESSAGE] + "…"


def _out_of_bounds(document: object) -> SchemaProblem | None:
    """Too deep or too many values, found without recursion; a part shared in memory counts once."""
    seen: set[int] = set()
    values = 1
    stack: list[tuple[object, _Path]] = [(document, ())]
    while stack:
        value, path = stack.pop()
        if len(path) > _MAX_DEPTH:
            return SchemaProblem(_json_path(path), f"Nested more than {_MAX_DEPTH} levels deep")
        if not isinstance(value, dict | list) or id(value) in seen:
            continue
        seen.add(id(value))
        values += len(value)
        if values > _MAX_VALUES:
            return SchemaProblem("$", f"Too large: more than {_MAX_VALUES} values")
        children = value.items() if isinstance(value, dict) else enumerate(value)
        stack.extend((child, (*path, key)) for key, child in children)
    return None


def _path_order(path: _Path) -> tuple[tuple[int, int, str], ...]:
    return tuple((0, step, "") if isinstance(step, int) else (1, 0, str(step)) for step in path)


def _json_path(path: _Path) -> str:
    parts = ["$"]
    for step in path:
        if isinstance(step, int):
            parts.append(f"[{step}]")
            continue
        key = str(step)  # keys are strings in JSON; a Python caller may pass others
        if len(key) > _MAX_KEY_IN_PATH:
            parts.append(f"[{json.dumps(key[:_MAX_KEY_IN_PATH] + '…', ensure_ascii=False)}]")
        elif _PLAIN_KEY.fullmatch(key):
            parts.append(f".{key}")
        else:
            parts.append(f"[{json.dumps(key, ensure_ascii=False)}]")
    return "".join(parts)


def _show(value: object) -> str:
    """A value as a message quotes it: repr-like, and short whatever its size."""
    return _SHORT.repr(value)
