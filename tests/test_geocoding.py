"""The offline gazetteer and cascade: names as people write them, postal codes, refusals."""

from __future__ import annotations

import pytest

from mapservice.config import PROJECT_ROOT
from mapservice.domain.model import Precision
from mapservice.errors import GeocodingError
from mapservice.geocoding import Gazetteer, GeocodeQuery, OfflineGeocoder, normalize_postal_code

DATA_DIR = PROJECT_ROOT / "data"


@pytest.fixture(scope="module")
def gazetteer() -> Gazetteer:
    return Gazetteer.from_directory(PROJECT_ROOT / "data")


@pytest.fixture(scope="module")
def geocoder(gazetteer) -> OfflineGeocoder:
    return OfflineGeocoder(gazetteer)


NAMES = [
    ("St-Félicien", "saint-felicien"),
    ("saint felicien", "saint-felicien"),
    ("ST-FELICIEN (QUÉBEC)", "saint-felicien"),
    ("Saint-Félicien, QC G8K 2A3", "saint-felicien"),
    ("Ville de Saguenay (arr. Jonquière)", "saguenay-jonquiere"),
    ("Saguenay, secteur Arvida", "saguenay-arvida"),
    ("Jonquière (Saguenay)", "saguenay-jonquiere"),
    ("Kénogami", "saguenay-kenogami"),
    ("Kenogami", "saguenay-kenogami"),
    ("Ste-Monique", "sainte-monique"),
    ("L'Anse-St-Jean", "l-anse-saint-jean"),
    ("Lanse saint jean", "l-anse-saint-jean"),
    ("Métabetchouan–Lac-à-la-Croix", "metabetchouan-lac-a-la-croix"),
    ("Metabetchouan-Lac-a-la-Croix", "metabetchouan-lac-a-la-croix"),
    ("Chicoutimi, QC", "saguenay-chicoutimi"),
    ("La Baie (Québec)", "saguenay-la-baie"),
    ("Grande-Baie", "saguenay-grande-baie"),
    ("Port-Alfred", "saguenay-port-alfred"),
    ("Bagotville", "saguenay-bagotville"),
    ("Shipshaw", "saguenay-shipshaw"),
    ("Canton Tremblay", "saguenay-canton-tremblay"),
    ("Laterriere", "saguenay-laterriere"),
    ("Pointe-Bleue", "mashteuiatsh"),
    ("Saint-Honoré-de-Chicoutimi", "saint-honore"),
    ("saint-felix-d'otis", "saint-felix-d-otis"),
    ("St-Félix d Otis", "saint-felix-d-otis"),
    ("Hébertville-Station", "hebertville-station"),
    ("Hebertville", "hebertville"),
    ("Alma", "alma"),
]


@pytest.mark.parametrize(("text", "expected"), NAMES)
def test_name_variants(gazetteer, text, expected):
    match = gazetteer.match(text)
    assert match is not None and match.id == expected


@pytest.mark.parametrize(
    "text", ["Montréal", "Chicoutimo-Ouest-Sud", "", "   ", "Alma (Jonquière)"]
)
def test_unknown_or_contradictory_names_do_not_match(gazetteer, text):
    assert gazetteer.match(text) is None


def test_misspelling_gets_suggestions(geocoder):
    with pytest.raises(GeocodingError) as info:
        geocoder.geocode(GeocodeQuery(municipality="Chicoutimo"))
    assert "Chicoutimi" in info.value.extra["suggestions"]
    assert info.value.field == "municipalite"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("G8K 2A3", "G8K 2A3"),
        ("g8k2a3", "G8K 2A3"),
        ("G8K-2A3", "G8K 2A3"),
        (" g7h 5b1 ", "G7H 5B1"),
        ("G8K 2A", None),
        ("D8K 2A3", None),
        ("G8K2A33", None),
        ("", None),
    ],
)
def test_postal_code_spellings(text, expected):
    assert normalize_postal_code(text) == expected


def test_postal_code_gives_its_own_point(geocoder, gazetteer):
    loc = geocoder.geocode(GeocodeQuery(postal_code="g8k2a3"))
    point = gazetteer.postal_codes["G8K 2A3"]
    assert (loc.lon, loc.lat, loc.precision) == (point.lon, point.lat, Precision.POSTCODE)
    assert loc.municipality_id == "saint-felicien"


def test_rural_postal_area_never_used_as_a_point(geocoder):
    loc = geocoder.geocode(GeocodeQuery(postal_code="G0W 9Z9", municipality="Péribonka"))
    assert loc.precision is Precision.MUNICIPALITY and loc.municipality_id == "peribonka"


