"""What a spec update changes for users of the SDK: each change classified (Breaking, Added, Changed),
recorded in the CHANGELOG's Unreleased section, and a breaking change held to a version bump."""
from __future__ import annotations

import copy
import gzip
import shutil
import subprocess
import sys

import pytest
import yaml

from conftest import ROOT, SPEC_PATH
from tools.release_check import package_version, version_problem
from tools.update_spec import YAML_LOADER, summarize_changes

UPSTREAM_2026_07_22 = ROOT / "test" / "data" / "upstream" / "openai-openapi-2026-07-22.yaml.gz"
CURRENT = yaml.safe_load(SPEC_PATH.read_text())


def synthetic_upstream() -> dict:
    """The vendored 2026-07-22 revision with five changes of the kinds upstream makes."""
    upstream = yaml.load(gzip.decompress(UPSTREAM_2026_07_22.read_bytes()), Loader=YAML_LOADER)
    schemas = upstream["components"]["schemas"]
    refer = schemas["RealtimeCallReferRequest"]                        # a request field renamed
    refer["properties"]["target"] = refer["properties"].pop("target_uri")
    refer["required"] = ["target"]
    modalities = schemas["RealtimeSessionCreateRequestGA"]["properties"]["output_modalities"]["items"]
    modalities["enum"].remove("text")                                  # an enum value removed from a request
    answer = schemas["RealtimeCreateClientSecretResponse"]["properties"]
    answer["value"] = {"anyOf": [{"type": "string"}, {"type": "null"}]}  # a response field made nullable
    answer["region"] = {"type": "string", "description": "Where the key works."}   # a response field added
    hangup = upstream["paths"]["/realtime/calls/{call_id}/hangup"]["post"]
    mute = copy.deepcopy(hangup)                                        # a new operation
    mute["operationId"] = "mute-realtime-call"
    upstream["paths"]["/realtime/calls/{call_id}/mute"] = {"post": mute}
    return upstream


@pytest.fixture(scope="module")
def update(tmp_path_factory):
    """update-spec from the current spec to the synthetic upstream, as a maintainer runs it."""
    where = tmp_path_factory.mktemp("update")
    upstream = where / "openapi-upstream.yaml"
    upstream.write_text(yaml.safe_dump(synthetic_upstream(), sort_keys=False))
    spec, changelog = where / "openapi.yaml", where / "CHANGELOG.md"
    shutil.copy(SPEC_PATH, spec)
    changelog.write_text("# Changelog\n\n## Unreleased\n\n- Added: something by hand.\n\n## 0.4.0: a release\n\n- x\n")
    result = subprocess.run([sys.executable, "-m", "tools.update_spec", str(upstream), "--output", str(spec),
                             "--changelog", str(changelog), "--commit", "f85dbe2"],
                            cwd=ROOT, capture_output=True, text=True, env={"SOURCE_DATE": "2026-12-02", "PATH": ""})
    assert result.returncode == 0, result.stderr
    return result.stdout, changelog.read_text()


@pytest.mark.parametrize("line", [
    "- **Breaking** (spec): request field removed: POST /realtime/calls/{call_id}/refer request target_uri",
    "- **Breaking** (spec): new request field is required: POST /realtime/calls/{call_id}/refer request target",
    "- **Breaking** (spec): request values: POST /realtime/client_secrets request session<oneOf0>.output_modalities[]: "
    "removed text",
    "- **Breaking** (spec): response field made nullable: POST /realtime/client_secrets response 200 value",
    "- Added (spec): operation POST /realtime/calls/{call_id}/mute (mute-realtime-call)",
    "- Added (spec): response field: POST /realtime/client_secrets response 200 region (string)",
    "- Added (spec): request field: POST /realtime/calls/{call_id}/refer request target (string)",
], ids=["renamed-old", "renamed-new", "enum-removed", "nullable", "operation", "response-field", "renamed-added"])
def test_each_synthetic_change_is_classified_in_the_changelog(update, line):
    stdout, changelog = update
    unreleased = changelog.split("## Unreleased\n\n", 1)[1].split("\n## ", 1)[0]
    assert line in unreleased.splitlines(), unreleased
    assert line.split(" (spec): ", 1)[1] in stdout


