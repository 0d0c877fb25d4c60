"""One reader's whole attack: read every output they may open, run every attack, count what
was recovered (:func:`findings`). The inference tests assert on it; the same function gives
the before/after numbers of the closing note."""

from __future__ import annotations

import re
from typing import Any

from mapservice.domain.text import fold
from mapservice.services import Services
from tests.support.inference_attacks import (
    figure_inversion,
    line_ends,
    recovered_positions,
    recovered_quantities,
    score_inversion,
    trilaterate,
)
from tests.support.inference_data import (
    Record,
    Truth,
    export_features,
    feature_record,
    map_records,
    ogc_features,
)
from tests.support.pages import map_data

#: What each role may open beyond the map and the exports.
OGC_ROLES = ("park_manager", "staff")
PRESENTER_ROLES = ("presenter", "staff")
#: A word no description holds: the search oracle's control.
NONSENSE = "zqxjwv"


def _records(role: str, client: Any, truth: Truth) -> list[Record]:
    synergies = export_features(client, "synergies")
    out = [feature_record("export", f) for f in synergies]
    by_id = {f["properties"]["synergy_id"]: f for f in export_features(client, "routes")}
    for r, f in zip(list(out), synergies, strict=True):
        route = by_id.get(f["properties"]["synergy_id"])
        if route is not None and route["geometry"]:
            out.append(Record("routes", r.output_flow_id, r.input_flow_id, ends=_route_ends(route)))
    if role in OGC_ROLES:
        features, _ = ogc_features(client, "synergies")
        out += [feature_record("ogcapi", f) for f in features]
    anonymised = role != "staff"
    page = client.get("/").get_data(as_text=True)
    out += map_records("map", page, truth, anonymised=anonymised)
    if role in PRESENTER_ROLES:
        for url in ("/present/1?anonyme=1", "/present/1/telecharger?anonyme=1"):
            resp = client.get(url)
            assert resp.status_code == 200, (url, resp.status_code)
            out += map_records(url, resp.get_data(as_text=True), truth, anonymised=True)
    return out


def _route_ends(feature: dict[str, Any]) -> Any:
    parts = feature["geometry"]["coordinates"]
    return tuple(parts[0][0][:2]), tuple(parts[-1][-1][:2])


def _words(text: str) -> list[str]:
    return [w for w in re.split(r"[^a-z0-9]+", fold(text)) if len(w) >= 5]


def search_oracle(
    client: Any, role: str, truth: Truth, svc: Services, targets: set[int], limit: int = 10
) -> dict[str, int]:
    """Probe ``q`` with a word of hidden flows' descriptions: a hit is an answer that holds the
    hidden flow (exports, OGC API) or an anonymised site the word is not shown for (the map).

    The search also answers from the taxonomy: a word of one of a category's names (« camion »
    in « pneus de camion ») finds every flow of that category, whatever its description, and
    every reader is shown categories. So a word that names the hidden flow's own category is no
    probe, and a map site that shows a category the word names is no hit."""
    from mapservice.materials.search_terms import parse_query

    def named(word: str) -> set[str]:
        return {c for t in parse_query(word, svc.search_vocabulary).terms for c in t.codes}

    code_of = {cat.label("fr"): cat.code for cat in svc.taxonomy}
    probes = []
    for flow in truth.flows.values():
        if flow.site_id not in targets or flow.id is None:
            continue
        label = fold(svc.taxonomy.label(flow.category_code))
        words = [
            w
            for w in _words(flow.description)
            if w not in label and flow.category_code not in named(w)
        ]
        if words:
            probes.append((flow, words[0]))
        if len(probes) >= limit:
            break
    hits = {"export": 0, "map": 0, "ogcapi": 0, "probes": len(probes)}
    for flow, word in probes:
        args = {"q": word, "category": flow.category_code}
        ids = {f["properties"]["flow_id"] for f in export_features(client, "flows", **args)}
        hits["export"] += flow.id in ids
        if role in OGC_ROLES:
            features, _ = ogc_features(client, "flows", **args)
            hits["ogcapi"] += flow.id in {f["properties"]["flow_id"] for f in features}
        page = client.get("/", query_string={"q": word}).get_data(as_text=True)
        for site in map_data(page)["sites"]["features"]:
            props = site["properties"]
            shown = " ".join(str(row[0]) for row in (*props["o"], *props["b"]))
            shown_codes = {code_of.get(str(row[0])) for row in (*props["o"], *props["b"])}
            by_category = not shown_codes.isdisjoint(named(word))
            if (
                props.get("a")
                and not by_category
                and word not in fold(shown)
                and word not in fold(props["n"])
            ):
                hits["map"] += 1
                break
    return hits


