"""Extract what update-spec.yaml names from a full upstream OpenAI spec.

    python -m tools.update_spec UPSTREAM.yaml [--output openapi.yaml] [--commit SHA]

Writes a self-contained OpenAPI document: every operation of the named tags (upstream path
order), the named webhooks (upstream's 3.1 `webhooks`, carried as `x-webhooks`), the transitive
closure of every `$ref` they use (sorted by name), their security schemes, servers, tags and info.
An OpenAPI 3.1 document is converted to 3.0.3 (see `downgrade_to_3_0`); then the project's fixes
from `openapi-fixes.yaml` are applied. Prints what changed in the API and, when anything did,
records it in CHANGELOG.md. On any bad input it prints one line,
exits 2 and leaves the output file untouched.
"""
from __future__ import annotations

import argparse
import copy
import datetime
import gzip
import hashlib
import io
import json
import os
import re
import sys
from pathlib import Path
from typing import Any, Iterator, NamedTuple

import yaml
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import LiteralScalarString

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "update-spec.yaml"
HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
TOP_LEVEL_ORDER = ("openapi", "info", "servers", "tags", "paths", "x-webhooks", "x-events", "components", "security")
# What update-spec.yaml may name, each kind a list: `tags` (operations), `webhooks` (entries of
# upstream's `webhooks`), `event_groups` (x-oaiMeta groups: the schemas their sections name) and
# `event_roots` (schemas by name: the event unions no group names) and `schemas` (schemas by name
# that no operation names, for a fix to use). A name a revision lacks is reported and skipped;
# only `tags` must match.
CONFIG_KINDS = ("tags", "webhooks", "event_groups", "event_roots", "schemas")
YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class SpecError(Exception):
    """Bad input: reported as one line, nothing written."""


# ---------------------------------------------------------------- loading

def read_bytes(path: Path, what: str) -> bytes:
    """The file's bytes; a `.gz` file (the vendored test copies) is decompressed."""
    try:
        raw = path.read_bytes()
        return gzip.decompress(raw) if path.suffix == ".gz" else raw
    except FileNotFoundError:
        raise SpecError(f"{what} not found: {path}") from None
    except (OSError, EOFError) as exc:
        raise SpecError(f"{what} cannot be read: {path}: {exc}") from None


def load_yaml_file(path: Path, what: str) -> Any:
    return parse_yaml(read_bytes(path, what), path, what)


def parse_yaml(raw: bytes, path: Path, what: str) -> Any:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SpecError(f"{what} cannot be read: {path}: {exc}") from None
    try:
        # YAML 1.1, like the Java parser openapi-generator uses.
        return yaml.load(text, Loader=YAML_LOADER)
    except yaml.YAMLError as exc:
        first_line = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise SpecError(f"{what} is not valid YAML: {path}: {first_line}") from None


# ---------------------------------------------------------------- extraction

def iter_refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                yield value
            else:
                yield from iter_refs(value)
    elif isinstance(node, list):
        for item in node:
            yield from iter_refs(item)


def split_ref(ref: str) -> tuple[str, str]:
    match = re.fullmatch(r"#/components/([^/]+)/([^/]+)", ref)
    if not match:
        raise SpecError(f"unsupported $ref (only #/components/<kind>/<name>): {ref}")
    return match.group(1), match.group(2)


def collect_components(upstream: dict, roots: list[Any]) -> dict[str, dict[str, Any]]:
    """The transitive closure of `$ref`s reachable from roots, by component kind."""
    components = upstream.get("components") or {}
    found: dict[str, dict[str, Any]] = {}
    pending = [ref for root in roots for ref in iter_refs(root)]
    while pending:
        kind, name = split_ref(pending.pop())
        if name in found.get(kind, {}):
            continue
        try:
            target = components[kind][name]
        except (KeyError, TypeError):
            raise SpecError(f"dangling $ref: #/components/{kind}/{name}") from None
        found.setdefault(kind, {})[name] = target
        pending.extend(iter_refs(target))
    return found


def load_config(path: Path) -> dict:
    config = load_yaml_file(path, "update-spec config")
    if not (isinstance(config, dict) and isinstance(config.get("tags"), list) and config["tags"]):
        raise SpecError(f"update-spec config needs a non-empty `tags` list: {path}")
    unknown = sorted(set(config) - set(CONFIG_KINDS))
    if unknown:
        raise SpecError(f"update-spec config has unknown keys {unknown} (known: {', '.join(CONFIG_KINDS)}): {path}")
    for kind in CONFIG_KINDS:
        names = config.setdefault(kind, [])
        if not (isinstance(names, list) and all(isinstance(name, str) for name in names)):
            raise SpecError(f"update-spec config `{kind}` must be a list of names: {path}")
    return config


def named_webhooks(upstream: dict, names: list[str], report: list[str]) -> dict[str, dict]:
    """{name: path item} of the named webhooks upstream has, in config order; absent ones are reported."""
    section = upstream.get("webhooks") or {}
    kept = {name: section[name] for name in names if isinstance(section.get(name), dict)}
    for name in names:
        if name not in kept:
            report.append(f"webhook {name} is not in this revision: none extracted")
    return kept