def test_unknown_urban_code_falls_back_to_its_area(geocoder, gazetteer):
    loc = geocoder.geocode(GeocodeQuery(postal_code="G7H 9Z9"))
    assert loc.precision is Precision.FSA
    area = gazetteer.postal_areas["G7H"]
    assert (loc.lon, loc.lat) == (area.lon, area.lat)


def test_swapped_coordinates_are_refused_with_the_fix(geocoder):
    with pytest.raises(GeocodingError) as info:
        geocoder.geocode(GeocodeQuery(lat=-71.65, lon=48.55))
    assert info.value.extra["swapped"] is True
    assert "latitude 48.55, longitude -71.65" in info.value.message


def test_a_point_outside_the_region_is_flagged_never_moved(geocoder):
    loc = geocoder.geocode(GeocodeQuery(lat=45.50, lon=-73.57))
    assert loc.outside_region and (loc.lat, loc.lon) == (45.50, -73.57)
    assert loc.municipality_id is None


def test_an_outside_postal_code_with_a_regional_town_is_a_contradiction(geocoder):
    with pytest.raises(GeocodingError) as info:
        geocoder.geocode(GeocodeQuery(postal_code="H2X 1Y4", municipality="Alma"))
    assert info.value.extra["outside_region"] is True and info.value.field == "code_postal"


@pytest.mark.parametrize(
    "query",
    [
        GeocodeQuery(),
        GeocodeQuery(lat=float("nan"), lon=-71.0),
        GeocodeQuery(lat=48.4),
        GeocodeQuery(lat=95.0, lon=-71.0),
        GeocodeQuery(lat=48.4, lon=-200.0),
    ],
)
def test_empty_or_absurd_input_is_refused(geocoder, query):
    with pytest.raises(GeocodingError):
        geocoder.geocode(query)


def test_given_coordinates_are_kept(geocoder):
    loc = geocoder.geocode(GeocodeQuery(lat=48.4210, lon=-71.2300, municipality="Jonquière"))
    assert (loc.lat, loc.lon, loc.precision) == (48.421, -71.23, Precision.MANUAL)
    assert loc.municipality_id == "saguenay-jonquiere"


def test_park_assignment_inside_and_near(services):
    locator = services.park_locator
    park = services.repo.parks()[0]
    inside = locator.locate(park.centre_lon, park.centre_lat)
    assert inside is not None and inside.distance_m == 0.0 and inside.park_id == park.id
    # A point in the middle of Lac Saint-Jean belongs to no park.
    assert locator.locate(-72.05, 48.60) is None


@pytest.fixture(scope="module")
def cascade(gazetteer):
    from mapservice.domain.reference import read_parks
    from mapservice.geocoding import CascadeGeocoder, ParkNames

    parks = read_parks(DATA_DIR / "parks.geojson")
    return CascadeGeocoder(
        gazetteer, park_names=ParkNames.from_files(parks, DATA_DIR / "park_aliases.csv")
    )


@pytest.mark.parametrize(
    ("text", "precision", "park"),
    [
        # A park's street in another borough than the one written: not that park.
        ("1213 rue des Sociétaires, Bagotville", "municipality", None),
        ("7012 rue Alexis-le-Trotteur, Arrondissement de Chicoutimi", "municipality", None),
        # Same borough, or one of its sectors: the park.
        ("123 rue des Actionnaires, Chicoutimi", "park", "henri-girard"),
        ("12 rue Alexis-le-Trotteur, Kénogami", "park", "jonquiere"),
        # A postal area that serves elsewhere beats the park's street.
        ("121 rue Donatien-Dumais, G7B 7V2", "fsa", None),
        # "rue du Parc" is a street, not a park.
        ("45 rue du Parc, Jonquière", "municipality", None),
        # Lines of an address work like commas.
        ("45 rue Racine\nChicoutimi\nG7H 5B1", "postcode", None),
    ],
)
def test_park_streets_and_names_respect_the_place_written(
    gazetteer, cascade, text, precision, park
):
    from mapservice.geocoding import parse_query

    loc = cascade.geocode(parse_query(text, gazetteer))
    assert (loc.precision.value, loc.park_id) == (precision, park), loc


@pytest.mark.parametrize(
    "text", ["2961 chemin de la Scierie Taschereau QC", "675 rue des Sociétaires\nDurham-Sud"]
)
def test_a_town_elsewhere_without_comma_is_flagged(gazetteer, cascade, text):
    from mapservice.geocoding import parse_query

    loc = cascade.geocode(parse_query(text, gazetteer))
    assert loc.outside_region and loc.park_id is None
