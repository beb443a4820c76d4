"""Generate the client from openapi.yaml in two openapi-generator passes.

The python generator gives a nested model property no fields in any template
(openapi-generator #18598), so one pass cannot show a request body with its nested
models filled in, as the TypeScript docs do. So:

1. A first pass into a scratch folder renders `.openapi-generator/doc-examples.yaml`
   (templates/doc_examples.mustache): each model's constructor example, with a
   `<<example:Name>>` placeholder where a nested model goes.
   Both passes read a scratch copy of the spec in which the schemas only the server sends
   (answers, webhook events) carry `x-py-response-only` (their models are lenient everywhere),
   and each webhook's event schema carries `x-py-webhook-event` (its `type`).
2. This script nests those examples and hands each request body its complete example
   as `x-py-example` in a scratch copy of the spec. Nothing else in the spec changes.
3. The second pass generates into the project from that copy; api_doc_example renders it.
4. An async pass (generator-config-async.yaml merged over generator-config.yaml: the asyncio
   library) renders the API, api_client and rest modules again; they go to openapi_client/aio/
   and join the one `.openapi-generator/FILES` manifest.
5. Files the previous run listed in `.openapi-generator/FILES` that this run no longer
   generates (a schema or operation gone from the spec) are deleted.

Usage: python -m tools.generate --generator .venv/bin/openapi-generator-cli
"""
from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

from tools.update_spec import collect_components

CONFIG = "generator-config.yaml"
ASYNC_CONFIG = "generator-config-async.yaml"
SPEC = "openapi.yaml"
EXAMPLES = Path(".openapi-generator", "doc-examples.yaml")
MANIFEST = Path(".openapi-generator", "FILES")
PLACEHOLDER = re.compile(r"<<example:(\w+)>>")
# A model page's example instance: a union's member value goes inside its wrapper model.
INSTANCE_PLACEHOLDER = re.compile(r"<<example-instance:(\w+)>>")


class GenerateError(Exception):
    """The generator failed, or its output is not what the second pass needs."""


def indent_at(text: str, position: int) -> str:
    """The spaces that start the line `position` is on (a nested example continues at that indent)."""
    line_start = text.rfind("\n", 0, position) + 1
    line = text[line_start:position]
    return line[:len(line) - len(line.lstrip(" "))]


def union_example(candidates: list[str]) -> str | None:
    """The member example a oneOf/anyOf shows: a fixed value (an enum's first value, a model)
    before a placeholder string, so the example is one the API accepts (`gpt-realtime`)."""
    real = [c for c in candidates if c.strip() and c.strip() != "None"]
    fixed = [c for c in real if not re.fullmatch(r'"\w*_example"', c.strip())]
    return fixed[0] if fixed else real[0] if real else None


def nested_example(name: str, examples: dict[str, str], outer: tuple[str, ...] = (),
                   unions: dict[str, list[str]] | None = None) -> str:
    """Model `name`'s example with every nested model filled in.

    Models without an object example (oneOf, anyOf) and models that contain themselves
    become None, as `null` does in the TypeScript docs.
    """
    unions = unions or {}
    if name in unions and name not in outer:
        choice = union_example(unions[name])
        return "None" if choice is None else PLACEHOLDER.sub(
            lambda m: nested_example(m.group(1), examples, outer + (name,), unions), choice)
    if name not in examples or name in outer:
        return "None"
    text = examples[name]

    def fill(match: re.Match[str]) -> str:
        return nested_example(match.group(1), examples, outer + (name,), unions).replace(
            "\n", "\n" + indent_at(text, match.start()))

    return PLACEHOLDER.sub(fill, text)


def spec_with_body_examples(spec: dict, rendered: dict) -> dict:
    """The spec with each model request body's complete example as `x-py-example`."""
    examples = rendered.get("models") or {}
    unions = rendered.get("unions") or {}
    for body in rendered.get("request_bodies") or []:
        try:
            request_body = spec["paths"][body["path"]][body["method"]]["requestBody"]
        except KeyError as missing:
            raise GenerateError(f"{body['method'].upper()} {body['path']}: no request body in {SPEC} ({missing})") from None
        if "$ref" in request_body:
            raise GenerateError(f"{body['method'].upper()} {body['path']}: a $ref request body cannot carry x-py-example")
        target = request_body
        if "form" in body:   # a model form field: the example goes on its property in the form's schema
            form = request_body["content"]["multipart/form-data"]["schema"]
            if "$ref" in form:
                form = spec["components"]["schemas"][form["$ref"].rsplit("/", 1)[1]]
            target = form["properties"][body["form"]]
        target["x-py-example"] = nested_example(body["model"], examples, (), unions)
    return spec


def _mark_inline_schemas(schema: object) -> None:
    """x-py-response-only on a schema and every inline schema in it (the generator hoists those
    into models of their own and keeps their extensions); $ref targets are marked on their own."""
    if not isinstance(schema, dict) or "$ref" in schema:
        return
    schema["x-py-response-only"] = True
    for sub in (schema.get("properties") or {}).values():
        _mark_inline_schemas(sub)
    for key in ("items", "additionalProperties", "not"):
        _mark_inline_schemas(schema.get(key))
    for key in ("allOf", "anyOf", "oneOf"):
        for sub in schema.get(key) or []:
            _mark_inline_schemas(sub)


def ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def event_schemas(spec: dict) -> tuple[list[str], list[str]]:
    """(client events, server events) of `x-events`: a `*-client-events` group's schemas are what
    a client sends, a `*-server-events` group's what the server sends; a root (a union of events)
    goes with the group its members come from."""
    events = spec.get("x-events") or {}
    client: list[str] = []
    server: list[str] = []
    for group, names in (events.get("groups") or {}).items():
        if group.endswith("-client-events"):
            client += names
        elif group.endswith("-server-events"):
            server += names
        else:
            raise GenerateError(f"x-events group {group!r}: neither -client-events nor -server-events")
    schemas = (spec.get("components") or {}).get("schemas") or {}
    for root in events.get("roots") or []:
        members = {m.get("$ref", "").rsplit("/", 1)[-1] for key in ("oneOf", "anyOf") for m in schemas[root].get(key) or []}
        (client if members & set(client) else server).append(root)
    return client, server


def event_summary(description: str) -> str:
    """An event's one-line summary for docs/Events.md: its description's first sentence."""
    text = " ".join(description.split())
    sentence = re.split(r"(?<=\.)\s", text, maxsplit=1)[0]
    return sentence.replace("|", "\\|")


def mark_events(spec: dict) -> None:
    """x-py-event-root on each union of events (its model keeps an unknown event as UnknownEvent);
    x-py-client-event / x-py-server-event (the `type`) and x-py-event-summary on each event of a
    group, for docs/Events.md (templates/events_doc.mustache)."""
    schemas = (spec.get("components") or {}).get("schemas") or {}
    for root in (spec.get("x-events") or {}).get("roots") or []:
        schemas[root]["x-py-event-root"] = True
    for group, names in ((spec.get("x-events") or {}).get("groups") or {}).items():
        side = "x-py-client-event" if group.endswith("-client-events") else "x-py-server-event"
        for name in names:
            schemas[name][side] = one_type_value(schemas, name, "event")
            schemas[name]["x-py-event-summary"] = event_summary(schemas[name].get("description") or "")


def mark_response_only_schemas(spec: dict) -> list[str]:
    """Mark the schemas only the server sends (x-py-response-only): answers, the events webhooks
    deliver and the server's Realtime events. Their models parse leniently everywhere, from_json
    included; what a request or a client event uses stays strict. Returns their names."""
    schemas = (spec.get("components") or {}).get("schemas") or {}
    operations = [op for item in (spec.get("paths") or {}).values() for op in item.values() if isinstance(op, dict)]
    webhook_bodies = [op.get("requestBody") for item in (spec.get("x-webhooks") or {}).values()
                      for op in item.values() if isinstance(op, dict)]

    def reachable(parts: list[object]) -> set[str]:
        return set(collect_components(spec, parts).get("schemas", {}))

    client_events, server_events = event_schemas(spec)
    in_requests = reachable([part for op in operations for part in (op.get("requestBody"), op.get("parameters"))]
                            + [ref(name) for name in client_events])
    response_only = sorted(reachable([op.get("responses") for op in operations] + webhook_bodies
                                     + [ref(name) for name in server_events]) - in_requests)
    for name in response_only:
        _mark_inline_schemas(schemas[name])
    return response_only


def one_type_value(schemas: dict, name: str, what: str) -> str:
    """The one value of an event schema's `type` enum: what it is dispatched on."""
    values = (((schemas.get(name) or {}).get("properties") or {}).get("type") or {}).get("enum") or []
    if len(values) != 1:
        raise GenerateError(f"{what} {name!r} needs a one-value `type` enum to be dispatched on")
    return str(values[0])


def mark_webhook_events(spec: dict) -> dict[str, str]:
    """x-py-webhook-event (its `type` value) on each schema a webhook delivers, so the generated
    table in openapi_client/_webhook_events.py maps an event's type to its model. Returns {type: schema}."""
    schemas = (spec.get("components") or {}).get("schemas") or {}
    events: dict[str, str] = {}
    for item in (spec.get("x-webhooks") or {}).values():
        for op in item.values():
            content = ((op.get("requestBody") or {}).get("content") or {}) if isinstance(op, dict) else {}
            ref = ((content.get("application/json") or {}).get("schema") or {}).get("$ref", "")
            name = ref.rsplit("/", 1)[-1]
            event_type = one_type_value(schemas, name or ref, "webhook event")
            events[event_type] = name
            schemas[name]["x-py-webhook-event"] = event_type
    return events


def mark_example_values(node: object) -> None:
    """x-py-example-value (a Python literal) beside each primitive schema's own `example`, so the
    docs show the spec's example values (a SIP status 486, a tel: URI) instead of placeholders."""
    if isinstance(node, dict):
        if "example" in node and isinstance(node["example"], (str, int, float, bool)) and "$ref" not in node:
            node["x-py-example-value"] = repr(node["example"])
        for key, value in node.items():
            if not str(key).startswith("x-") and key not in ("example", "default", "enum"):
                mark_example_values(value)
    elif isinstance(node, list):
        for item in node:
            mark_example_values(item)