def named_events(upstream: dict, groups: list[str], roots: list[str], report: list[str]) -> dict[str, Any]:
    """`x-events`: {groups: {group id: [schema names its sections name]}, roots: [schema names]}, of
    what this revision has (absent ones reported); empty when it has none of them."""
    schemas = (upstream.get("components") or {}).get("schemas") or {}
    meta_groups = {g.get("id"): g for g in ((upstream.get("x-oaiMeta") or {}).get("groups") or []) if isinstance(g, dict)}
    found: dict[str, list[str]] = {}
    for group in groups:
        if group not in meta_groups:
            report.append(f"event group {group} is not in this revision: none extracted")
            continue
        names = [str(section.get("key")) for section in meta_groups[group].get("sections") or []
                 if isinstance(section, dict) and section.get("type") == "object"]
        missing = [name for name in names if name not in schemas]
        if missing:
            raise SpecError(f"event group {group} names schemas that do not exist: {', '.join(missing)}")
        found[group] = names
    kept_roots = [root for root in roots if root in schemas]
    for root in roots:
        if root not in kept_roots:
            report.append(f"event root {root} is not in this revision: not extracted")
    if not found and not kept_roots:
        return {}
    return {**({"groups": found} if found else {}), **({"roots": kept_roots} if kept_roots else {})}


def tagged_operations(upstream: dict, tags: list[str]) -> dict[str, dict]:
    """{path: path item with only the tagged operations}, in upstream order."""
    kept: dict[str, dict] = {}
    for path, path_item in (upstream.get("paths") or {}).items():
        if not isinstance(path_item, dict):
            continue
        ops = {m: op for m, op in path_item.items()
               if m in HTTP_METHODS and isinstance(op, dict) and set(op.get("tags") or ()) & set(tags)}
        if ops:
            # Path-level keys (parameters, servers) apply to the operations; untagged methods do not.
            kept[path] = {**{k: v for k, v in path_item.items() if k not in HTTP_METHODS}, **ops}
    return kept


def extract(upstream: Any, tags: list[str], webhooks: list[str] | None = None,
            report: list[str] | None = None, event_groups: list[str] | None = None,
            event_roots: list[str] | None = None, schemas: list[str] | None = None) -> dict:
    if not isinstance(upstream, dict) or "paths" not in upstream:
        raise SpecError("not an OpenAPI document (no `paths`)")
    paths = tagged_operations(upstream, tags)
    if not paths:
        raise SpecError(f"no operation tagged {', '.join(tags)} in the upstream spec")
    report = report if report is not None else []
    hooks = named_webhooks(upstream, webhooks or [], report)
    events = named_events(upstream, event_groups or [], event_roots or [], report)
    named_schemas = [{"$ref": f"#/components/schemas/{name}"}
                     for name in [*(n for names in events.get("groups", {}).values() for n in names), *events.get("roots", [])]]
    upstream_schemas = (upstream.get("components") or {}).get("schemas") or {}
    for name in schemas or []:
        if name in upstream_schemas:
            named_schemas.append({"$ref": f"#/components/schemas/{name}"})
        else:
            report.append(f"schema {name} is not in this revision: not extracted")
    operations = [op for item in paths.values() for m, op in item.items() if m in HTTP_METHODS]
    security = [req for op in operations for req in (op.get("security", upstream.get("security")) or [])]
    scheme_names = sorted({name for requirement in security for name in requirement})
    found = collect_components(upstream, list(paths.values()) + list(hooks.values()) + named_schemas)
    schemes = (upstream.get("components") or {}).get("securitySchemes") or {}
    for name in scheme_names:
        if name not in schemes:
            raise SpecError(f"dangling security scheme: {name}")
        found.setdefault("securitySchemes", {})[name] = schemes[name]
    found.update(collect_components(upstream, list(found.get("securitySchemes", {}).values())) or {})

    used_tags = {tag for op in operations for tag in op.get("tags") or ()}
    doc: dict[str, Any] = {
        "openapi": upstream.get("openapi", "3.0.0"),
        "info": copy.deepcopy(upstream.get("info") or {}),
        "servers": upstream.get("servers") or [],
        **({"tags": kept} if (kept := [t for t in upstream.get("tags") or [] if t.get("name") in used_tags]) else {}),
        "paths": paths,
        **({"x-webhooks": hooks} if hooks else {}),
        **({"x-events": events} if events else {}),
        "components": {kind: dict(sorted(items.items())) for kind, items in sorted(found.items())},
    }
    if "security" in upstream:
        doc["security"] = upstream["security"]
    return copy.deepcopy(doc)


# ---------------------------------------------------------------- OpenAPI 3.1 -> 3.0

SCHEMA_LISTS = ("allOf", "anyOf", "oneOf")


def _is_null_schema(schema: Any) -> bool:
    return isinstance(schema, dict) and schema.get("type") == "null" and len(schema) == 1 + ("description" in schema)


