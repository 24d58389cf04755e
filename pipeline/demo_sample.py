"""The demo's bundled sample: a deterministic generator of English/Italian mentions with one incident.

`python -m pipeline.demo_sample` rewrites pipeline/data/demo_mentions.jsonl; a test checks the file matches.
Incident: a surge of wait-time complaints about Trattoria Roma on 2026-03-04 between 18:00 and 21:00 UTC.
"""

from __future__ import annotations

import json
import random
from datetime import datetime, timedelta, timezone
from pathlib import Path

SAMPLE_PATH = Path(__file__).parent / "data" / "demo_mentions.jsonl"
START = datetime(2026, 3, 2, tzinfo=timezone.utc)
DAYS = 5
INCIDENT_BRAND = "Trattoria Roma"
INCIDENT_START = datetime(2026, 3, 4, 18, tzinfo=timezone.utc)
INCIDENT_HOURS = 3

TEMPLATES: dict[str, dict[str, dict[str, list[str]]]] = {
    "restaurant": {
        "en": {
            "positive": [
                "Lovely dinner at {b}, the food was delicious and the staff were so friendly.",
                "{b} never disappoints: great pasta, fair price and quick service.",
                "Had a wonderful lunch at {b}. Fresh ingredients, clean tables, happy kids!",
                "The waiter at {b} was helpful and the tiramisu was amazing.",
                "Great value at {b}, excellent pizza for a good price.",
            ],
            "neutral": [
                "Going to {b} tonight with the team.",
                "Does {b} take reservations for Saturday?",
                "{b} has a new menu this week.",
            ],
            "negative": [
                "The food at {b} was cold and overpriced, disappointing.",
                "Rude staff at {b} today, not going back.",
                "Dirty tables and a bad smell at {b}, awful experience.",
            ],
            "incident": [
                "Waited two hours for a table at {b}, the wait time is ridiculous and nobody apologized.",
                "Terrible wait at {b} tonight, 90 minutes in a long line. Awful.",
                "{b} is a disaster this evening: horrible wait times and angry customers everywhere.",
                "Still waiting for our food at {b} after an hour. Worst service ever, so frustrating.",
            ],
        },
        "it": {
            "positive": [
                "Cena ottima da {b}, cibo buonissimo e personale gentilissimo.",
                "{b} è fantastico: pasta squisita, prezzo onesto e servizio veloce.",
                "Pranzo splendido da {b}, ingredienti freschi e locale pulito.",
                "Pizza eccellente da {b}, rapporto qualità prezzo perfetto.",
            ],
            "neutral": [
                "Stasera si va da {b} con i colleghi.",
                "{b} ha cambiato il menu questa settimana.",
            ],
            "negative": [
                "Cibo freddo e conto troppo caro da {b}, deludente.",
                "Personale scortese da {b}, non ci torno.",
            ],
            "incident": [
                "Tempi di attesa assurdi da {b}, due ore per una pizza. Pessimo!",
                "Attesa infinita da {b} stasera, servizio lento e disorganizzato. Vergognoso.",
                "Da {b} coda interminabile e personale maleducato, esperienza terribile.",
            ],
        },
    },
    "bank": {
        "en": {
            "positive": [
                "{b} customer service sorted my card issue in five minutes, great support!",
                "Really happy with the {b} app, transfers are fast and simple.",
                "Thanks {b} for the quick refund, excellent help.",
            ],
            "neutral": [
                "Opening an account with {b} next week.",
                "Does {b} charge a fee for international transfers?",
                "{b} updated its app today.",
            ],
            "negative": [
                "{b} charged me twice for the same payment, annoying.",
                "The {b} app crashed again during login, frustrating.",
            ],
        },
        "it": {
            "positive": [
                "Assistenza clienti di {b} davvero efficiente, problema risolto subito.",
                "L'app di {b} è comoda e veloce, ottimo lavoro.",
            ],
            "neutral": ["Domani apro un conto con {b}."],
            "negative": ["Doppio addebito sulla carta con {b}, che fastidio."],
        },
    },
    "courier": {
        "en": {
            "positive": [
                "{b} delivered my package a day early, brilliant!",
                "Smooth delivery from {b}, friendly courier and perfect tracking.",
            ],
            "neutral": ["My parcel is with {b} now.", "Tracking number from {b} just arrived."],
            "negative": ["{b} lost my package and support is useless.", "Delivery from {b} was late and the box was damaged."],
        },
        "it": {
            "positive": ["Consegna perfetta con {b}, corriere gentile e puntuale."],
            "neutral": ["Il pacco è stato affidato a {b}."],
            "negative": ["Spedizione {b} in ritardo e pacco danneggiato, pessimo servizio."],
        },
    },
}

