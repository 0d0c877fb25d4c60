"""The layers' field tables: each property's name, type, French and English labels.

A :class:`Layer` is a fixed list of :class:`Field` (stable property names, a type, French and
English labels, whether the value is confidential); the features are written by
:mod:`mapservice.exports.layers`.
"""

from __future__ import annotations

from dataclasses import dataclass

from mapservice.domain.access import Scope


@dataclass(frozen=True)
class Field:
    """One property. ``confidential`` fields (contacts) leave only with the right; values that
    are confidential row by row (a quantity marked so) are emptied instead."""

    name: str
    type: str  # integer, number, string, boolean (the JSON type; see format)
    label_fr: str
    label_en: str
    confidential: bool = False
    #: JSON Schema's ``format`` of a string: ``date-time`` is an RFC 3339 time in UTC, written
    #: typed where the format can (GeoPackage DateTime, a workbook's date cell, ``.csvt``).
    format: str | None = None


@dataclass(frozen=True)
class Layer:
    id: str
    title_fr: str
    title_en: str
    geometry: str  # Point, Polygon (parks: Polygon or Point), LineString, MultiLineString
    fields: tuple[Field, ...]

    def field_names(self, scope: Scope) -> list[str]:
        return [f.name for f in self.fields if scope.confidential or not f.confidential]


SITE_FIELDS = (
    Field("site_id", "integer", "Identifiant du site", "Site id"),
    Field("member_id", "integer", "Identifiant du membre", "Member id"),
    Field("member", "string", "Entreprise", "Company"),
    Field("naics", "string", "Code SCIAN", "NAICS code"),
    Field("site", "string", "Site", "Site"),
    Field("address", "string", "Adresse", "Address"),
    Field("postal_code", "string", "Code postal", "Postal code"),
    Field("municipality_id", "string", "Identifiant de la municipalité", "Municipality id"),
    Field("municipality", "string", "Municipalité", "Municipality"),
    Field("mrc", "string", "MRC", "Regional county municipality"),
    Field("park_id", "string", "Identifiant du parc", "Park id"),
    Field("park", "string", "Parc industriel", "Industrial park"),
    Field("precision", "string", "Précision du géocodage", "Geocoding precision"),
)