def property_oracle(
    client: Any, role: str, truth: Truth, targets: set[int], limit: int = 10
) -> dict[str, int]:
    """Filter the OGC API on hidden values: a hidden member's name (sites and flows) and a
    confidential quantity (flows). A hit is an answer that holds the hidden site or flow: the
    filter matched a value the reader is not shown."""
    names = [(i, truth.sites[i].member_name) for i in sorted(targets) if truth.sites[i].member_name]
    quantities = sorted(truth.secret_quantities().items())
    probes = names[:limit] + [(i, q) for i, q in quantities[:limit]]
    hits = {"ogcapi": 0, "probes": len(probes)}
    if role not in OGC_ROLES:
        return hits
    for site_id, name in names[:limit]:
        found, _ = ogc_features(client, "sites", member=str(name))
        flows, _ = ogc_features(client, "flows", member=str(name))
        hits["ogcapi"] += site_id in {f["id"] for f in found} or site_id in {
            f["properties"]["site_id"] for f in flows
        }
    for flow_id, quantity in quantities[:limit]:
        found, _ = ogc_features(client, "flows", quantity=repr(float(quantity)))
        hits["ogcapi"] += flow_id in {f["id"] for f in found}
    return hits


def findings(
    role: str, client: Any, svc: Services, own_parks: frozenset[str] = frozenset()
) -> dict[str, Any]:
    """What ``role`` recovers, by attack: hidden quantities (within 25 %), hidden positions
    (within 2 km and closer than the published point), 6-digit codes, search hits."""
    truth = Truth.read(svc)
    targets = truth.hidden_sites(own_parks)
    secret = truth.secret_quantities()
    records = _records(role, client, truth)
    flows = export_features(client, "flows")
    sites = export_features(client, "sites")
    known = {
        f["properties"]["flow_id"]: f["properties"]["quantity"]
        for f in flows
        if f["properties"].get("quantity")
    }
    exact = {
        f["properties"]["site_id"]: tuple(f["geometry"]["coordinates"][:2])
        for f in sites
        if f["properties"].get("member") and f["geometry"]
    }
    site_of = {i: f.site_id for i, f in truth.flows.items()}
    category = {i: f.category_code for i, f in truth.flows.items()}
    model = svc.transport_model
    by_figures = recovered_quantities(
        figure_inversion(records, model, svc.taxonomy, category), secret
    )
    by_score = recovered_quantities(score_inversion(records, known), secret)
    by_distance = recovered_positions(trilaterate(records, exact, site_of, targets), truth, targets)
    by_ends = recovered_positions(line_ends(records, site_of, targets), truth, targets)
    naics = {
        f["properties"]["site_id"]
        for f in sites
        if f["properties"]["site_id"] in targets and len(f["properties"].get("naics") or "") > 2
    }
    return {
        "targets": len(targets),
        "secret_quantities": len(secret),
        "quantities_by_figures": len(by_figures),
        "quantities_by_score": len(by_score),
        "positions_by_distances": len(by_distance),
        "positions_by_line_ends": len(by_ends),
        "median_error_m": _median_m({**by_distance, **by_ends}),
        "six_digit_codes": len(naics),
        "search": search_oracle(client, role, truth, svc, targets),
        "properties": property_oracle(client, role, truth, targets),
    }


def _median_m(errors: dict[int, float]) -> float | None:
    values = sorted(errors.values())
    return round(values[len(values) // 2] * 1000, 1) if values else None
