"""The one place where a dataset's labels are mapped to repwatch's sentiment labels and topics.

- Airline tweets (Twitter US Airline Sentiment): `airline_sentiment` is already negative/neutral/positive;
  `negativereason` maps to topics below ("Bad Flight" and "Can't Tell" have no single topic and are not scored).
- SemEval-2014 restaurants: aspect categories map from our topics below; `anecdotes/miscellaneous` has no topic
  and is excluded from category scoring; `conflict` polarity is excluded from polarity accuracy.
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
    "product_quality": "food",
    "customer_service": "service",
    "staff_friendliness": "service",
    "wait_time": "service",
    "price_value": "price",
    "ambience": "ambience",
    "cleanliness": "ambience",
}
SEMEVAL2014_SCORED_CATEGORIES = ("food", "service", "price", "ambience")