def downgrade_schema(schema: Any, where: str) -> Any:
    """One JSON Schema 2020-12 node (OpenAPI 3.1) as an OpenAPI 3.0 schema, recursively."""
    if not isinstance(schema, dict):
        return schema
    out = dict(schema)
    for key in ("properties",):
        if isinstance(out.get(key), dict):
            out[key] = {name: downgrade_schema(sub, f"{where}/{key}/{name}") for name, sub in out[key].items()}
    for key in ("items", "additionalProperties", "not"):
        if isinstance(out.get(key), dict):
            out[key] = downgrade_schema(out[key], f"{where}/{key}")
    for key in SCHEMA_LISTS:
        if isinstance(out.get(key), list):
            out[key] = [downgrade_schema(sub, f"{where}/{key}/{i}") for i, sub in enumerate(out[key])]
    if out.get("required") == []:
        del out["required"]   # 3.1 allows an empty list, 3.0 needs at least one name
    if "const" in out:
        out.setdefault("enum", [out["const"]])
        del out["const"]
    if isinstance(out.get("examples"), list):
        if out["examples"]:
            out.setdefault("example", out["examples"][0])
        del out["examples"]
    if isinstance(out.get("type"), list):
        types = [t for t in out["type"] if t != "null"]
        if len(types) != 1:
            raise SpecError(f"{where}: cannot express type {out['type']} in OpenAPI 3.0")
        if "null" in out["type"]:
            out["nullable"] = True
        out["type"] = types[0]
    for key in ("anyOf", "oneOf"):
        members = out.get(key)
        if not (isinstance(members, list) and any(_is_null_schema(m) for m in members)):
            continue
        members = [m for m in members if not _is_null_schema(m)]
        out["nullable"] = True
        if len(members) > 1 or "discriminator" in out:
            out[key] = members
        elif "$ref" in members[0]:
            del out[key]
            out["allOf"] = members   # a $ref ignores sibling keys in 3.0: nullable needs the allOf
        else:
            del out[key]
            for inner, value in members[0].items():
                if inner in ("description", "title") and inner in out:
                    continue   # the outer text describes the field in its place
                if inner in out and out[inner] != value:
                    raise SpecError(f"{where}: cannot merge `{inner}` of the only non-null {key} member")
                out[inner] = value
    for key in ("prefixItems", "$defs", "unevaluatedProperties", "dependentSchemas", "if", "patternProperties"):
        if key in out:
            raise SpecError(f"{where}: `{key}` has no OpenAPI 3.0 form")
    for key in ("exclusiveMinimum", "exclusiveMaximum"):
        if isinstance(out.get(key), (int, float)) and not isinstance(out[key], bool):
            bound = "minimum" if key == "exclusiveMinimum" else "maximum"
            out[bound], out[key] = out[key], True
    return out


def _downgrade_content(content: Any, where: str) -> None:
    for media, media_type in (content or {}).items():
        if isinstance(media_type, dict) and "schema" in media_type:
            media_type["schema"] = downgrade_schema(media_type["schema"], f"{where}/{media}/schema")


def downgrade_to_3_0(doc: dict) -> dict:
    """An OpenAPI 3.1 document as 3.0.3: `anyOf`/`oneOf` with a null member and type lists
    become `nullable`, `const` a one-value `enum`, `examples` lists an `example`, and
    numeric exclusive bounds the boolean form. Other 3.1-only keywords are an error."""
    if not str(doc.get("openapi", "")).startswith("3.1"):
        return doc
    doc["openapi"] = "3.0.3"
    license_info = (doc.get("info") or {}).get("license")
    if isinstance(license_info, dict) and "identifier" in license_info:
        identifier = license_info.pop("identifier")   # 3.1 only; 3.0 takes a URL
        license_info.setdefault("url", f"https://spdx.org/licenses/{identifier}.html")
    schemas = (doc.get("components") or {}).get("schemas") or {}
    for name in schemas:
        schemas[name] = downgrade_schema(schemas[name], f"#/components/schemas/{name}")
    for where, op in operations_of(doc):
        for parameter in op.get("parameters") or []:
            if "schema" in parameter:
                parameter["schema"] = downgrade_schema(parameter["schema"], f"{where} parameter")
        _downgrade_content((op.get("requestBody") or {}).get("content"), f"{where} request")
        for status, response in (op.get("responses") or {}).items():
            _downgrade_content(response.get("content"), f"{where} {status}")
            for header_name, header in (response.get("headers") or {}).items():
                if "schema" in header:
                    header["schema"] = downgrade_schema(header["schema"], f"{where} {status} {header_name}")
    return doc


def operations_of(doc: dict) -> Iterator[tuple[str, dict]]:
    """(label, operation) for every operation of `paths` ("POST /x") and of `x-webhooks` ("WEBHOOK name")."""
    for section, prefix in (("paths", ""), ("x-webhooks", "WEBHOOK ")):
        for name, item in (doc.get(section) or {}).items():
            for method, op in item.items():
                if method in HTTP_METHODS and isinstance(op, dict):
                    yield (f"{prefix}{name}" if prefix else f"{method.upper()} {name}"), op


# ---------------------------------------------------------------- fixes

def pointer_part(part: str) -> str:
    """One JSON pointer segment, unescaped (RFC 6901)."""
    return part.replace("~1", "/").replace("~0", "~")


def resolve_pointer(doc: Any, pointer: str) -> Any:
    node = doc
    for part in map(pointer_part, pointer.lstrip("/").split("/")):
        if isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        elif isinstance(node, dict) and part in node:
            node = node[part]
        else:
            return None
    return node


