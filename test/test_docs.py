"""Every operation's example in docs/RealtimeApi.md runs as written against a local HTTP server."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest

from conftest import CONTRACT, ROOT, SPEC, Reply, Seen

DOC = (ROOT / "docs" / "RealtimeApi.md").read_text()
SDP_ANSWER = SPEC["paths"]["/realtime/calls"]["post"]["x-oaiMeta"]["examples"]["response"]


def operation_sections() -> dict:
    """{python method name: its section of the page}."""
    parts = re.split(r"^# \*\*(\w+)\*\*\n", DOC, flags=re.M)
    return dict(zip(parts[1::2], parts[2::2]))


def answer_like_the_api(seen: Seen) -> Reply:
    """The operation's own example answer: JSON, an SDP answer with Location, or an empty 200."""
    path = seen.path[len(CONTRACT.base_path):]
    template = next(p for p in SPEC["paths"] if re.fullmatch(re.sub(r"\{\w+\}", "[^/]+", p), path))
    operation = SPEC["paths"][template]["post"]
    status, response = next(iter(operation["responses"].items()))
    content = response.get("content") or {}
    if "application/json" in content:
        return Reply(body=json.loads(operation["x-oaiMeta"]["examples"]["response"]))
    if "application/sdp" in content:
        return Reply(status=int(status), body=SDP_ANSWER, contract=False,
                     headers={"Content-Type": "application/sdp", "Location": "/v1/realtime/calls/rtc_doc"})
    return Reply(status=int(status), body=b"", contract=False)


def test_the_page_documents_every_operation_of_the_spec():
    operation_ids = sorted(op["operationId"] for item in SPEC["paths"].values() for op in item.values())
    assert sorted(operation_sections()) == sorted(i.replace("-", "_") for i in operation_ids)


@pytest.mark.parametrize("method", sorted(operation_sections()))
def test_each_operation_example_runs_as_written(server, method):
    server.script(answer_like_the_api)
    example = re.search(r"```python\n(.*?)```", operation_sections()[method], re.S).group(1)
    env = dict(os.environ, OPENAI_API_KEY="sk-docs-example-key", OPENAI_BASE_URL=server.base_url,
               PYTHONPATH=str(ROOT))
    result = subprocess.run([sys.executable, "-c", example], env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "Exception" not in result.stdout, result.stdout
    if method == "create_realtime_call":   # the call id comes in Location: the example reads it
        assert "Location: /v1/realtime/calls/rtc_doc" in result.stdout
    assert "os.environ" not in example   # Configuration() reads the environment: no bare KeyError
    (seen,) = server.requests
    assert seen.headers["Authorization"] == "Bearer sk-docs-example-key"
    assert seen.method == "POST"
    if seen.headers.get("Content-Type") == "application/json":
        assert isinstance(seen.json(), dict)   # the body the example built, checked against the spec by the fixture


@pytest.mark.parametrize("method", sorted(operation_sections()))
def test_each_operation_async_example_runs_after_the_sync_one(server, method):
    server.script(answer_like_the_api)
    sync_example, async_example = re.findall(r"```python\n(.*?)```", operation_sections()[method], re.S)[:2]
    program = "%s\nimport asyncio\n%s\nprint('async result:', asyncio.run(%s_async()))\n" % (
        sync_example, async_example, method)
    env = dict(os.environ, OPENAI_API_KEY="sk-docs-example-key", OPENAI_BASE_URL=server.base_url,
               PYTHONPATH=str(ROOT))
    result = subprocess.run([sys.executable, "-c", program], env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "await api_instance.%s(" % method in async_example and "async result:" in result.stdout
    first, second = server.requests   # the sync call, then the async one: the same request
    assert (first.path, first.headers.get("Content-Type", "").split(";")[0]) == (
        second.path, second.headers.get("Content-Type", "").split(";")[0])
    if first.headers.get("Content-Type") == "application/json":
        assert first.json() == second.json()


def test_every_link_from_the_docs_into_the_readme_has_its_section():
    readme = (ROOT / "README.md").read_text()
    anchors = set(re.findall(r'<a id="([\w-]+)"></a>', readme))
    anchors |= {re.sub(r"[^\w\- ]", "", title).strip().lower().replace(" ", "-")
                for title in re.findall(r"^#+ (.+)$", readme, re.M)}
    linked = {anchor for page in (ROOT / "docs").glob("*.md")
              for anchor in re.findall(r"README\.md#([\w-]+)", page.read_text())}
    assert linked and linked <= anchors, linked - anchors


def test_every_model_page_example_runs_as_written():
    """Each model page builds a complete instance and round-trips it (the stock page called to_json()
    on the class). All pages run in one interpreter, each in its own namespace."""
    pages = sorted(path for path in (ROOT / "docs").glob("*.md") if path.name != "RealtimeApi.md")
    examples = {path.stem: match.group(1) for path in pages
                if (match := re.search(r"```python\n(.*?)```", path.read_text(), re.S))}
    assert len(examples) > 60
    script = (
        "import json, sys\n"
        "failures = {}\n"
        "for name, code in json.loads(sys.stdin.read()).items():\n"
        "    try:\n"
        "        exec(compile(code, name, 'exec'), {})\n"
        "    except Exception as error:\n"
        "        failures[name] = repr(error)[:300]\n"
        "print(json.dumps(failures))\n")
    result = subprocess.run([sys.executable, "-c", script], input=json.dumps(examples), capture_output=True, text=True,
                            env=dict(os.environ, PYTHONPATH=str(ROOT)), timeout=120)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == {}