def run_generator(generator: str, root: Path, *args: str, config: str = CONFIG) -> None:
    done = subprocess.run([generator, "generate", "-c", config, *args], cwd=root, capture_output=True, text=True)
    if done.returncode != 0:
        raise GenerateError(f"openapi-generator failed:\n{done.stdout}{done.stderr}")


def async_pass(generator: str, root: Path, spec: Path, scratch: Path) -> list[str]:
    """The asyncio library's modules, moved under openapi_client/aio/; returns their project paths."""
    config = yaml.safe_load((root / CONFIG).read_text())
    overrides = yaml.safe_load((root / ASYNC_CONFIG).read_text())
    take: dict[str, str] = overrides.pop("x-take")
    config.pop("files", None)   # the sync pass's extra files are not rendered again
    config.pop("globalProperties", None)
    config.update(overrides)
    config["templateDir"] = str(root / config["templateDir"])
    merged = scratch / "generator-config-async.yaml"
    merged.write_text(yaml.safe_dump(config, sort_keys=False))
    out = scratch / "async-pass"
    run_generator(generator, root, "-i", str(spec), "-o", str(out), config=str(merged))
    for source, destination in take.items():
        if not (out / source).exists():
            raise GenerateError(f"the async pass did not write {source}")
        (root / destination).parent.mkdir(parents=True, exist_ok=True)
        (root / destination).write_bytes((out / source).read_bytes())
    return sorted(take.values())


def fill_model_pages(root: Path, rendered: dict) -> None:
    """Each model page's example instance (`<<example:Name>>` in templates/model_doc.mustache), nested
    like the request bodies'. Only the pages the generator just wrote (the manifest) are touched."""
    examples = rendered.get("models") or {}
    unions = rendered.get("unions") or {}
    for name in manifest(root):
        if not (name.startswith("docs/") and name.endswith(".md")):
            continue
        page = root / name
        text = page.read_text()

        def fill(match: re.Match[str], text: str = text) -> str:
            name = match.group(1)
            value = nested_example(name, examples, (), unions)
            if name in unions:
                value = f"{name}({value})"
            return value.replace("\n", "\n" + indent_at(text, match.start()))

        filled = INSTANCE_PLACEHOLDER.sub(fill, text)
        if filled != text:
            page.write_text(filled)


def manifest(root: Path) -> set[str]:
    path = root / MANIFEST
    return set(path.read_text().split()) if path.exists() else set()


def remove_stale(root: Path, before: set[str], after: set[str]) -> list[str]:
    """Delete what the previous run generated and this one did not; returns the paths."""
    stale = sorted(before - after)
    for name in stale:
        target = (root / name).resolve()
        if root.resolve() not in target.parents:
            raise GenerateError(f"{MANIFEST} lists a path outside the project: {name}")
        target.unlink(missing_ok=True)
    return stale


def generate(generator: str, root: Path) -> None:
    before = manifest(root)
    with tempfile.TemporaryDirectory(prefix="generate-") as scratch:
        spec = yaml.safe_load((root / SPEC).read_text())
        mark_response_only_schemas(spec)
        mark_webhook_events(spec)
        mark_events(spec)
        mark_example_values((spec.get("components") or {}).get("schemas"))
        derived = Path(scratch, SPEC)
        derived.write_text(yaml.safe_dump(spec, sort_keys=False, allow_unicode=True))
        first_pass = Path(scratch, "first-pass")
        run_generator(generator, root, "-i", str(derived), "-o", str(first_pass))
        rendered = yaml.safe_load((first_pass / EXAMPLES).read_text())
        derived.write_text(yaml.safe_dump(spec_with_body_examples(spec, rendered), sort_keys=False, allow_unicode=True))
        run_generator(generator, root, "-i", str(derived))
        async_files = async_pass(generator, root, derived, Path(scratch))
    files = root / MANIFEST
    files.write_text("".join(f"{name}\n" for name in sorted(manifest(root) | set(async_files))))
    for name in remove_stale(root, before, manifest(root)):
        print(f"generate: removed {name} (no longer generated)")
    fill_model_pages(root, rendered)
    leftovers = [str(path.relative_to(root)) for path in (root / "docs").glob("*.md")
                 if PLACEHOLDER.search(path.read_text()) or INSTANCE_PLACEHOLDER.search(path.read_text())]
    if leftovers:
        raise GenerateError(f"model examples left unfilled in {', '.join(sorted(leftovers))}: "
                            "only request bodies get nested examples (tools/generate.py)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--generator", required=True, help="the pinned openapi-generator-cli")
    parser.add_argument("--root", type=Path, default=Path.cwd(), help="the project folder (default: here)")
    args = parser.parse_args(argv)
    try:
        generate(args.generator, args.root.resolve())
    except GenerateError as error:
        print(f"generate: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