def hoist(doc: dict, fix: dict, target: Any, applied: list[dict]) -> list[str]:
    """Move an inline schema to #/components/schemas/<hoist> and $ref it from where it sat."""
    name = fix["hoist"]
    ref = f"#/components/schemas/{name}"
    if isinstance(target, dict) and target.get("$ref") == ref:
        return [f"fix not needed for this revision (upstream has it right): {fix['at']}: {fix['why']}"]
    parent_pointer, _, key = fix["at"].rpartition("/")
    parent = resolve_pointer(doc, parent_pointer)
    schemas = doc.setdefault("components", {}).setdefault("schemas", {})
    if not isinstance(target, dict) or name in schemas:
        return [f"fix no longer applies, {fix['at']} is gone upstream (or {name} exists): {fix['why']}"]
    schemas[name] = target
    doc["components"]["schemas"] = dict(sorted(schemas.items()))
    replacement = {"$ref": ref}
    if isinstance(parent, list):
        parent[int(key)] = replacement
    else:
        parent[pointer_part(key)] = replacement
    applied.append({"at": fix["at"], "keys": ["$ref"], "why": f"project fix: {fix['why']}"})
    return []


# A fix's precondition (`when`) names the defect it fixes, checked on upstream's document as
# extracted, before any fix: so a fix follows the defect, never a date or a file name.
#   exists / absent: a pointer or a list;  not_json: a pointer to a string that is not JSON;
#   equals: {pointer: value};  matches: {pointer: regular expression searched in a string}.
WHEN_CHECKS = ("exists", "absent", "not_json", "equals", "matches")


def _checks(value: Any) -> list[tuple[str, Any]]:
    if isinstance(value, dict):
        return list(value.items())
    return [(pointer, None) for pointer in ([value] if isinstance(value, str) else value)]


def _is_json(node: Any) -> bool:
    try:
        json.loads(node)
    except (TypeError, ValueError):
        return False
    return True


def unmet_precondition(fix: dict, upstream: dict) -> str | None:
    """The first check of the fix's `when` that upstream's document fails, described; None when all hold."""
    for check, value in (fix.get("when") or {}).items():
        for pointer, expected in _checks(value):
            node = resolve_pointer(upstream, pointer)
            if check == "exists" and node is None:
                return f"{pointer} is not there"
            if check == "absent" and node is not None:
                return f"{pointer} is there"
            if check == "not_json" and (not isinstance(node, str) or _is_json(node)):
                return f"{pointer} is {'JSON' if isinstance(node, str) else 'not there'}"
            if check == "equals" and node != expected:
                return f"{pointer} is not {expected!r}"
            if check == "matches" and not (isinstance(node, str) and re.search(expected, node)):
                return f"{pointer} does not match {expected!r}"
    return None


def expand_pointer(doc: Any, pointer: str) -> list[str]:
    """The pointers a `*` segment (any key or index) stands for, that lead to something in `doc`."""
    found = [("", doc)]
    for part in pointer.lstrip("/").split("/"):
        step = []
        for prefix, node in found:
            keys = (list(node) if isinstance(node, dict) else range(len(node)) if isinstance(node, list) else []) \
                if part == "*" else [pointer_part(part)]
            for key in keys:
                child = resolve_pointer(node, "/" + str(key).replace("~", "~0").replace("/", "~1"))
                if child is not None:
                    step.append((f"{prefix}/{str(key).replace('~', '~0').replace('/', '~1')}", child))
        found = step
    return [prefix for prefix, _ in found]


def apply_fixes(doc: dict, fixes: list[dict]) -> tuple[list[dict], list[str]]:
    """Apply each fix whose defect upstream still has. Returns (applied fixes, report lines)."""
    upstream = copy.deepcopy(doc)
    applied: list[dict] = []
    report: list[str] = []
    for fix in fixes:
        unmet = unmet_precondition(fix, upstream)
        if unmet:
            report.append(f"fix not needed for this revision (its `when` does not hold: {unmet}): {fix['at']}: {fix['why']}")
            continue
        if "*" not in fix["at"].split("/"):
            report.extend(apply_fix(doc, fix, applied))
            continue
        pointers = expand_pointer(doc, fix["at"])
        if not pointers:
            report.append(f"fix no longer applies, {fix['at']} matches nothing upstream: {fix['why']}")
        for pointer in pointers:
            report.extend(apply_fix(doc, {**fix, "at": pointer}, applied))
    schemas = (doc.get("components") or {}).get("schemas")
    if isinstance(schemas, dict):
        doc["components"]["schemas"] = dict(sorted(schemas.items()))   # a fix may add a schema
    return applied, report