LAYERS: dict[str, Layer] = {
    "parks": Layer(
        "parks",
        "Parcs industriels",
        "Industrial parks",
        "Polygon",
        (
            Field("park_id", "string", "Identifiant du parc", "Park id"),
            Field("name", "string", "Nom", "Name"),
            Field("kind", "string", "Type", "Kind"),
            Field("municipality_id", "string", "Identifiant de la municipalité", "Municipality id"),
            Field("municipality", "string", "Municipalité", "Municipality"),
            Field("mrc", "string", "MRC", "Regional county municipality"),
            Field("status", "string", "Statut", "Status"),
            Field(
                "outline_status",
                "string",
                "Contour : surveyed (levé), traced (tracé), estimated (estimé), town (ville)",
                "Outline: surveyed, traced (from streets), estimated, town (stand-in)",
            ),
            Field("area_ha", "number", "Superficie (ha)", "Area (ha)"),
            Field("manager", "string", "Gestionnaire", "Manager"),
        ),
    ),
    "sites": Layer(
        "sites",
        "Sites des membres",
        "Member sites",
        "Point",
        (
            *SITE_FIELDS,
            Field("offers", "integer", "Nombre d'offres", "Number of offers"),
            Field("needs", "integer", "Nombre de besoins", "Number of needs"),
            Field("contact_name", "string", "Personne-ressource", "Contact", confidential=True),
            Field("contact_email", "string", "Courriel", "Email", confidential=True),
            Field("contact_phone", "string", "Téléphone", "Phone", confidential=True),
        ),
    ),
    "flows": Layer(
        "flows",
        "Offres et besoins",
        "Offers and needs",
        "Point",
        (
            Field("flow_id", "integer", "Identifiant du flux", "Flow id"),
            *(
                f
                for f in SITE_FIELDS
                if f.name in ("site_id", "member_id", "member", "municipality", "park_id")
            ),
            Field("direction", "string", "Sens (code)", "Direction (code)"),
            Field("direction_fr", "string", "Sens", "Direction (French)"),
            Field("category", "string", "Catégorie (code)", "Category (code)"),
            Field("category_fr", "string", "Catégorie", "Category (French)"),
            Field("category_en", "string", "Catégorie (anglais)", "Category"),
            Field("description", "string", "Description", "Description"),
            Field("quantity", "number", "Quantité", "Quantity"),
            Field("unit", "string", "Unité (code)", "Unit (code)"),
            Field("unit_fr", "string", "Unité", "Unit (French)"),
            Field("frequency", "string", "Fréquence", "Frequency"),
            Field("hazardous", "boolean", "Matière dangereuse", "Hazardous"),
            Field("confidential", "boolean", "Quantité confidentielle", "Confidential quantity"),
        ),
    ),
    "synergies": Layer(
        "synergies",
        "Synergies",
        "Synergies",
        "LineString",
        (
            Field("synergy_id", "integer", "Identifiant de la synergie", "Synergy id"),
            Field("status", "string", "Statut (code)", "Status (code)"),
            Field("status_fr", "string", "Statut", "Status (French)"),
            Field("kind", "string", "Type", "Kind"),
            Field("score", "integer", "Score (0 à 100)", "Score (0 to 100)"),
            Field("output_flow_id", "integer", "Flux offert", "Offered flow"),
            Field("input_flow_id", "integer", "Flux recherché", "Needed flow"),
            Field("output_member", "string", "Entreprise qui offre", "Offering company"),
            Field("input_member", "string", "Entreprise qui cherche", "Needing company"),
            Field("output_park_id", "string", "Parc de l'offre", "Offer's park"),
            Field("input_park_id", "string", "Parc du besoin", "Need's park"),
            Field("category", "string", "Catégorie offerte (code)", "Offered category (code)"),
            Field("category_fr", "string", "Catégorie offerte", "Offered category (French)"),
            Field("geodesic_km", "number", "Distance à vol d'oiseau (km)", "Straight-line km"),
            Field("road_km", "number", "Distance routière (km)", "Road km"),
            Field("duration_min", "number", "Durée du trajet (min)", "Drive time (min)"),
            Field("tonnes_per_year", "number", "Tonnes par an", "Tonnes per year"),
            Field(
                "transport_t_co2e", "number", "CO2e du transport (t/an)", "Transport CO2e (t/year)"
            ),
            Field("net_t_co2e", "number", "CO2e net évité (t/an)", "Net CO2e avoided (t/year)"),
            Field("net_benefit_cad", "number", "Bénéfice net ($/an)", "Net benefit ($/year)"),
            Field("updated_at", "string", "Mis à jour (UTC)", "Updated (UTC)", format="date-time"),
            Field("reasons", "string", "Raisons (séparées par « | »)", "Reasons (French, « | »)"),
        ),
    ),
    "routes": Layer(
        "routes",
        "Tracés routiers des synergies",
        "Synergy road routes",
        "MultiLineString",
        (
            Field("synergy_id", "integer", "Identifiant de la synergie", "Synergy id"),
            Field("status", "string", "Statut (code)", "Status (code)"),
            Field("by_road", "boolean", "Tracé le long des routes", "Drawn along the roads"),
            Field("distance_m", "number", "Distance routière (m)", "Road distance (m)"),
            Field("duration_s", "number", "Durée du trajet (s)", "Drive time (s)"),
            Field(
                "access_m",
                "number",
                "Dont accès au réseau, aller et retour (m)",
                "Of which access to the network, both ends (m)",
            ),
        ),
    ),
}
