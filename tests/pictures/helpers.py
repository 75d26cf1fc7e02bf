"""Readers for the picture's exports, shared by every test that opens one."""

import shutil
import subprocess

import pytest


def pdf_text(data: bytes, tmp_path) -> str:
    """The PDF's text laid out as on the page (poppler's pdftotext), or skip without it."""
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext is not installed (Debian: apt-get install poppler-utils)")
    path = tmp_path / "lagesbild.pdf"
    path.write_bytes(data)
    result = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True
    )
    return result.stdout