def apply_fix(doc: dict, fix: dict, applied: list[dict]) -> list[str]:
    """Apply one fix at one pointer; returns the report lines (none when it applied)."""
    target = resolve_pointer(doc, fix["at"])
    if "hoist" in fix:
        return hoist(doc, fix, target, applied)
    if not isinstance(target, dict):
        return [f"fix no longer applies, {fix['at']} is gone upstream: {fix['why']}"]
    renames = {old: new for old, new in (fix.get("rename") or {}).items() if old in target and new not in target}
    for old, new in renames.items():
        target[new] = target.pop(old)
    missing = {k: v for k, v in fix.get("set", {}).items() if target.get(k) != v}
    present = [k for k in fix.get("delete", []) if k in target]
    if renames and not missing and not present:
        applied.append({"at": fix["at"], "keys": sorted(renames.values()),
                        "why": f"project fix: {fix['why']} (was: {', '.join(renames)})"})
        return []
    if not missing and not present:
        return [f"fix not needed for this revision (upstream has it right): {fix['at']}: {fix['why']}"]
    target.update(copy.deepcopy(missing))   # a wildcard fix sets its own copy at each match
    for key in present:
        del target[key]
    note = f"project fix: {fix['why']}" + (f" (removed: {', '.join(present)})" if present else "")
    applied.append({"at": fix["at"], "keys": sorted(missing) or list(target)[:1], "why": note})
    return []


DERIVED_MAPPING_WHY = ("derived by update-spec: upstream gives no mapping, so generators would take the schema "
                       "names for the values; each member's one-value `{prop}` enum is its value")


def _schema_nodes(node: Any, pointer: str) -> Iterator[tuple[str, dict]]:
    """(JSON pointer, schema) for a schema and every inline schema in it."""
    if not isinstance(node, dict):
        return
    yield pointer, node
    for name, sub in (node.get("properties") or {}).items():
        yield from _schema_nodes(sub, f"{pointer}/properties/{name.replace('~', '~0').replace('/', '~1')}")
    for key in ("items", "additionalProperties", "not"):
        yield from _schema_nodes(node.get(key), f"{pointer}/{key}")
    for key in ("allOf", "anyOf", "oneOf"):
        for index, sub in enumerate(node.get(key) or []):
            yield from _schema_nodes(sub, f"{pointer}/{key}/{index}")


def derive_discriminator_mappings(doc: dict) -> tuple[list[dict], list[str]]:
    """Give each discriminator without a `mapping` the one its members imply: every member a $ref
    whose discriminating property is a one-value enum, the values distinct. Where members are
    inline or share a value, it is left alone and reported (a fix must decide). Returns (applied, report)."""
    schemas = (doc.get("components") or {}).get("schemas") or {}
    applied: list[dict] = []
    report: list[str] = []
    for name in list(schemas):
        for pointer, node in _schema_nodes(schemas[name], f"/components/schemas/{name}"):
            discriminator = node.get("discriminator")
            if not isinstance(discriminator, dict) or "mapping" in discriminator:
                continue
            prop = discriminator.get("propertyName")
            members = node.get("oneOf") or node.get("anyOf") or []
            mapping: dict[str, str] = {}
            for member in members:
                target = resolve_pointer(doc, member["$ref"][1:]) if "$ref" in member else None
                values = (((target or {}).get("properties") or {}).get(prop) or {}).get("enum") or []
                if len(values) != 1 or values[0] in mapping:
                    mapping = {}
                    break
                mapping[values[0]] = member["$ref"]
            if not mapping:
                report.append(f"discriminator without a mapping left as upstream gives it (inline members or shared "
                              f"`{prop}` values): {pointer}")
                continue
            discriminator["mapping"] = mapping
            applied.append({"at": f"{pointer}/discriminator", "keys": ["mapping"],
                            "why": DERIVED_MAPPING_WHY.format(prop=prop)})
    return applied, report


FIX_KEYS = frozenset({"at", "why", "set", "delete", "rename", "hoist", "when"})


def load_fixes(path: Path) -> list[dict]:
    fixes = load_yaml_file(path, "fixes file") or []
    for fix in fixes:
        if not (isinstance(fix, dict) and {"at", "why"} <= set(fix) and ({"set", "delete", "rename", "hoist"} & set(fix))):
            raise SpecError(f"fixes file entry needs at, why and set, delete, rename or hoist: {fix!r}")
        if {"from", "until"} & set(fix):
            raise SpecError(f"fixes file entry limits itself by date (from/until); name the defect with `when` "
                            f"({', '.join(WHEN_CHECKS)}) instead: {fix['at']}")
        unknown = sorted(set(fix) - FIX_KEYS)
        if unknown:
            raise SpecError(f"fixes file entry has unknown keys {unknown}: {fix['at']}")
        when = fix.get("when") or {}
        shapes_ok = isinstance(when, dict) and not set(when) - set(WHEN_CHECKS) and all(
            isinstance(value, dict) if check in ("equals", "matches") else
            isinstance(value, str) or (isinstance(value, list) and all(isinstance(p, str) for p in value))
            for check, value in when.items())
        if not shapes_ok:
            raise SpecError(f"fixes file entry's `when` takes exists, absent, not_json (a pointer or a list) and "
                            f"equals, matches ({{pointer: value}}): {fix['at']}")
    return fixes


# ---------------------------------------------------------------- writing

def to_commented(node: Any) -> Any:
    if isinstance(node, dict):
        out = CommentedMap()
        for key, value in node.items():
            out[key] = to_commented(value)
        return out
    if isinstance(node, list):
        return CommentedSeq(to_commented(v) for v in node)
    if isinstance(node, str) and "\n" in node and not re.search(r"[ \t]\n|[^\S\n]$", node):
        return LiteralScalarString(node)
    return node


