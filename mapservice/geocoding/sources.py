"""What a site's placement came from, as a person reads it.

Each step of the geocoding cascade stores a short code in ``geocode_source``
(``geonames-postal-code``, ``correction-manuelle``…): exports and the API keep the code, pages
say :func:`source_label` instead.
"""

from __future__ import annotations

from mapservice.errors import N_, Message, tr

#: The label of every code the cascade, the online geocoders and the placement page store.
SOURCE_LABELS = {
    "coordonnees-fournies": N_("coordonnées fournies avec le site"),
    "correction-manuelle": N_("placé à la main sur la carte"),
    "gazetteer": N_("centre de la municipalité, du répertoire des lieux de la région"),
    "geonames-postal-code": N_("code postal de GeoNames"),
    "geonames-quebec": N_("lieux du Québec de GeoNames"),
    "statcan-fsa-centroid": N_("centre de la zone postale de Statistique Canada"),
    "parcs-nom": N_("nom du parc industriel"),
    "parcs-alias": N_("autre nom du parc industriel"),
    "parcs-rue": N_("rue du parc industriel"),
    "nominatim": N_("adresse trouvée dans OpenStreetMap par Nominatim"),
    "photon": N_("adresse trouvée dans OpenStreetMap par Photon"),
}


def source_label(code: str | None) -> Message | None:
    """The label of a ``geocode_source`` code; an unknown code (an older version's) is named
    as such; None for no source.

    Examples
    --------
    >>> str(source_label("correction-manuelle"))
    'placé à la main sur la carte'
    >>> str(source_label("cadastre"))
    'autre source : cadastre'
    """
    if not code:
        return None
    template = SOURCE_LABELS.get(code)
    return tr(template) if template else tr("autre source : {code}", code=code)
