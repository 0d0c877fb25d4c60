"""The mobilisation table as rows and as files: the page's columns, the CSV for a
French-Canadian Excel and the workbook (openpyxl), all from one
:class:`~mapservice.registry.engagement.Mobilisation`.

The CSV is written as the layers' Excel CSV (:mod:`mapservice.exports.csv_typed`): a BOM,
``;`` between cells, a decimal comma, French headers, times ``AAAA-MM-JJ HH:MM:SS`` in UTC.
The workbook holds the same rows (sheet « membres », typed cells) and the quarters (sheet
« trimestres »).
"""

from __future__ import annotations

import csv
import io
from datetime import datetime
from typing import Any

from mapservice.domain.model import SynergyStatus
from mapservice.domain.moments import as_utc
from mapservice.domain.text import without_bidi
from mapservice.exports.formats import csv_safe
from mapservice.registry.engagement import MemberEngagement, Mobilisation, QuarterShare

#: The export's columns: (key, French header), in the page's order.
COLUMNS: tuple[tuple[str, str], ...] = (
    ("member_id", "N° du membre"),
    ("name", "Membre"),
    ("offers", "Offres déclarées"),
    ("needs", "Besoins déclarés"),
    ("candidate", "Synergies candidates"),
    ("contacted", "Synergies contactées"),
    ("in_progress", "Synergies en cours"),
    ("realised", "Synergies réalisées"),
    ("rejected", "Synergies rejetées"),
    ("events", "Événements suivis"),
    ("activity", "Activité (actions)"),
    ("activity_pct", "Part de l'activité (%)"),
    ("last_activity", "Dernière activité (UTC)"),
    ("score", "Score d'engagement"),
)
#: The quarters' columns in the workbook.
QUARTER_COLUMNS = (
    "Trimestre",
    "Début (UTC)",
    "Fin exclue (UTC)",
    "Actions",
    "Membres actifs",
    "Part des 20 % les plus actifs (%)",
)
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPE = "text/csv; charset=utf-8"


def percent(part: float | None) -> float | None:
    """A share (0 to 1) as a percentage with two decimals; None stays None."""
    return None if part is None else round(100 * part, 2)


def activity_percent(row: MemberEngagement, total_activity: int) -> float:
    """The member's part of all the activity, in percent with two decimals (0 when none)."""
    return percent(row.activity / total_activity) or 0.0 if total_activity else 0.0


def row_values(row: MemberEngagement, total_activity: int) -> list[Any]:
    """One member's cells, typed (int, float, text, time or None), in :data:`COLUMNS`' order."""
    return [
        row.member_id,
        row.name,
        row.offers,
        row.needs,
        *(row.synergies[s.value] for s in SynergyStatus),
        row.events,
        row.activity,
        activity_percent(row, total_activity),
        row.last_activity,
        row.score,
    ]


def table(view: Mobilisation) -> list[list[Any]]:
    """Every member's cells, quietest first (the page's order)."""
    return [row_values(r, view.total_activity) for r in view.rows]


def quarter_label(q: QuarterShare) -> str:
    """``T4 2026``: the quarter as a French reader writes it."""
    return f"T{q.quarter} {q.year}"


def _utc(moment: datetime) -> datetime:
    """A time as the files write it: UTC (their headers say so), to the second, no zone."""
    return (as_utc(moment) or moment).replace(tzinfo=None, microsecond=0)


def _excel_cell(value: Any) -> Any:
    """A cell as a French (Canada) Excel reads it from a CSV."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return _utc(value).strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, float):
        return f"{value:.2f}".replace(".", ",")
    return csv_safe(value)


def excel_csv(view: Mobilisation) -> str:
    """The table as a CSV for a French-Canadian Excel (see the module): BOM included."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([header for _, header in COLUMNS])
    for values in table(view):
        writer.writerow([_excel_cell(v) for v in values])
    return "\ufeff" + buffer.getvalue()


def xlsx_bytes(view: Mobilisation) -> bytes:
    """The workbook: sheet « membres » (the table), sheet « trimestres » (the trend)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    book = Workbook(write_only=True)

    def cell(sheet: Any, value: Any) -> Any:
        if isinstance(value, datetime):
            moment = WriteOnlyCell(sheet, value=_utc(value))  # UTC, said in the header
            moment.number_format = "yyyy-mm-dd hh:mm:ss"
            return moment
        if isinstance(value, str):
            text = WriteOnlyCell(sheet, value=without_bidi(value))
            text.data_type = "s"  # never a live formula
            return text
        return value

    members = book.create_sheet("membres")
    members.append([header for _, header in COLUMNS])
    for values in table(view):
        members.append([cell(members, v) for v in values])
    quarters = book.create_sheet("trimestres")
    quarters.append(list(QUARTER_COLUMNS))
    for q in view.quarters:
        quarters.append(
            [
                quarter_label(q),
                cell(quarters, q.start),
                cell(quarters, q.end),
                q.actions,
                q.active_members,
                percent(q.share),
            ]
        )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