def render(doc: dict, applied: list[dict]) -> str:
    ordered = {k: doc[k] for k in TOP_LEVEL_ORDER if k in doc}
    ordered.update({k: v for k, v in doc.items() if k not in ordered})
    tree = to_commented(ordered)
    for fix in applied:
        node = resolve_pointer(tree, fix["at"])
        for key in fix["keys"]:
            node.yaml_add_eol_comment(fix["why"], key)
    tree.yaml_set_start_comment(
        "Generated by tools/update_spec.py from the upstream OpenAI spec (see info.x-upstream)\n"
        "plus openapi-fixes.yaml. Do not edit by hand: run `make update-spec UPSTREAM=...`."
    )
    dumper = YAML()
    dumper.width = 100
    dumper.indent(mapping=2, sequence=4, offset=2)
    buffer = io.StringIO()
    dumper.dump(tree, buffer)
    text = buffer.getvalue()
    # Whatever we write must read back identically with the YAML 1.1 loader generators use.
    if yaml.load(text, Loader=YAML_LOADER) != ordered:
        raise SpecError("internal: the written YAML does not read back as the extracted spec")
    return text


# ---------------------------------------------------------------- change summary
# The API's shape as the Python SDK exposes it: {key: Shape}. `side` says who writes a value:
# "request" (the caller: request bodies, multipart parts, client events), "response" (the API:
# answers, server events, webhook deliveries) or "api" (a public class, operation, event or webhook).
# A field's attributes are keys of their own (`<field> enum`, `<field> nullable`, `<field> required`).

BODY_TYPES = ("application/json", "multipart/form-data", "application/x-www-form-urlencoded")
ATTRIBUTES = (" enum", " nullable", " required")


class Shape(NamedTuple):
    side: str
    value: Any
    container: str = ""   # the operation, event or webhook a field belongs to
    path: str = ""        # the field's path inside it (`session.audio.input`, `tools[]`)


def _schema_fields(spec: dict, schema: Any, prefix: str, out: dict, seen: tuple = ()) -> None:
    """{field path (with attribute suffixes): value} for a schema, following $refs."""
    if not isinstance(schema, dict):
        return
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        if name in seen:
            out[prefix] = f"recursive {name}"
            return
        _schema_fields(spec, resolve_pointer(spec, schema["$ref"][1:]), prefix, out, seen + (name,))
        return
    kind = schema.get("type") or next((k for k in ("oneOf", "anyOf", "allOf") if k in schema), "any")
    if prefix:
        out[prefix] = kind
        if "enum" in schema:
            out[prefix + " enum"] = sorted(map(str, schema["enum"]))
        if schema.get("nullable"):
            out[prefix + " nullable"] = True
    required = set(schema.get("required") or ())
    for name, sub in (schema.get("properties") or {}).items():
        field = f"{prefix}.{name}" if prefix else name
        _schema_fields(spec, sub, field, out, seen)
        if name in required:
            out[field + " required"] = True
    if isinstance(schema.get("items"), dict):
        _schema_fields(spec, schema["items"], f"{prefix}[]", out, seen)
    for key in ("oneOf", "anyOf", "allOf"):
        for index, sub in enumerate(schema.get(key) or []):
            _schema_fields(spec, sub, f"{prefix}<{key}{index}>", out, seen)


def _fields_under(spec: dict, container: str, head: str, schema: Any, side: str, shape: dict) -> None:
    fields: dict[str, Any] = {}
    _schema_fields(spec, schema, "", fields, ())
    shape.update({f"{head} {path}": Shape(side, value, container, path) for path, value in fields.items()})


def api_shape(spec: dict) -> dict[str, Shape]:
    """Every public class, operation, webhook and event of `spec`, and every field each carries."""
    shape: dict[str, Shape] = {}
    for name in (spec.get("components") or {}).get("schemas") or {}:
        shape[f"class {name}"] = Shape("api", "declared")
    for label, op in operations_of(spec):
        webhook = label.startswith("WEBHOOK ")
        container = label.lower() if webhook else f"operation {label}"
        shape[container] = Shape("api", "declared" if webhook else op.get("operationId"))
        for media, content in (((op.get("requestBody") or {}).get("content")) or {}).items():
            if media in BODY_TYPES:   # a webhook's body is what the API sends: the receiver reads it
                side = "response" if webhook else "request"
                _fields_under(spec, container, f"{label} request", content.get("schema"), side, shape)
        for status, response in (op.get("responses") or {}).items():
            answer = f"{label} response {status}"
            shape[answer] = Shape("api", "declared", container)
            content = (response.get("content") or {}).get("application/json", {})
            _fields_under(spec, answer, answer, content.get("schema"), "response", shape)
    for group, names in ((spec.get("x-events") or {}).get("groups") or {}).items():
        side = "request" if "client" in group else "response"
        for name in names:
            shape[f"{group} {name}"] = Shape("api", "declared")
            _fields_under(spec, f"{group} {name}", f"{group} {name}", {"$ref": f"#/components/schemas/{name}"},
                          side, shape)
    return shape


