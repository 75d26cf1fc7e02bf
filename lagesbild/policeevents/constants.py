"""The proposed checklist category (a code of the default EST checklist) for the police's
event types; a coordinator changes them per partnership. Types with no counterpart among
reports of places and events (traffic accidents, summaries, missing persons) have none."""

# A notice's `url` is a path on the police's site.
POLICE_SITE = "https://polisen.se"

DEFAULT_CATEGORY_CODES = {
    "Skadegörelse": "skadegorelse",
    "Brand": "grupp-brand",
    "Mordbrand": "anlagd-brand-byggnad",
    "Misshandel": "vald",
    "Misshandel, grov": "vald",
    "Mord/dråp": "vald",
    "Mord/dråp, försök": "vald",
    "Olaga hot": "hot",
    "Våld/hot mot tjänsteman": "angrepp-personal",
    "Sabotage mot blåljusverksamhet": "angrepp-personal",
    "Skottlossning": "skottlossning",
    "Skottlossning, misstänkt": "skottlossning",
    "Explosion": "skottlossning",
    "Detonation": "skottlossning",
    "Narkotikabrott": "grupp-narkotika",
    "Alkohollagen": "langning",
    "Bråk": "brak-ordningsstorning",
    "Ordningslagen": "brak-ordningsstorning",
    "Ofredande/förargelse": "brak-ordningsstorning",
    "Fylleri/LOB": "berusning",
    "Fylleri": "berusning",
    "Smällar": "fyrverkerier",
    "Inbrott": "inbrott-bostad",
    "Inbrott, försök": "inbrott-bostad",
    "Stöld/inbrott": "inbrott-bostad",
    "Stöld": "stold",
    "Stöld, försök": "stold",
    "Rån": "grupp-hot-vald",
    "Rån, försök": "grupp-hot-vald",
    "Rån väpnat": "grupp-hot-vald",
    "Rån övrigt": "grupp-hot-vald",
    "Olovlig körning": "farlig-korning",
    "Trafikbrott": "farlig-korning",
}
