"""Defaults of the interventions app."""

# The EST taxonomy of intervention types every partnership starts with (name, examples).
DEFAULT_TYPES = [
    ("Ökad närvaro/patrullering", "Polis, väktare, fältassistenter, nattvandrare"),
    ("Fysisk åtgärd", "Belysning, röjning, lås"),
    ("Städning/sanering", "Klottersanering, städning, tömning"),
    ("Fritidsaktivitet", "Öppen verksamhet, lovaktiviteter"),
    ("Föräldravandring", ""),
    ("Information/dialog", "Information till boende, skolor, företag"),
    ("Samtal med boende", ""),
    ("Annat", ""),
]

# Evaluation defaults: weeks before the start, the longest after period, and the number of
# comparison areas proposed.
WEEKS_BEFORE = 26
MAX_WEEKS_AFTER = 52
PROPOSED_COMPARISONS = 5
# The displacement buffer: areas within this many metres of the treated area.
BUFFER_METRES = 200
# Reminders: an intervention due within this many days is "due"; overdue ones are
# reminded again at most this often.
DUE_WITHIN_DAYS = 3
OVERDUE_EVERY_DAYS = 7