def _field_of(key: str) -> str:
    return next((key[: -len(a)] for a in ATTRIBUTES if key.endswith(a)), key)


def _containers(key: str, entry: Shape, shape: dict[str, Shape]) -> Iterator[str]:
    """The keys whose change carries this one: its response, operation, event or webhook, the field
    an attribute belongs to, and the fields that hold it."""
    if entry.container:
        yield entry.container
        if entry.container in shape:   # a response's operation
            yield from _containers(entry.container, shape[entry.container], shape)
    head = key[: len(key) - len(entry.path)]
    field = _field_of(entry.path)
    if field != entry.path:
        yield head + field
    for index in range(len(field) - 1, 0, -1):
        if field[index] in ".[<":
            yield head + field[:index]


UNIONS = ("anyOf", "oneOf")


def _retyping(key: str, was: Any, now: Any, before: dict, after: dict) -> str:
    """"widened" when a type became a union that has it as a member, "narrowed" for the reverse."""
    def members(shape: dict) -> set:
        return {entry.value for k, entry in shape.items() if k.startswith(key + "<") and "<" not in k[len(key) + 1:]
                and " " not in k[len(key):]}
    if now in UNIONS and was in members(after):
        return "widened"
    if was in UNIONS and now in members(before):
        return "narrowed"
    return "changed"


# (attribute, side, set or cleared) -> (category, wording). The caller writes requests: a new
# requirement or a lost null breaks their code. The SDK's user reads answers: a field that may now
# be missing or null breaks their code.
ATTRIBUTE_CHANGES = {
    ("required", "request", True): ("Breaking", "request field made required"),
    ("required", "request", False): ("Changed", "request field now optional"),
    ("required", "response", True): ("Changed", "response field now always present"),
    ("required", "response", False): ("Breaking", "response field made optional"),
    ("nullable", "request", True): ("Changed", "request field takes null"),
    ("nullable", "request", False): ("Breaking", "request field no longer takes null"),
    ("nullable", "response", True): ("Breaking", "response field made nullable"),
    ("nullable", "response", False): ("Changed", "response field no longer null"),
}


def _enum_change(field: str, side: str, was: list | None, now: list | None) -> tuple[str, str]:
    added, removed = sorted(set(now or ()) - set(was or ())), sorted(set(was or ()) - set(now or ()))
    if was is None:   # a free value is now limited to a list
        return ("Breaking" if side == "request" else "Changed"), f"{side} values now limited: {field}: {', '.join(now or ())}"
    if now is None:
        return ("Changed" if side == "request" else "Breaking"), f"{side} values no longer limited: {field}"
    parts = [f"added {', '.join(added)}"] * bool(added) + [f"removed {', '.join(removed)}"] * bool(removed)
    # Answers parse an unknown enum value at run time, so a value added to a response breaks no reader.
    category = "Breaking" if side == "request" and removed else "Added" if side == "request" else "Changed"
    return category, f"{side} values: {field}: {'; '.join(parts)}"


def classify(key: str, side: str, was: Any, now: Any, retyping: str = "changed") -> tuple[str, str]:
    """(Breaking | Added | Changed, what) for one change, as it affects code that uses the Python SDK."""
    for attribute in ("required", "nullable"):
        if key.endswith(" " + attribute):
            category, wording = ATTRIBUTE_CHANGES[(attribute, side, bool(now))]
            return category, f"{wording}: {key[: -len(attribute) - 1]}"
    if key.endswith(" enum"):
        return _enum_change(key[: -len(" enum")], side, was, now)
    if side == "api":
        if was is None:
            return "Added", key + (f" ({now})" if key.startswith("operation ") else "")
        if now is None:
            return "Breaking", f"removed: {key}" + (f" ({was})" if key.startswith("operation ") else "")
        return "Breaking", f"renamed: {key}: {was} -> {now}"
    if was is None:
        return "Added", f"{side} field: {key} ({now})"
    if now is None:
        return "Breaking", f"{side} field removed: {key}"
    # The caller may send more than before; the reader must handle more than before.
    harmless = {"request": "widened", "response": "narrowed"}[side]
    return ("Changed" if retyping == harmless else "Breaking"), f"{side} type {retyping}: {key}: {was} -> {now}"


def summarize_changes(old: dict | None, new: dict) -> list[tuple[str, str]]:
    """(category, line) for each change from `old` to `new`; what a removed or added container
    holds goes with it, so a new operation is one line and a removed one is one Breaking line."""
    before, after = api_shape(old or {}), api_shape(new)
    changed = {key for key in set(before) | set(after)
               if (before[key].value if key in before else None) != (after[key].value if key in after else None)}
    appeared = {key for key in changed if key not in before}
    vanished = {key for key in changed if key not in after}
    retyped = {key for key in changed - appeared - vanished if not key.endswith(ATTRIBUTES)}
    lines = []
    for key in sorted(changed):
        shape = after if key in after else before
        entry = shape[key]
        was = before[key].value if key in before else None
        now = after[key].value if key in after else None
        carried_by = set(_containers(key, entry, shape))
        new_required_request_field = (key.endswith(" required") and entry.side == "request"
                                      and carried_by & appeared == {key[: -len(" required")]})
        if new_required_request_field:
            lines.append(("Breaking", f"new request field is required: {key[: -len(' required')]}"))
            continue
        group = appeared if key in appeared else vanished if key in vanished else set()
        if carried_by & (group | retyped):
            continue
        lines.append(classify(key, entry.side, was, now, _retyping(key, was, now, before, after)))
    order = {"Breaking": 0, "Added": 1, "Changed": 2}
    return sorted(lines, key=lambda line: order[line[0]])


