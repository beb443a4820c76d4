# flake8: noqa

# import apis into api package
from openapi_client.api.realtime_api import RealtimeApi

