"""A downstream consumer's smoke test: the stock `-g python` client generated from the openapi.yaml we
ship (no project templates, default options) imports and completes calls against the local server.
It proves the spec is sound without this SDK's templates."""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap

from conftest import GENERATOR, ROOT
SCRIPT = textwrap.dedent("""
    import stock_client
    from local_server import LocalRealtimeServer

    with LocalRealtimeServer(api_key="sk-stock") as server:
        api = stock_client.RealtimeApi(stock_client.ApiClient(
            stock_client.Configuration(host=server.base_url, access_token="sk-stock")))
        secret = api.create_realtime_client_secret(stock_client.RealtimeCreateClientSecretRequest.from_dict(
            {"expires_after": {"anchor": "created_at", "seconds": 120},
             "session": {"type": "realtime", "model": "gpt-realtime", "audio": {"output": {"voice": "marin"}}}}))
        session = secret.session.actual_instance
        print("minted", secret.value.startswith("ek_"), type(session).__name__, session.model,
              session.audio.output.voice.actual_instance)   # a stock client wraps the voice union
        call_id = server.ring()
        api.hangup_realtime_call(call_id)
        print("hung up", call_id not in server.calls)
""")


def test_the_stock_python_client_from_our_spec_mints_a_key_and_hangs_up(tmp_path):
    subprocess.run([str(GENERATOR), "generate", "-g", "python", "-i", str(ROOT / "openapi.yaml"), "-o", str(tmp_path),
                    "--additional-properties", "packageName=stock_client"], check=True, capture_output=True, timeout=300)
    assert not (tmp_path / "stock_client" / "_runtime.py").exists()   # no project template reached it
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(tmp_path), str(ROOT)]))
    result = subprocess.run([sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["minted True RealtimeSessionCreateResponseGA gpt-realtime marin",
                                          "hung up True"]
