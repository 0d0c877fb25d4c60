"""Counting the pages of a PDF the browser printed."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path


def pdf_pages(pdf: bytes, path: Path) -> int:
    """Pages of a PDF (its bytes, saved at ``path``): ``pdfinfo`` (poppler-utils) when
    installed, else its page objects."""
    if shutil.which("pdfinfo"):
        out = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True)
        found = re.search(r"^Pages:\s+(\d+)", out.stdout, flags=re.M)
        assert found is not None, out.stdout
        return int(found.group(1))
    return len(re.findall(rb"/Type\s*/Page\b(?!s)", pdf))
