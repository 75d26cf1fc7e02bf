import itertools

import numpy as np
import pytest
import shapely

from lagesbild.demo.areas import demo_areas, load_municipality, split_population
from lagesbild.demo.places import PLACE_KINDS, demo_places


def test_outline_and_population_come_from_the_committed_file():
    municipality = load_municipality()
    assert (municipality.code, municipality.name) == ("0163", "Sollentuna")
    assert municipality.population == 77_615
    assert municipality.outline.is_valid
    assert municipality.outline.bounds == pytest.approx((17.827, 59.394, 18.021, 59.499), abs=1e-3)


def test_areas_have_stable_codes_and_district_names():
    areas = demo_areas()
    assert [a.code for a in areas] == [f"DEMO-0163-{i:02d}" for i in range(1, 11)]
    assert {a.name for a in areas} >= {"Rotebro", "Häggvik", "Helenelund", "Sollentuna centrum"}


def test_every_cell_is_a_valid_non_empty_polygon():
    for area in demo_areas():
        assert area.polygon.geom_type == "Polygon"
        assert area.polygon.is_valid
        assert area.polygon.area > 0


def test_cells_tile_the_outline():
    outline = load_municipality().outline
    cells = [a.polygon for a in demo_areas()]
    union = shapely.union_all(cells)
    assert union.symmetric_difference(outline).area < 1e-9 * outline.area
    for a, b in itertools.combinations(cells, 2):
        assert a.intersection(b).area < 1e-12 * outline.area


def test_population_sums_exactly_to_the_municipal_figure():
    areas = demo_areas()
    assert sum(a.population for a in areas) == 77_615
    assert all(a.population > 0 for a in areas)


@pytest.mark.parametrize(
    ("total", "weights"),
    [
        (10, [1, 1, 1]),
        (77_615, [10, 9, 6, 8, 11, 5, 9, 10, 5, 5]),
        (7, [0.1, 0.2, 0.7]),
        (0, [1, 2]),
    ],
)
def test_split_population_is_exact_and_close_to_each_share(total, weights):
    counts = split_population(total, np.array(weights))
    shares = total * np.array(weights) / np.sum(weights)
    assert counts.sum() == total
    assert np.all(np.abs(counts - shares) < 1)


def test_places_lie_inside_their_area_and_have_known_kinds():
    areas = demo_areas()
    places = demo_places()
    assert {p.area_index for p in places} == set(range(len(areas)))
    for place in places:
        assert place.kind in PLACE_KINDS
        assert areas[place.area_index].polygon.contains(shapely.Point(place.lon, place.lat))
        assert place.name[0].isupper()
        assert place.name[1:] == place.phrase[1:]


def test_place_names_are_unique():
    names = [p.name for p in demo_places()]
    assert len(names) == len(set(names))
