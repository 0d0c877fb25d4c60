"""Equality filters on property values, and the map's filters under their API names.

The property filter compares a value as the property is written, on the feature as its reader
receives it; the map's ``park``, ``municipality`` and ``category`` filters are read as
``park_id``, ``municipality_id`` and ``category_id`` too (the old names keep working where
they are not a property: the map, ``/export``, saved views).
"""

from __future__ import annotations

from typing import Any

import pytest

from mapservice.errors import InvalidInput
from mapservice.exports.fields import LAYERS
from mapservice.exports.property_filters import (
    QUERYABLE_TYPES,
    kept,
    matches,
    parse_property_filter,
    queryables,
)
from mapservice.views.map_filters import API_NAMES, MapFilter, parse_filter


def _feature(**props: Any) -> dict[str, Any]:
    return {"type": "Feature", "id": 1, "geometry": None, "properties": props}


@pytest.mark.parametrize(
    ("layer", "args", "expected"),
    [
        ("sites", {"municipality": "Jonquière"}, (("municipality", "Jonquière"),)),
        ("sites", {"park": "Parc industriel d'Arvida"}, (("park", "Parc industriel d'Arvida"),)),
        ("sites", {"offers": "3"}, (("offers", 3),)),
        (
            "flows",
            {"hazardous": "false", "quantity": "12.5"},
            (("quantity", 12.5), ("hazardous", False)),
        ),
        ("parks", {"manager": "", "area_ha": "40"}, (("area_ha", 40.0),)),
        ("sites", {"manager": "x", "lang": "fr"}, ()),  # not a property of the sites
    ],
)
def test_parse_reads_each_value_as_its_property_type(layer, args, expected):
    assert parse_property_filter(layer, args) == expected


@pytest.mark.parametrize(
    ("layer", "args", "field"),
    [
        ("sites", {"offers": "trois"}, "offers"),
        ("flows", {"hazardous": "oui"}, "hazardous"),
        ("flows", {"quantity": "nan"}, "quantity"),
        ("flows", {"quantity": "inf"}, "quantity"),
    ],
)
def test_parse_refuses_a_value_of_the_wrong_type_naming_it(layer, args, field):
    with pytest.raises(InvalidInput) as caught:
        parse_property_filter(layer, args)
    assert caught.value.field == field


def test_equality_is_exact_and_typed():
    feature = _feature(municipality="Jonquière", offers=1, hazardous=True, quantity=None)
    assert matches(feature, (("municipality", "Jonquière"),))
    for wanted in (
        (("municipality", "jonquière"),),  # case kept
        (("municipality", "Jonquiere"),),  # accents kept
        (("offers", True),),  # a boolean is not the integer 1
        (("hazardous", 1),),
        (("quantity", 0.0),),  # an empty (withheld) value matches nothing
    ):
        assert not matches(feature, wanted), wanted
    assert matches(feature, (("offers", 1), ("hazardous", True)))
    assert list(kept([feature], ())) == [feature]


def test_every_simple_property_that_leaves_to_everyone_is_queryable():
    for layer_id, layer in LAYERS.items():
        names = {f.name for f in queryables(layer_id)}
        assert names == {f.name for f in layer.fields if f.type in QUERYABLE_TYPES} - {
            f.name for f in layer.fields if f.confidential
        }
        assert not {"contact_name", "contact_email", "contact_phone"} & names


# --- the map's filters under their API names ------------------------------------------------


@pytest.mark.parametrize("old", sorted(API_NAMES))
def test_the_api_name_and_the_old_name_read_the_same_filter(choices, old):
    value = {"park": "arvida", "municipality": "saguenay", "category": "bois"}[old]
    expected = MapFilter(**{old: value})
    assert parse_filter({API_NAMES[old]: value}, choices) == expected
    assert parse_filter({old: value}, choices) == expected
    # Where the old name is a property (the OGC API), it is not read as the filter.
    assert parse_filter({old: value}, choices, legacy=False) == MapFilter()
    # Both given: the API name wins.
    assert parse_filter({API_NAMES[old]: value, old: "x"}, choices) == expected


@pytest.mark.parametrize("old", sorted(API_NAMES))
def test_an_unknown_id_is_refused_under_the_name_it_came_by(choices, old):
    for name in (old, API_NAMES[old]):
        with pytest.raises(InvalidInput) as caught:
            parse_filter({name: "nulle-part"}, choices)
        assert caught.value.field == name


def test_export_takes_the_api_names_and_the_old_ones(client):
    new = client.get("/export/flows.geojson?category_id=bois&direction=offre").get_json()
    old = client.get("/export/flows.geojson?category=bois&direction=offre").get_json()
    assert new["features"] and new == old
    park = client.get("/export/sites.geojson?park_id=arvida")
    assert park.status_code == 200
    assert park.get_json() == client.get("/export/sites.geojson?park=arvida").get_json()