def removed_classes(summary: list[tuple[str, str]]) -> list[str]:
    return [line[len("removed: class "):] for category, line in summary if line.startswith("removed: class ")]


def changelog_lines(upstream_info: dict, summary: list[tuple[str, str]], today: str) -> list[str]:
    """Entries for the CHANGELOG's Unreleased section. A removed class is also a `Removed:` line
    naming its public imports, the form `make release-check` reads for names gone on purpose."""
    lines = [f"- Spec: updated to upstream commit {upstream_info.get('commit', 'unknown')} on {today} (update-spec)."]
    for category, line in summary:
        if not line.startswith("removed: class "):
            lines.append(f"- **Breaking** (spec): {line}" if category == "Breaking" else f"- {category} (spec): {line}")
    gone = removed_classes(summary)
    if gone:
        names = ", ".join(f"`openapi_client.{n}`, `openapi_client.models.{n}`" for n in gone)
        lines.append(f"- Removed: {names} (**Breaking**, spec: gone upstream)")
    return lines


def record_in_changelog(path: Path, lines: list[str]) -> None:
    """Add `lines` at the top of the Unreleased section, which is made when there is none."""
    text = path.read_text(encoding="utf-8") if path.exists() else "# Changelog\n"
    entry = "\n".join(lines) + "\n"
    match = re.search(r"^## Unreleased\n\n?", text, re.M)
    if match:
        text = text[: match.end()] + entry + text[match.end():]
    else:
        title, _, rest = text.partition("\n")
        rest = rest.lstrip("\n")
        text = f"{title}\n\n## Unreleased\n\n{entry}" + (f"\n{rest}" if rest else "")
    path.write_text(text, encoding="utf-8")


# ---------------------------------------------------------------- command line

def upstream_record(raw: bytes, commit: str | None, previous: dict | None) -> dict:
    """Where the spec came from: the same bytes and commit give the same record, whatever the file's name."""
    digest = hashlib.sha256(raw).hexdigest()
    previous_info = ((previous or {}).get("info") or {}).get("x-upstream") or {}
    same_source = previous_info.get("sha256") == digest
    return {
        "repository": "openai/openai-openapi",
        "commit": commit or (previous_info.get("commit") if same_source else None) or "unknown",
        "sha256": digest,
    }


def build(upstream_path: Path, fixes_path: Path, commit: str | None, previous: dict | None,
          config_path: Path = CONFIG):
    config = load_config(config_path)
    raw = read_bytes(upstream_path, "upstream spec")
    upstream = parse_yaml(raw, upstream_path, "upstream spec")
    report: list[str] = []
    doc = downgrade_to_3_0(extract(upstream, config["tags"], config["webhooks"], report,
                                   config["event_groups"], config["event_roots"], config["schemas"]))
    doc["info"]["x-upstream"] = upstream_record(raw, commit, previous)
    applied, fix_report = apply_fixes(doc, load_fixes(fixes_path))
    derived, derive_report = derive_discriminator_mappings(doc)
    return doc, render(doc, applied + derived), report + fix_report + derive_report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("upstream", type=Path, help="a full upstream openapi.yaml")
    parser.add_argument("--output", type=Path, default=ROOT / "openapi.yaml")
    parser.add_argument("--fixes", type=Path, default=ROOT / "openapi-fixes.yaml")
    parser.add_argument("--changelog", type=Path, default=ROOT / "CHANGELOG.md")
    parser.add_argument("--config", type=Path, default=CONFIG, help="which tags to extract")
    parser.add_argument("--commit", help="upstream commit the file comes from (recorded in info.x-upstream)")
    args = parser.parse_args(argv)
    try:
        previous = load_yaml_file(args.output, "current spec") if args.output.exists() else None
        doc, text, report = build(args.upstream, args.fixes, args.commit, previous, args.config)
    except SpecError as exc:
        print(f"update-spec: {exc}", file=sys.stderr)
        return 2
    for line in report:
        print(f"update-spec: {line}")
    summary = summarize_changes(previous, doc)
    old_text = args.output.read_text(encoding="utf-8") if args.output.exists() else None
    if old_text == text:
        print(f"update-spec: {args.output.name} unchanged")
        return 0
    tmp = args.output.with_name(args.output.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, args.output)  # atomic: a failed run never leaves half a file
    print(f"update-spec: wrote {args.output}")
    if summary:
        print("API changes:")
        print("\n".join(f"  {category}: {line}" for category, line in summary))
        today = os.environ.get("SOURCE_DATE", datetime.date.today().isoformat())
        record_in_changelog(args.changelog, changelog_lines(doc["info"]["x-upstream"], summary, today))
        print(f"update-spec: recorded in {args.changelog.name}")
    else:
        print("API changes: none (descriptions, examples or metadata only)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
