"""Packaging for openapi_client: the OpenAI Realtime API SDK generated from openapi.yaml."""
import re
from pathlib import Path

from setuptools import find_packages, setup

HERE = Path(__file__).parent
URL = "https://github.com/openapi-client/openai-realtime-sessions"
# The one version lives in generator-config.yaml; generation writes it into __init__.py.
VERSION = re.search(r'^__version__ = "([^"]+)"', (HERE / "openapi_client" / "__init__.py").read_text(), re.M).group(1)
REQUIRES = [
    line.split("#", 1)[0].strip()
    for line in (HERE / "requirements.txt").read_text().splitlines()
    if line.split("#", 1)[0].strip()
]


def long_description() -> str:
    """The README with its relative links made absolute, so they work on a package index."""
    text = (HERE / "README.md").read_text(encoding="utf-8")
    return re.sub(r"\]\((?!https?://|#|mailto:)([^)\s]+)\)", lambda m: "](%s/blob/main/%s)" % (URL, m.group(1)), text)


setup(
    name="openai-realtime-sessions",
    version=VERSION,
    description="Python SDK for the OpenAI Realtime API's REST surface (client secrets, calls, SIP control), "
                "generated from the OpenAI spec, sync and async",
    long_description=long_description(),
    long_description_content_type="text/markdown",
    url=URL,
    project_urls={
        "Source": URL,
        "Changelog": URL + "/blob/main/CHANGELOG.md",
        "Issues": URL + "/issues",
        "Documentation": URL + "/blob/main/docs/RealtimeApi.md",
    },
    license_expression="MIT",   # PEP 639 License-Expression
    license_files=["LICENSE", "LICENSE-openai-openapi"],
    python_requires=">=3.10",   # 3.9 is past its end of life; the generator and the test tools need 3.10
    install_requires=REQUIRES,
    # openapi_client.aio: the asyncio client's transport, installed only on request
    extras_require={"async": ["aiohttp>=3.9"], "realtime": ["websockets>=15.0"]},
    packages=find_packages(include=["openapi_client", "openapi_client.*"]),
    package_data={"openapi_client": ["py.typed"]},
    include_package_data=False,
    classifiers=[
        "Development Status :: 4 - Beta",
        "Intended Audience :: Developers",
        "Operating System :: OS Independent",
        "Programming Language :: Python :: 3",
        "Programming Language :: Python :: 3 :: Only",
        "Programming Language :: Python :: 3.10",
        "Programming Language :: Python :: 3.11",
        "Programming Language :: Python :: 3.12",
        "Programming Language :: Python :: 3.13",
        "Framework :: AsyncIO",
        "Typing :: Typed",
    ],
    keywords=["OpenAI", "Realtime", "WebRTC", "OpenAPI", "openapi-generator"],
)
