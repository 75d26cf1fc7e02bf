"""Write this folder's two data files from the shared police events archive (run once; the
results are committed, so the app never reads the shared folder).

    python3 lagesbild/policeevents/data/extract.py /work/shared/data

- `feed_points.json`: the one point the feed gives for each location name (the centre of the
  municipality or county, always the same point for the same name), so an event can be
  recognised as placed at municipality level.
- `sollentuna_events.jsonl`: the events of Sollentuna and its neighbours for the demo and the
  tests, each record verbatim in its last-seen version; Stockholm city is left out (over 3,800
  events, more than the rest together), and so is every event whose summary may name a person.
"""

import json
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

HERE = Path(__file__).parent
# Sollentuna and the municipalities whose outlines touch it (kommuner.geojson), less Stockholm.
MUNICIPALITIES = {
    "Sollentuna",
    "Upplands Väsby",
    "Järfälla",
    "Täby",
    "Danderyd",
    "Sundbyberg",
    "Solna",
}
# Two capitalised words in a row inside a sentence may be a first and last name; these first
# words start place names instead ("Upplands Väsby", "Stora Wäsby", "Roslags Näsby").
PLACE_PREFIXES = {
    "Upplands",
    "Stora",
    "Lilla",
    "Södra",
    "Norra",
    "Roslags",
    "Danderyds",
    "Karolinska",
}
TWO_NAMES = re.compile(r"(?<![.!?]\s)(?<!^)\b([A-ZÅÄÖ][a-zåäöé]+) [A-ZÅÄÖ][a-zåäöé]+")
# Where a number or address may point at a person: phone numbers, licence plates.
PLATE_OR_PHONE = re.compile(r"\b[A-Z]{3} ?\d{2}[A-Z0-9]\b|\b0\d{1,3}[- ]?\d{5,8}\b")


def records(shared: Path):
    folder = shared / "polisen-events"
    yearly = sorted(folder.glob("events_20*.jsonl"))
    for path in [*yearly, folder / "events_later_versions.jsonl"]:
        with open(path, encoding="utf-8") as lines:
            for line in lines:
                yield json.loads(line)


def municipality_of(record: dict) -> str:
    """The municipality's name as spelt here: the feed's spelling varies in case ("Upplands
    väsby")."""
    known = {name.casefold(): name for name in MUNICIPALITIES}
    location = record["location"]["name"].casefold()
    return known.get(location) or known.get(record["name"].rsplit(", ", 1)[-1].casefold(), "")


def may_name_a_person(summary: str) -> bool:
    for match in TWO_NAMES.finditer(summary):
        if match.group(1) not in PLACE_PREFIXES:
            return True
    return bool(PLATE_OR_PHONE.search(summary))


def main(shared: Path) -> None:
    points: dict[str, Counter] = defaultdict(Counter)
    latest: dict[int, dict] = {}
    for record in records(shared):
        points[record["location"]["name"]][record["location"]["gps"]] += 1
        if municipality_of(record) in MUNICIPALITIES:
            latest[record["id"]] = record  # later versions come last and replace the first
    table = {name: seen.most_common(1)[0][0] for name, seen in sorted(points.items())}
    (HERE / "feed_points.json").write_text(json.dumps(table, ensure_ascii=False, indent=0) + "\n")
    kept = [r for _id, r in sorted(latest.items()) if not may_name_a_person(r["summary"])]
    with open(HERE / "sollentuna_events.jsonl", "w", encoding="utf-8") as out:
        for record in kept:
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    print(f"{len(table)} points; {len(kept)} of {len(latest)} events kept")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
