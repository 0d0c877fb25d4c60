"""Debian's GDAL command-line tools (``ogrinfo``), as park managers run them against the API."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Sequence

import pytest

REQUIRE_GDAL = os.environ.get("MAPSERVICE_REQUIRE_GDAL") == "1"
OGRINFO = shutil.which("ogrinfo") or "/usr/bin/ogrinfo"


def ogrinfo_or_skip() -> str:
    """The ``ogrinfo`` program; skips (fails when GDAL is required) without one."""
    if not os.path.exists(OGRINFO):
        reason = f"no ogrinfo at {OGRINFO} (apt-get install gdal-bin; `.ci/run` does)"
        if REQUIRE_GDAL:
            pytest.fail(reason + " — required here (MAPSERVICE_REQUIRE_GDAL=1)")
        pytest.skip(reason)
    return OGRINFO


def ogrinfo_count(
    ogrinfo: str, source: str, layer: str, where: str, token: str, options: Sequence[str] = ()
) -> tuple[int, str]:
    """``ogrinfo -where`` over OAPIF signed with a personal token (HTTP Basic, as QGIS does):
    the layer's feature count, and GDAL's debug output (the URLs it asked for)."""
    done = subprocess.run(
        [
            ogrinfo,
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
