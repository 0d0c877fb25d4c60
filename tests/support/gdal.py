"""GDAL's command-line tools (Debian's ``gdal-bin``, GDAL 3.6) and pyogrio's GDAL options,
for tests that read our files and URLs with real GIS clients, and run ``ogrinfo`` against the
API as park managers do."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Sequence
from typing import Any

import pytest

REQUIRE_GDAL = os.environ.get("MAPSERVICE_REQUIRE_GDAL") == "1"
OGRINFO = "/usr/bin/ogrinfo"


def ogrinfo_or_skip() -> str:
    """Debian's GDAL 3.6 ``ogrinfo`` (else the one on the path); a skip says why when missing
    (a failure when ``MAPSERVICE_REQUIRE_GDAL=1``)."""
    if os.path.exists(OGRINFO):
        return OGRINFO
    found = shutil.which("ogrinfo")
    if found:
        return found
    reason = f"no ogrinfo at {OGRINFO} (apt-get install gdal-bin; `.ci/run` does)"
    if REQUIRE_GDAL:
        pytest.fail(reason + " — required here (MAPSERVICE_REQUIRE_GDAL=1)")
    pytest.skip(reason)


def ogrinfo(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """``ogrinfo -ro ARGS`` with ``env`` added to ours; its output as text."""
    return subprocess.run(
        [ogrinfo_or_skip(), "-ro", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**os.environ, **(env or {})},
    )


def ogrinfo_count(
    program: str, source: str, layer: str, where: str, token: str, options: Sequence[str] = ()
) -> tuple[int, str]:
    """``ogrinfo -where`` over OAPIF signed with a personal token (HTTP Basic, as QGIS does):
    the layer's feature count, and GDAL's debug output (the URLs it asked for)."""
    done = subprocess.run(
        [
            program,
            "-ro",
            "-so",
            "--debug",
            "on",
            "--config",
            "GDAL_HTTP_AUTH",
            "BASIC",
            "--config",
            "GDAL_HTTP_USERPWD",
            f"qgis:{token}",
            *options,
            source,
            layer,
            "-where",
            where,
        ],
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    out = done.stdout + done.stderr
    found = re.search(r"^Feature Count: (\d+)$", done.stdout, re.MULTILINE)
    assert done.returncode == 0 and found, out[-3000:]
    return int(found.group(1)), out


def field_types(report: str) -> dict[str, str]:
    """The ``name: Type (w.p)`` lines of ``ogrinfo -so`` as {name: Type}."""
    kinds = ("Integer", "Integer64", "Integer(Boolean)", "Real", "String", "DateTime", "Date")
    types = {}
    for line in report.splitlines():
        name, sep, rest = line.partition(": ")
        if sep and rest and rest.split(" ")[0] in kinds:
            types[name.strip()] = rest.split(" ")[0]
    return types


class pyogrio_options:  # noqa: N801 - used as a context manager's name
    """pyogrio's GDAL configuration options for the block (process-wide in pyogrio),
    unset after it."""

    def __init__(self, options: dict[str, str]) -> None:
        self.options = options

    def __enter__(self) -> None:
        import pyogrio

        pyogrio.set_gdal_config_options(self.options)

    def __exit__(self, *exc: Any) -> None:
        import pyogrio

        pyogrio.set_gdal_config_options(dict.fromkeys(self.options))
