"""Spreadsheet imports: CSV and XLSX, one row per offer or need, all or nothing."""

from mapservice.importing.columns import COLUMNS
from mapservice.importing.plan import build_plan

__all__ = ["COLUMNS", "build_plan"]
