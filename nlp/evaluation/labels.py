"""The one place where a dataset's labels are mapped to repwatch's sentiment labels and topics.

- Airline tweets (Twitter US Airline Sentiment): `airline_sentiment` is already negative/neutral/positive;
  `negativereason` maps to topics below ("Bad Flight" and "Can't Tell" have no single topic and are not scored).
- SemEval-2014 restaurants: aspect categories map from our topics below; `anecdotes/miscellaneous` has no topic
  and is excluded from category scoring; `conflict` polarity is excluded from polarity accuracy.
- SemEval-2016 restaurants, ABSITA 2018, Trip-MAML: aspect mappings below; aspects without a topic are not scored.
- SemEval-2014 laptops (aspect terms only): a sentence whose aspect terms all share one polarity gets that label.
- SENTIPOLC 2016, FEEL-IT, MultiEmotions-It: sentence/tweet polarity; mixed and unrelated items are left out.
- VADER ground truth: mean human ratings; as training labels, positive/negative beyond +-0.5, else neutral.
"""

from __future__ import annotations

SENTIMENT_LABELS = ("negative", "neutral", "positive")

AIRLINE_REASON_TOPICS: dict[str, str] = {
    "Customer Service Issue": "customer_service",
    "Late Flight": "wait_time",
    "longlines": "wait_time",
    "Cancelled Flight": "cancellation",
    "Lost Luggage": "baggage",
    "Damaged Luggage": "baggage",
    "Flight Booking Problems": "website_app",
    "Flight Attendant Complaints": "staff_friendliness",
}

# our topic -> SemEval-2014 restaurant category
SEMEVAL2014_TOPIC_CATEGORIES: dict[str, str] = {
    "food_drink": "food",
    "product_quality": "food",
    "customer_service": "service",
    "staff_friendliness": "service",
    "wait_time": "service",
    "price_value": "price",
    "ambience": "ambience",
    "cleanliness": "ambience",
}
SEMEVAL2014_SCORED_CATEGORIES = ("food", "service", "price", "ambience")

# SemEval-2016 restaurants: ENTITY#ATTRIBUTE -> the SemEval-2014 categories above (PRICES of anything is price;
# DRINKS count as food; RESTAURANT#GENERAL/MISCELLANEOUS and LOCATION have no single topic and are not scored).
SEMEVAL2016_ENTITY_CATEGORIES = {"FOOD": "food", "DRINKS": "food", "SERVICE": "service", "AMBIENCE": "ambience"}

# ABSITA 2018 (Booking.com hotel sentences): our topic -> ABSITA aspect. comfort, amenities, wifi, location and
# other have no topic in the default taxonomy and are not scored.
ABSITA_TOPIC_ASPECTS: dict[str, str] = {
    "cleanliness": "cleanliness",
    "staff_friendliness": "staff",
    "customer_service": "staff",
    "price_value": "value",
}
ABSITA_SCORED_ASPECTS = ("cleanliness", "staff", "value")

# Trip-MAML Italian (TripAdvisor hotel sentences): our topic -> Trip-MAML aspect (p/n/x = positive/negative/
# neutral-or-mixed). ROOMS, LOCATION, SLEEPQUALITY, BUILDING, OTHER, NOTRELATED have no topic and are not scored.
TRIP_MAML_TOPIC_ASPECTS: dict[str, str] = {
    "customer_service": "SERVICE",
    "staff_friendliness": "SERVICE",
    "cleanliness": "CLEANLINESS",
    "price_value": "VALUE",
    "food_drink": "FOOD",
    "product_quality": "FOOD",
}
TRIP_MAML_SCORED_ASPECTS = ("SERVICE", "CLEANLINESS", "VALUE", "FOOD")
TRIP_MAML_POLARITY = {"p": "positive", "n": "negative", "x": "neutral"}

# Star ratings as sentiment labels (Trip-MAML reviews; `repwatch train` from ratings uses the same mapping).
def rating_label(stars: float) -> str:
    return "negative" if stars <= 2 else "neutral" if stars < 4 else "positive"


# VADER ground truth: mean human rating (-4..4) as a training label (`repwatch train --dataset vader`); ratings
# within +-0.5 of zero are neutral.
VADER_NEUTRAL_RATING = 0.5


def vader_rating_label(rating: float) -> str:
    return "positive" if rating >= VADER_NEUTRAL_RATING else "negative" if rating <= -VADER_NEUTRAL_RATING \
        else "neutral"


# SENTIPOLC 2016 overall polarity flags (opos, oneg); 11 = mixed is left out of 3-class scoring.
SENTIPOLC_POLARITY = {("1", "0"): "positive", ("0", "1"): "negative", ("0", "0"): "neutral"}
# FEEL-IT emotions -> binary sentiment, as in the FEEL-IT paper.
FEEL_IT_POLARITY = {"joy": "positive", "anger": "negative", "fear": "negative", "sadness": "negative"}
