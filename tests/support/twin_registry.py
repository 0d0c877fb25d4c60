"""A twin of a registry that differs only in what the public may not know.

:func:`make_twin` changes, in a copy of the database, every hidden value outside one park (the
park manager's, whose sites they see exactly): the points, names, addresses, postal codes,
6-digit codes and descriptions of sites of members who did not consent; every confidential
quantity; and every synergy figure that follows from them (distances, time, tonnes, CO2e,
costs, benefit, score). Whatever a non-staff reader gets must be the same from both: any
difference, in a body, a count, an order or a tag, is a side channel.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path
from typing import Any

from tests.support.pages import map_data

#: A word that only the twin's hidden descriptions hold: a search for it must find nothing.
TWIN_WORD = "variantesecrete"

_HIDDEN_SITES = (
    "SELECT s.id FROM sites s JOIN members m ON m.id = s.member_id "
    "WHERE NOT m.public_consent AND (s.park_id IS NULL OR s.park_id != :park)"
)


def make_twin(source: Path, target: Path, *, park: str) -> None:
    """Copy ``source`` to ``target`` and change its hidden values (see the module)."""
    shutil.copy(source, target)
    con = sqlite3.connect(target)
    with con:
        hidden = [row[0] for row in con.execute(_HIDDEN_SITES, {"park": park})]
        marks = ",".join("?" * len(hidden))
        con.execute(
            f"UPDATE sites SET lon = lon + 0.004, lat = lat - 0.003, "
            f"name = CASE WHEN id % 2 THEN 'zz ' ELSE 'aa ' END || name, "
            f"address = address || ' bis', postal_code = 'G0G 0G0' WHERE id IN ({marks})",
            hidden,
        )
        kept = {r[0] for r in con.execute("SELECT member_id FROM sites WHERE park_id = ?", [park])}
        members = [
            r[0]
            for r in con.execute(
                f"SELECT DISTINCT member_id FROM sites WHERE id IN ({marks})", hidden
            )
            if r[0] not in kept
        ]
        con.execute(
            f"UPDATE members SET naics_code = substr(naics_code, 1, 2) || '9999', "
            f"name = 'Autre ' || name WHERE id IN ({','.join('?' * len(members))})",
            members,
        )
        con.execute(
            f"UPDATE flows SET description = description || ' {TWIN_WORD}' "
            f"WHERE site_id IN ({marks})",
            hidden,
        )
        con.execute("UPDATE flows SET quantity = quantity * 1.5 WHERE confidential")
        moved = (
            f"(SELECT f.id FROM flows f WHERE f.site_id IN ({marks}))",
            "(SELECT id FROM flows WHERE confidential)",
        )
        con.execute(
            f"UPDATE synergies SET geodesic_m = geodesic_m * 1.1, road_m = road_m * 1.1, "
            f"duration_s = duration_s * 1.1, transport_kg_co2e = transport_kg_co2e * 1.3, "
            f"transport_cost_cad = transport_cost_cad * 1.3, net_kg_co2e = net_kg_co2e * 1.3, "
            f"net_benefit_cad = net_benefit_cad * 1.3, score = score * 0.97 "
            f"WHERE output_flow_id IN {moved[0]} OR input_flow_id IN {moved[0]}",
            hidden + hidden,
        )
        con.execute(
            f"UPDATE synergies SET tonnes_per_year = tonnes_per_year * 1.5, "
            f"avoided_kg_co2e = avoided_kg_co2e * 1.5, net_kg_co2e = net_kg_co2e * 1.5, "
            f"transport_kg_co2e = transport_kg_co2e * 1.5, net_benefit_cad = "
            f"net_benefit_cad * 1.5, score = score * 0.96 "
            f"WHERE output_flow_id IN {moved[1]} OR input_flow_id IN {moved[1]}"
        )
    con.close()


def answer(client: Any, url: str) -> Any:
    """What a reader gets from ``url``, made comparable: a page's map data (the page itself
    carries a per-request nonce and the session's CSRF token), a document without its
    ``timeStamp``, or the body; with the status, and the ETag where the body has no time."""
    resp = client.get(url)
    body = resp.get_data(as_text=True)
    if resp.mimetype == "text/html" and "MapService.draw" in body:
        return resp.status_code, map_data(body)
    if resp.mimetype in ("application/json", "application/geo+json"):
        doc = json.loads(body)
        if isinstance(doc, dict) and "timeStamp" in doc:
            doc.pop("timeStamp")  # and the tag, a hash of the body with its time in it
            return resp.status_code, doc
        return resp.status_code, doc, resp.headers.get("ETag")
    return resp.status_code, body
