"""Service-conversation rules (nlp.conversation) in both scorers, the pragmatic words, Italian laughter and
elongation, and the speed paths that must not change results (ASCII VADER, view-based sentences, two-pass
language detection)."""

from __future__ import annotations

import pytest
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from nlp.analyzer import Analyzer
from nlp.conversation import DURATION_VALENCE, NEGATED_EVENT_VALENCE, ConversationRules
from nlp.pipelines import blank_pipeline
from nlp.sentiment_en import AsciiFastVader, VaderScorer, to_compound
from nlp.sentiment_it import ItalianScorer
from nlp.token_view import TokenView
from pipeline.config import NlpConfig, TopicsConfig


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    return Analyzer(NlpConfig(), TopicsConfig())


@pytest.fixture(scope="module")
def vader() -> SentimentIntensityAnalyzer:
    return SentimentIntensityAnalyzer()


def _view(text: str, lang: str = "en") -> TokenView:
    return TokenView.of(blank_pipeline(lang)(text))


@pytest.mark.parametrize("text", ["I can't check in", "The app doesn't load on my phone", "They never called back",
                                  "We cannot get through to anyone", "I didn't get my boarding pass"])
def test_negated_events_are_complaints(analyzer, vader, text):
    assert vader.polarity_scores(text)["compound"] == 0.0  # no opinion word for VADER
    assert analyzer.analyze(text, "en").sentiment == pytest.approx(to_compound(NEGATED_EVENT_VALENCE), abs=1e-3)


@pytest.mark.parametrize("text", ["I can't wait for my trip", "No problem at all", "Don't worry about it"])
def test_fixed_phrases_with_a_negator_are_not_complaints(analyzer, text):
    assert analyzer.analyze(text, "en").label != "negative"


def test_negated_opinion_words_are_left_to_vader(analyzer, vader):
    for text in ("The crew was not friendly", "The seat was not bad at all"):
        assert analyzer.analyze(text, "en").sentiment == pytest.approx(vader.polarity_scores(text)["compound"], abs=1e-4)


def test_a_negated_event_counts_once_per_span():
    rules, view = ConversationRules.for_language("en"), _view("I can't log in and I can't pay")
    assert rules.implicit_valence(view, 0, len(view), lambda v, i: False) == NEGATED_EVENT_VALENCE


@pytest.mark.parametrize(("text", "expected"), [
    ("We sat on the plane for 3 hours", DURATION_VALENCE), ("waited a few days for a reply", DURATION_VALENCE),
    ("My flight leaves in 2 hours", 0.0), ("I booked it 3 weeks ago", 0.0), ("Hours of fun", 0.0),
])
def test_stated_durations_are_waits_but_points_in_time_are_not(text, expected):
    rules, view = ConversationRules.for_language("en"), _view(text)
    assert rules.implicit_valence(view, 0, len(view), lambda v, i: False) == expected


def test_problems_asked_about_in_yes_no_questions_are_not_yet_complaints(analyzer):
    rules = ConversationRules.for_language("en")
    asked, told = _view("@united is my flight cancelled?"), _view("my flight is cancelled.")
    assert rules.asked_about(asked, 0, len(asked), 4)
    assert not rules.asked_about(told, 0, len(told), 3)
    assert not rules.asked_about(_view("why is my flight cancelled?"), 0, 5, 4)  # a why-question complains
    # "overbooked" is a complaint cue VADER lacks; VADER's own words ("cancelled") keep VADER's valence
    assert analyzer.analyze("Is the flight to Boston overbooked?", "en").label == "neutral"
    assert analyzer.analyze("The flight to Boston is overbooked.", "en").label == "negative"
    assert analyzer.analyze("Why is the flight to Boston overbooked?", "en").label == "negative"


def test_thanks_in_a_question_closes_a_request(analyzer):
    request = analyzer.analyze("Can I change my seat? Thanks!", "en")
    praise = analyzer.analyze("Thanks for the smooth flight!", "en")
    assert request.label == "neutral" and praise.label == "positive"


