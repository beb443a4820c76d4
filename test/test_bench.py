"""A smoke run of the benchmark harness: it runs end to end and writes its record. No thresholds:
speed is judged by `make bench`, never by a test."""
from __future__ import annotations

import json
import os
import subprocess
import sys

from conftest import ROOT


def test_bench_harness_smoke_run_writes_a_complete_record(tmp_path):
    result = subprocess.run([sys.executable, "-m", "bench.run", "--smoke", "--out", str(tmp_path)], cwd=ROOT,
                            env=dict(os.environ, PYTHONPATH=str(ROOT)), capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert "CPU per call" in result.stdout and "targets" in result.stdout
    record = json.loads((tmp_path / "latest.json").read_text())
    assert record["smoke"] is True
    for section in ("cpu_per_call_s", "parse_s", "cold_import_and_first_call_s", "calls_per_s_8_threads"):
        assert record[section]["sdk"] > 0, section
    assert record["cpu_per_call_s"]["urllib3+json"] > 0 and record["parse_s"]["pydantic model_validate_json"] > 0
    assert record["parse_s"]["sdk client_secrets (GA, 1 KB)"] > 0
    assert record["ratios"]["sdk_cpu_vs_urllib3"] > 0
    garbage = record["cyclic_garbage_objects_per_call"]   # openai joins in where it is installed
    assert {"urllib3+json", "urllib3 pre-routed+json", "sdk"} <= set(garbage) and set(garbage.values()) == {0}
    events = record["realtime_events"]
    assert events["recv_cpu_per_event_s"]["sdk"] > 0 and events["recv_cpu_per_event_s"]["websockets+json"] > 0
    assert events["send_cpu_per_event_s"]["sdk"] > 0 and record["ratios"]["sdk_events_recv_vs_floor"] > 0
    assert len(list(tmp_path.glob("bench-*.json"))) == 1
    # the typed floors (same models, bare HTTP) and each ratio's per-round spread
    assert record["ga_client_secret_cpu_per_call_s"]["urllib3 typed (same models)"] > 0
    assert record["async_50_in_flight"]["cpu_per_call_s"]["aiohttp typed (same models)"] > 0
    assert record["ratios"]["sdk_ga_cpu_vs_typed_floor"] > 0 and record["ratios"]["sdk_async_cpu_vs_typed_floor"] > 0
    low, middle, high = record["ratio_spreads"]["sdk_ga_cpu_vs_typed_floor"]
    assert low <= middle <= high
    assert "async SDK / typed floor" in result.stdout and "[" in result.stdout
    # the typed floor with the SDK's checks inline parts the SDK's layers from its checks
    assert record["async_50_in_flight"]["cpu_per_call_s"]["aiohttp checked (SDK checks inline)"] > 0
    ratios = record["ratios"]
    assert ratios["sdk_async_cpu_vs_checked_floor"] > 0 and ratios["async_checked_floor_cpu_vs_typed_floor"] > 0
    assert "async SDK / checked floor" in result.stdout


def test_bench_check_judges_each_target_on_the_median_of_its_runs():
    from bench.check import judged
    runs = [{"sdk_ga_cpu_vs_typed_floor": v, "openai_ga_cpu_vs_sdk": o} for v, o in ((1.30, 3.5), (1.05, 2.5), (1.08, 3.1))]
    rows = {ratio: (values, middle, met) for ratio, _, _, values, middle, met in judged(runs)}
    assert rows["sdk_ga_cpu_vs_typed_floor"] == ([1.30, 1.05, 1.08], 1.08, True)   # one slow run does not decide
    assert rows["openai_ga_cpu_vs_sdk"] == ([3.5, 2.5, 3.1], 3.1, True)
    assert rows["sdk_cold_seconds"] == ([None, None, None], None, None)   # not measured: neither met nor missed
    slow = judged([{"sdk_ga_cpu_vs_typed_floor": v} for v in (1.2, 1.15, 1.01)])
    assert next(met for ratio, *_, met in slow if ratio == "sdk_ga_cpu_vs_typed_floor") is False


def test_the_bench_client_secrets_answer_is_the_operations_own_example():
    from conftest import SPEC
    example = SPEC["paths"]["/realtime/client_secrets"]["post"]["x-oaiMeta"]["examples"]["response"]
    assert json.loads((ROOT / "bench" / "client_secret_answer.json").read_text()) == json.loads(example)


def test_the_stage_profile_runs_and_names_every_stage():
    result = subprocess.run([sys.executable, "-m", "bench.stages", "--rounds", "1", "--calls", "5"], cwd=ROOT,
                            env=dict(os.environ, PYTHONPATH=str(ROOT)), capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    stages = json.loads(result.stdout.strip().splitlines()[-1])
    for stage in ("build", "validate (whole - unchecked)", "serialize", "transport", "transport floor (urllib3)", "parse",
                  "async transport", "async transport floor (aiohttp)"):
        assert stage in stages and stages[stage] == stages[stage], stage   # a number, never NaN
    assert stages["whole call"] > 0 and stages["transport floor (urllib3)"] > 0
