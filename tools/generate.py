"""Generate the client from openapi.yaml in two openapi-generator passes.

The python generator gives a nested model property no fields in any template
(openapi-generator #18598), so one pass cannot show a request body with its nested
models filled in, as the TypeScript docs do. So:

1. A first pass into a scratch folder renders `.openapi-generator/doc-examples.yaml`
   (templates/doc_examples.mustache): each model's constructor example, with a
   `<<example:Name>>` placeholder where a nested model goes.
2. This script nests those examples and hands each request body its complete example
   as `x-py-example` in a scratch copy of the spec. Nothing else in the spec changes.
3. The second pass generates into the project from that copy; api_doc_example renders it.
4. Files the previous run listed in `.openapi-generator/FILES` that this run no longer
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

CONFIG = "generator-config.yaml"
SPEC = "openapi.yaml"
EXAMPLES = Path(".openapi-generator", "doc-examples.yaml")
MANIFEST = Path(".openapi-generator", "FILES")
PLACEHOLDER = re.compile(r"<<example:(\w+)>>")


class GenerateError(Exception):
    """The generator failed, or its output is not what the second pass needs."""


def nested_example(name: str, examples: dict[str, str], outer: tuple[str, ...] = ()) -> str:
    """Model `name`'s example with every nested model filled in.

    Models without an object example (oneOf, anyOf) and models that contain themselves
    become None, as `null` does in the TypeScript docs.
    """
    if name not in examples or name in outer:
        return "None"
    text = examples[name]

    def fill(match: re.Match[str]) -> str:
        line_start = text.rfind("\n", 0, match.start()) + 1
        indent = text[line_start:len(text) - len(text[line_start:].lstrip(" "))]
        return nested_example(match.group(1), examples, outer + (name,)).replace("\n", "\n" + indent)

    return PLACEHOLDER.sub(fill, text)


def spec_with_body_examples(spec: dict, rendered: dict) -> dict:
    """The spec with each model request body's complete example as `x-py-example`."""
    examples = rendered.get("models") or {}
    for body in rendered.get("request_bodies") or []:
        try:
            request_body = spec["paths"][body["path"]][body["method"]]["requestBody"]
        except KeyError as missing:
            raise GenerateError(f"{body['method'].upper()} {body['path']}: no request body in {SPEC} ({missing})") from None
        if "$ref" in request_body:
            raise GenerateError(f"{body['method'].upper()} {body['path']}: a $ref request body cannot carry x-py-example")
        request_body["x-py-example"] = nested_example(body["model"], examples)
    return spec


def run_generator(generator: str, root: Path, *args: str) -> None:
    done = subprocess.run([generator, "generate", "-c", CONFIG, *args], cwd=root, capture_output=True, text=True)
    if done.returncode != 0:
        raise GenerateError(f"openapi-generator failed:\n{done.stdout}{done.stderr}")


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
        first_pass = Path(scratch, "first-pass")
        run_generator(generator, root, "-o", str(first_pass))
        rendered = yaml.safe_load((first_pass / EXAMPLES).read_text())
        spec = yaml.safe_load((root / SPEC).read_text())
        derived = Path(scratch, SPEC)
        derived.write_text(yaml.safe_dump(spec_with_body_examples(spec, rendered), sort_keys=False, allow_unicode=True))
        run_generator(generator, root, "-i", str(derived))
    for name in remove_stale(root, before, manifest(root)):
        print(f"generate: removed {name} (no longer generated)")
    leftovers = [str(path.relative_to(root)) for path in (root / "docs").glob("*.md") if PLACEHOLDER.search(path.read_text())]
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