@pytest.mark.parametrize(("request_text", "praise"), [
    ("Please DM me my confirmation number, thanks", "Thanks for the smooth flight"),
    ("I would like to change my seat, thank you", "I would like to thank the crew"),
])
def test_thanks_closing_a_request_without_a_question_mark(analyzer, request_text, praise):
    assert analyzer.analyze(request_text, "en").label == "neutral"
    assert analyzer.analyze(praise, "en").label == "positive"  # asking to thank is thanks


def test_only_the_requesting_sentence_loses_its_thanks(analyzer):
    mixed = analyzer.analyze("Thanks for the upgrade! Please send the receipt.", "en")
    assert mixed.label == "positive"  # the thanks is its own sentence, not the request's close


def test_positive_valence_in_questions_is_damped(vader):
    scorer, text = VaderScorer(), "Is the lounge nice?"
    view = _view(text)
    assert scorer.score_span(view, 0, len(view)) == pytest.approx(0.2 * vader.polarity_scores(text)["compound"])


@pytest.mark.parametrize("text", ["Please help me with my booking", "Yes, I hope so", "It looks like rain at the gate",
                                  "I called customer care", "Is there a free shuttle"])
def test_pragmatic_words_are_not_opinions(analyzer, vader, text):
    assert vader.polarity_scores(text)["compound"] > 0.05  # VADER reads praise into them ...
    assert analyzer.analyze(text, "en").label == "neutral"  # ... there is none
    assert VaderScorer(conversation=False).score_span(_view(text), 0, len(_view(text))) > 0.05  # the switch


@pytest.mark.parametrize(("text", "label"), [
    ("You guys rock!", "positive"), ("What a joke.", "negative"), ("Thanks for nothing", "negative"),
    ("Can't wait to fly again!", "positive"), ("Total nightmare", "negative"),
])
def test_social_media_idioms(analyzer, text, label):
    assert analyzer.analyze(text, "en").label == label


@pytest.fixture(scope="module")
def italian() -> ItalianScorer:
    return ItalianScorer()


def test_italian_negated_events_durations_and_questions(italian):
    assert italian.score_text("Oggi è martedì") == 0.0
    assert italian.score_text("L'app non funziona") < -0.05  # a negated event
    assert italian.score_text("Non vedo l'ora di partire") >= 0.0  # "non vedo l'ora" is eager, not a complaint
    assert italian.score_text("Aspetto da 3 giorni") < -0.05  # a stated duration
    assert italian.score_text("Parto tra 3 giorni") == 0.0  # a point in time
    assert italian.score_text("Il volo è stato cancellato") < -0.05
    assert italian.score_text("Potete aiutarmi a cambiare il volo? Grazie") == 0.0  # thanks closing a request
    assert italian.score_text("Grazie per l'aiuto!") > 0.05
    assert italian.score_text("Buongiorno, vorrei sapere quando riaprite il negozio di Padova grazie") == 0.0
    assert italian.score_text("Per favore mandatemi la ricevuta, grazie mille") == 0.0
    assert italian.score_text("Volevo ringraziarvi per la cortesia") > 0.05  # a request to thank is thanks


def test_italian_yes_no_questions_are_marked_by_intonation_alone(italian):
    told = italian.score_text("Il pacco non è arrivato.")
    assert italian.score_text("Il pacco non è arrivato?") > told  # asked about: not yet a complaint
    assert italian.score_text("Perché il pacco non è arrivato?") == told  # a why-question complains
    assert italian.score_text("Sono 3 giorni che aspetto la consegna?") > italian.score_text(
        "Come mai sono 3 giorni che aspetto la consegna?")


def test_italian_laughter_elongation_and_slang(italian):
    assert italian.score_text("ahahahah") > 0.05 and italian.score_text("hahaha") > 0.05
    assert italian.score_text("ha detto di sì") == 0.0  # "ha" is a verb, not laughter
    assert italian.score_text("bellooo") == italian.score_text("bello")
    assert italian.score_text("che cagata") < -0.3 and italian.score_text("vergognatevi") < -0.3
    assert italian.score_text("un capolavoro 💖") > 0.5


