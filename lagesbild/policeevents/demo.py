"""The real police notices of Sollentuna and its neighbours (data/SOURCE.md) for the demo:
imported like any file, so only the demo partnership's municipality is kept."""

from importlib import resources

from lagesbild.policeevents import feed, services

DEMO_FILE = "sollentuna_events.jsonl"


def demo_file():
    return resources.files("lagesbild.policeevents").joinpath("data", DEMO_FILE)


def load_demo_events() -> services.ImportResult:
    return services.import_records(feed.read_file(demo_file()))
