# coding: utf-8

"""The asyncio client, generated from the same spec as the sync one:

    async with openapi_client.aio.ApiClient(openapi_client.Configuration()) as api_client:
        secret = await openapi_client.aio.RealtimeApi(api_client).create_realtime_client_secret(request)

It shares Configuration, the models and openapi_client.exceptions with the sync client.
"""  # noqa: E501

try:
    import aiohttp  # noqa: F401
except ImportError as error:   # the transport is an extra, so sync users never load it
    raise ImportError("openapi_client.aio needs aiohttp, the async extra: "
                      "pip install 'openai-realtime-sessions[async]'") from error

from openapi_client.aio.api.realtime_api import RealtimeApi
from openapi_client.aio.api_client import ApiClient
from openapi_client.configuration import Configuration

__all__ = ["ApiClient", "Configuration", "RealtimeApi"]