def test_ascii_fast_vader_scores_as_vader(vader):
    fast = AsciiFastVader()
    for text in ("The food was GREAT!!! but the service, not so much :(", "kind of ok I guess", "No. Never again",
                 "Nice 😍 flight", "", "   spaced   out   ", "It isn't horrible, it's the worst",
                 # negation, idioms and boosters up to three words back
                 "without a doubt good", "never so happy", "not very happy", "you are the shit", "meet at the bus stop",
                 "it was sort of bad", "not at all nice", "at least good", "the least bad", "no way it was not good",
                 "I am kind of happy", "he's not really that great", "never this bad", "no, or nor good",
                 "the very least happy", "least happy", "no good", "no no", "GREAT food, okay view", "NOT bad"):
        assert fast.polarity_scores(text) == vader.polarity_scores(text), text
        assert fast.compound(text) == vader.polarity_scores(text)["compound"], text


@pytest.mark.shared
def test_ascii_fast_vader_scores_as_vader_on_its_ground_truth(vader):
    """Every text of VADER's four human-rated sets, and the same texts with a leading "but" and upper-cased (the
    contrast, capitals and idiom paths), scores exactly as the package scores it, and its compound-only score is
    the package's compound."""
    from nlp.evaluation.datasets import load_vader
    from tests.conftest import shared_dataset

    texts = [e.text for e in load_vader(shared_dataset("vader_groundtruth"))]
    assert len(texts) > 20_000
    fast = AsciiFastVader()
    variants = texts + [f"But {t}" for t in texts[::7]] + [t.upper() for t in texts[::11]]
    different = [t for t in variants if fast.polarity_scores(t) != vader.polarity_scores(t)]
    assert not different, different[:3]
    different = [t for t in variants if fast.compound(t) != vader.polarity_scores(t)["compound"]]
    assert not different, different[:3]


def test_view_sentences_follow_spacy_sentencizer():
    from spacy.pipeline import Sentencizer

    for text in ("Hi. How are you?! Fine...", "No punctuation at all", "Wait!!! What?", "", "One. (Two.) Three"):
        doc = blank_pipeline("en")(text)
        expected = [(s.start, s.end) for s in Sentencizer()(blank_pipeline("en")(text)).sents] if len(doc) else []
        assert TokenView.of(doc).sentences() == expected, text


@pytest.mark.shared
def test_two_pass_language_detection_on_shared_tweets():
    from nlp.evaluation.datasets import load_airline, load_sentipolc
    from nlp.language import LanguageDetectorStage
    from tests.conftest import shared_dataset

    english = [e.text for e in load_airline(shared_dataset("airline_tweets"))[:500]]
    italian = [e.text for e in load_sentipolc(shared_dataset("sentipolc2016"))[:500]]
    found = LanguageDetectorStage(["en", "it"], "en").detect_many([(t, None) for t in english + italian])
    correct = sum(lang == "en" for lang in found[:500]) + sum(lang == "it" for lang in found[500:])
    assert correct / 1000 >= 0.98


def test_like_is_an_opinion_only_after_its_experiencer(analyzer, vader):
    for text in ("I like the new app", "We really like this hotel", "They do like their coffee"):
        assert analyzer.analyze(text, "en").sentiment == pytest.approx(vader.polarity_scores(text)["compound"], abs=1e-4)
    for text in ("It felt like forever", "I'd like to change my seat", "Like I said, gate 12"):
        assert vader.polarity_scores(text)["compound"] > 0.05
        assert analyzer.analyze(text, "en").label != "positive", text


def test_letter_formulae_are_not_opinions(analyzer):
    """A complaint signed off with "Kind regards" or "Cordiali saluti" is a complaint; "kind" and "cordiale" still
    judge elsewhere, and "in merito a" (regarding) is not merit."""
    assert analyzer.analyze("My order never arrived and nobody answers. Kind regards, Anna", "en").sentiment < -0.05
    assert analyzer.analyze("My order never arrived and nobody answers. Best regards", "en").sentiment < -0.05
    assert analyzer.analyze("The staff were kind", "en").sentiment > 0.05
    assert analyzer.analyze("Il pacco non è arrivato. Cordiali saluti", "it").sentiment < -0.05
    assert analyzer.analyze("Personale cordiale", "it").sentiment > 0.05
    assert analyzer.analyze("Vi scrivo in merito alla fattura di marzo", "it").sentiment == 0.0
    assert analyzer.analyze("Un premio al merito", "it").sentiment > 0.05