BRANDS = [
    # name, template group, mentions per day, label mix (positive, neutral, negative), Italian share
    ("Trattoria Roma", "restaurant", 40, (0.6, 0.25, 0.15), 0.5),
    ("Caffè Aurora", "restaurant", 25, (0.65, 0.25, 0.10), 0.4),
    ("NovaBank", "bank", 30, (0.5, 0.35, 0.15), 0.2),
    ("SwiftShip", "courier", 20, (0.55, 0.3, 0.15), 0.3),
]
SOURCES = ["reviews", "twitter", "rss"]
RATING_BY_LABEL = {"positive": (4, 5), "neutral": (3, 4), "negative": (1, 2)}


def _hour_weights() -> list[float]:
    # quiet at night, busy around lunch and dinner
    return [0.2] * 7 + [0.6, 0.9, 1.0, 1.1, 1.5, 1.8, 1.4, 1.0, 0.9, 1.0, 1.3, 1.8, 2.0, 1.6, 1.0, 0.6, 0.3]


def _record(rng: random.Random, brand: str, text: str, label: str, lang: str, when: datetime, seq: int) -> dict:
    source = rng.choice(SOURCES)
    record = {
        "source": source,
        "source_id": f"{source}-{seq:05d}",
        "author": f"user{rng.randint(1, 900)}",
        "text": text.format(b=brand),
        "created_at": when.isoformat().replace("+00:00", "Z"),
        "url": f"https://example.com/{source}/{seq:05d}",
    }
    if source == "reviews":
        low, high = RATING_BY_LABEL[label]
        record["rating"] = rng.randint(low, high)
    if source == "rss":
        record["lang"] = lang
    return record


def generate() -> list[dict]:
    rng = random.Random(20260302)
    records: list[tuple[datetime, dict]] = []
    seq = 0
    weights = _hour_weights()
    for day in range(DAYS):
        for brand, group, per_day, mix, it_share in BRANDS:
            for _ in range(per_day):
                hour = rng.choices(range(24), weights=weights)[0]
                when = START + timedelta(days=day, hours=hour, minutes=rng.randint(0, 59), seconds=rng.randint(0, 59))
                lang = "it" if rng.random() < it_share else "en"
                label = rng.choices(["positive", "neutral", "negative"], weights=mix)[0]
                text = rng.choice(TEMPLATES[group][lang][label])
                seq += 1
                records.append((when, _record(rng, brand, text, label, lang, when, seq)))
    for _ in range(36):
        minutes = rng.randint(0, INCIDENT_HOURS * 60 - 1)
        when = INCIDENT_START + timedelta(minutes=minutes, seconds=rng.randint(0, 59))
        lang = "it" if rng.random() < 0.4 else "en"
        text = rng.choice(TEMPLATES["restaurant"][lang]["incident"])
        seq += 1
        records.append((when, _record(rng, INCIDENT_BRAND, text, "negative", lang, when, seq)))
    records.sort(key=lambda pair: pair[0])
    out = [r for _, r in records]
    # the real world repeats itself: a few re-delivered items (same source id) for the deduplicator
    out.insert(100, dict(out[99]))
    out.insert(400, dict(out[398]))
    return out


def render() -> str:
    lines = [json.dumps(r, ensure_ascii=False, sort_keys=True) for r in generate()]
    # and sends bad input: these become dead letters with their reasons
    lines.insert(50, '{"source": "twitter", "source_id": "broken-1", "text": "unterminated')
    lines.insert(150, json.dumps({"source": "reviews", "source_id": "no-text-1", "created_at": "2026-03-02T12:00:00Z"}))
    lines.insert(250, json.dumps({"source": "reviews", "source_id": "bad-rating-1", "text": "ok", "rating": "ten",
                                  "created_at": "2026-03-03T09:00:00Z"}))
    return "\n".join(lines) + "\n"


def main() -> None:
    SAMPLE_PATH.write_text(render(), encoding="utf-8")
    print(f"wrote {SAMPLE_PATH}")


if __name__ == "__main__":
    main()
