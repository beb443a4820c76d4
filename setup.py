"""Packaging for openapi_client: the OpenAI Realtime sessions SDK generated from openapi.yaml."""
import re
from pathlib import Path

from setuptools import find_packages, setup

HERE = Path(__file__).parent
# The one version lives in generator-config.yaml; generation writes it into __init__.py.
VERSION = re.search(r'^__version__ = "([^"]+)"', (HERE / "openapi_client" / "__init__.py").read_text(), re.M).group(1)
REQUIRES = [
    line.strip()
    for line in (HERE / "requirements.txt").read_text().splitlines()
    if line.strip() and not line.startswith("#")
]

setup(
    name="openai-realtime-sessions",
    version=VERSION,
    description="Python SDK for OpenAI Realtime POST /v1/realtime/sessions (mint ephemeral keys), generated from the OpenAI spec",
    long_description=(HERE / "README.md").read_text(encoding="utf-8"),
    long_description_content_type="text/markdown",
    license="MIT",
    license_files=["LICENSE", "LICENSE-openai-openapi"],
    python_requires=">=3.9",
    install_requires=REQUIRES,
    # openapi_client.aio: the asyncio client's transport, installed only on request
    extras_require={"async": ["aiohttp>=3.9"]},
    packages=find_packages(include=["openapi_client", "openapi_client.*"]),
    package_data={"openapi_client": ["py.typed"]},
    include_package_data=False,
    classifiers=[
        "License :: OSI Approved :: MIT License",
        "Programming Language :: Python :: 3",
        "Typing :: Typed",
    ],
    keywords=["OpenAI", "Realtime", "OpenAPI", "openapi-generator"],
)