def test_the_entry_goes_into_unreleased_above_what_was_there_and_names_the_commit(update):
    _, changelog = update
    head, rest = changelog.split("## Unreleased\n\n", 1)
    assert head == "# Changelog\n\n"
    unreleased, released = rest.split("\n## 0.4.0", 1)
    lines = unreleased.strip().splitlines()
    assert lines[0] == "- Spec: updated to upstream commit f85dbe2 on 2026-12-02 (update-spec)."
    assert lines[-1] == "- Added: something by hand." and released == ": a release\n\n- x\n"
    breaking = [n for n, line in enumerate(lines) if "**Breaking**" in line]
    assert breaking and max(breaking) < min(n for n, line in enumerate(lines) if line.startswith("- Added (spec)"))


def test_nothing_else_is_reported_for_these_changes(update):
    """The five changes, seen from every place the SDK exposes the changed schemas, and nothing more."""
    stdout, _ = update
    reported = [line.strip() for line in stdout.split("API changes:\n", 1)[1].splitlines() if line.startswith("  ")]
    allowed = ("target_uri", "refer request target", "output_modalities[]", "response 200 value",
               "/mute", "response 200 region")
    assert reported and all(any(word in line for word in allowed) for line in reported), reported


@pytest.mark.parametrize("change, category", [
    (("request", "required", True), "Breaking"), (("request", "required", False), "Changed"),
    (("response", "required", False), "Breaking"), (("response", "required", True), "Changed"),
    (("request", "nullable", False), "Breaking"), (("request", "nullable", True), "Changed"),
    (("response", "nullable", True), "Breaking"), (("response", "nullable", False), "Changed"),
])
def test_requirement_and_null_changes_break_the_side_that_must_now_cope(change, category):
    side, attribute, now_set = change
    old, new = copy.deepcopy(CURRENT), copy.deepcopy(CURRENT)
    target = "RealtimeCallReferRequest" if side == "request" else "RealtimeCreateClientSecretResponse"
    field = "target_uri" if side == "request" else "expires_at"
    for spec, set_it in ((old, not now_set), (new, now_set)):
        schema = spec["components"]["schemas"][target]
        if attribute == "required":
            schema["required"] = [field] if set_it else []
        else:
            schema["properties"][field]["nullable"] = set_it
    lines = [line for line in summarize_changes(old, new) if line[1].endswith(field)]
    assert lines and {c for c, _ in lines} == {category}, lines


def test_a_removed_schema_is_a_breaking_removed_line_naming_its_imports(tmp_path):
    from tools.update_spec import changelog_lines
    new = copy.deepcopy(CURRENT)
    del new["components"]["schemas"]["MCPToolFilter"]
    summary = summarize_changes(CURRENT, new)
    assert ("Breaking", "removed: class MCPToolFilter") in summary
    lines = changelog_lines({"commit": "abc"}, summary, "2026-12-02")
    assert "- Removed: `openapi_client.MCPToolFilter`, `openapi_client.models.MCPToolFilter` (**Breaking**, spec: gone " \
           "upstream)" in lines


RELEASED = "# Changelog\n\n## Unreleased\n\n{entries}\n## 0.3.0: last\n\n- x\n\n## 0.2.0: before\n"


@pytest.mark.parametrize("entries, version, problem", [
    ("- **Breaking** (spec): request field removed: x\n", "0.3.1", "must be at least 0.4.0"),
    ("- **Breaking** (spec): request field removed: x\n", "0.4.0", None),
    ("- Removed: `openapi_client.X` (gone)\n", "0.3.1", "must be at least 0.4.0"),
    ("- Added (spec): request field: x\n", "0.3.1", None),
    ("- Added (spec): request field: x\n", "0.3.0", "0.3.0 is already released"),
    ("", "0.3.0", None),
])
def test_a_breaking_entry_needs_the_minor_bump_below_1_0(entries, version, problem):
    found = version_problem(RELEASED.format(entries=entries), version)
    assert (found is None) if problem is None else (problem in found), found


def test_from_1_0_a_breaking_entry_needs_the_major_bump():
    changelog = "## Unreleased\n\n- **Breaking**: gone\n\n## 1.2.0: last\n"
    assert "must be at least 2.0.0" in version_problem(changelog, "1.3.0")
    assert version_problem(changelog, "2.0.0") is None


def test_this_repositorys_changelog_fits_its_version():
    assert version_problem((ROOT / "CHANGELOG.md").read_text(), package_version()) is None
