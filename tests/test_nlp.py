import pytest

from nlp.analyzer import Analyzer
from nlp.brands import BrandMatcher
from nlp.clauses import split_clauses
from nlp.language import LanguageDetectorStage
from nlp.pipelines import blank_pipeline
from nlp.sentiment import label_for
from nlp.sentiment_it import ItalianScorer
from nlp.token_view import TokenView
from pipeline.config import BrandConfig, NlpConfig, TopicsConfig


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    return Analyzer(NlpConfig(), TopicsConfig())


def _topics(analysis):
    return {t.topic: t for t in analysis.topics}


@pytest.mark.parametrize(
    "text, lang, topic",
    [
        ("The Wait Times were long", "en", "wait_time"),
        ("WAITING forever again", "en", "wait_time"),
        ("I TEMPI DI ATTESA sono lunghi", "it", "wait_time"),
        ("il servizio clienti non risponde", "it", "customer_service"),
        ("Servizi Clienti pessimi", "it", "customer_service"),
        ("Lost my Luggage in Denver", "en", "baggage"),
        ("i rimborsi non arrivano", "it", "refund_return"),
    ],
)
def test_topics_match_across_inflection_and_case(analyzer, text, lang, topic):
    assert topic in _topics(analyzer.analyze(text, lang))


@pytest.mark.parametrize("text", ["The Sushi was heavenly", "Salads were fantastic", "try the lamb shank",
                                  "great Margaritas and Tacos", "the espresso was burnt"])
def test_dishes_and_drinks_are_food_topics(analyzer, text):
    assert "food_drink" in _topics(analyzer.analyze(text, "en"))  # WordNet food names, any inflection or case


@pytest.mark.parametrize("text", ["They treat you well", "He eats here every day", "Thanks for helping me",
                                  "We jammed into the lobby", "Check your feed"])
def test_verbs_that_are_also_food_nouns_are_not_food(analyzer, text):
    assert "food_drink" not in _topics(analyzer.analyze(text, "en"))


def test_brand_words_are_not_topics():
    brand = Analyzer(NlpConfig(), TopicsConfig(), [BrandConfig(name="Pizza Express")])
    assert "food_drink" not in _topics(brand.analyze("Pizza Express opened in my town", "en"))
    assert "food_drink" in _topics(brand.analyze("Pizza Express: the pizza was cold", "en"))


def test_no_topic_in_unrelated_text(analyzer):
    assert analyzer.analyze("Happy birthday to my sister", "en").topics == ()


def test_contrast_gives_each_topic_its_own_sentiment(analyzer):
    topics = _topics(analyzer.analyze("The food was delicious but the wait time was horrible.", "en"))
    assert topics["food_drink"].label == "positive"
    assert topics["wait_time"].label == "negative"
    it = _topics(analyzer.analyze("La pizza era ottima ma il tempo di attesa è stato terribile.", "it"))
    assert it["food_drink"].label == "positive"
    assert it["wait_time"].label == "negative"


def test_clause_split_on_contrast_words():
    def clauses(text: str, lang: str) -> list[str]:
        view = TokenView.of(blank_pipeline(lang)(text))
        return [view.doc[start:end].text for s, e in view.sentences() for start, end in split_clauses(view.lower, s, e, lang)]

    assert clauses("Nice staff but slow kitchen however cheap", "en") == ["Nice staff", "but slow kitchen", "however cheap"]
    assert clauses("Buono ma caro", "it") == ["Buono", "ma caro"]
    assert clauses("But great. Slow but fine", "en") == ["But great.", "Slow", "but fine"]


@pytest.fixture(scope="module")
def italian() -> ItalianScorer:
    return ItalianScorer()


def test_italian_polarity_negation_and_intensity(italian):
    positive = italian.score_text("Il personale è gentile")
    negated = italian.score_text("Il personale non è gentile")
    intensified = italian.score_text("Il personale è molto gentile")
    assert positive > 0.05
    assert negated < -0.05
    assert intensified > positive
    assert italian.score_text("Servizio pessimo") < -0.3
    assert italian.score_text("Mai più, esperienza terribile") < -0.3
    assert italian.score_text("Il locale è poco pulito") < 0
    assert italian.score_text("Oggi è martedì") == 0.0


def test_italian_absolute_superlatives_take_their_base_words_valence_intensified(italian):
    for superlative, base in (("Camera pulitissima", "Camera pulita"), ("Stanza sporchissima", "Stanza sporca"),
                              ("Esperienza bruttissima", "Esperienza brutta"), ("Buonissimiii", "Buoni")):
        assert italian.score_text(base) != 0.0
        assert abs(italian.score_text(superlative)) > abs(italian.score_text(base)), superlative
        assert (italian.score_text(superlative) > 0) == (italian.score_text(base) > 0), superlative
    assert italian.score_text("Il generalissimo") == 0.0  # no base word with a valence


def test_italian_contrast_and_emoji(italian):
    assert italian.score_text("Cibo buono ma servizio pessimo") < 0
    assert italian.score_text("Cibo buono 😍") > italian.score_text("Cibo buono")


def test_italian_reads_ascii_emoticons(italian):
    assert italian.score_text("Cibo buono :)") > italian.score_text("Cibo buono") > 0
    assert italian.score_text("ci vediamo domani <3") > 0.3 and italian.score_text("ci vediamo domani :D") > 0.3
    assert italian.score_text("ci vediamo domani :(") < -0.3 and italian.score_text("ci vediamo domani </3") < -0.3
    assert italian.score_text("ci vediamo domani :-)") > 0.3  # VADER gives each form its own valence


def test_english_mention_sentiment_is_vader(analyzer):
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    text = "The staff were rude and the room was filthy!"
    expected = SentimentIntensityAnalyzer().polarity_scores(text)["compound"]
    assert analyzer.analyze(text, "en").sentiment == pytest.approx(expected)


def test_labels_from_thresholds():
    assert label_for(0.2) == "positive" and label_for(-0.2) == "negative" and label_for(0.0) == "neutral"
    assert label_for(0.2, positive_threshold=0.3) == "neutral"


def test_language_detection_restricted_and_hinted():
    detector = LanguageDetectorStage(["en", "it"], "en")
    assert detector.detect("Il servizio clienti non ha mai risposto alla mia richiesta di rimborso") == "it"
    assert detector.detect("Customer service never answered my refund request") == "en"
    assert detector.detect("Bonjour, le service client ne répond jamais") in ("en", "it")
    assert detector.detect("whatever text", hint="it") == "it"
    assert detector.detect("whatever text", hint="de") in ("en", "it")
    with pytest.raises(ValueError):
        LanguageDetectorStage(["en"], "it")


def test_batch_analysis_equals_single(analyzer):
    texts = [("Great coffee!", None), ("Servizio clienti pessimo, attesa infinita", None), ("Slow delivery", "en")]
    assert analyzer.analyze_many(texts) == [analyzer.analyze(t, h) for t, h in texts]


@pytest.fixture
def matcher() -> BrandMatcher:
    return BrandMatcher([
        BrandConfig(name="Apple", aliases=["Apple Inc"], handles=["@apple"], exclude=["apple pie", "apple juice"]),
        BrandConfig(name="NovaBank", aliases=["Nova Bank"], hashtags=["novabank"]),
    ])


def test_brand_matching(matcher):
    assert matcher.match("Loving my new apple watch") == ["Apple"]
    assert matcher.match("@Apple support was quick") == ["Apple"]
    assert matcher.match("Grandma's apple pie is the best") == []
    assert matcher.match("pineapple smoothie") == []
    assert matcher.match("#NovaBank and Apple both down today") == ["Apple", "NovaBank"]
    assert matcher.match("NovaBanking is not a brand") == []


def test_brand_hints_are_authoritative(matcher):
    assert matcher.match("apple pie recipe", hints=("Apple",)) == ["Apple"]
    assert matcher.match("nothing here", hints=("nova bank",)) == ["NovaBank"]
    assert matcher.match("Apple news", hints=("unknown brand",)) == ["Apple"]


def test_brand_words_handles_and_urls_are_not_scored():
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    text = "@united my flight is delayed again http://t.co/abc"
    assert SentimentIntensityAnalyzer().polarity_scores(text)["compound"] > 0  # VADER reads "united" as +1.8
    masked = Analyzer(NlpConfig(), TopicsConfig(), [BrandConfig(name="United", handles=["@united"])])
    assert masked.analyze(text, "en").label == "negative"
    plain_word = masked.analyze("United was terrible today", "en")  # no complaint cue in it
    assert plain_word.sentiment == pytest.approx(
        SentimentIntensityAnalyzer().polarity_scores(" was terrible today")["compound"], abs=1e-4)


def test_complaint_cues_vader_misses(analyzer):
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    vader = SentimentIntensityAnalyzer()
    for text in ("I have been on hold for two hours", "Still waiting for my refund", "They never responded"):
        assert vader.polarity_scores(text)["compound"] > -0.05, text  # VADER sees nothing wrong ...
        assert analyzer.analyze(text, "en").label == "negative", text  # ... we do


@pytest.mark.parametrize(("text", "label"), [
    ("The service was slow", "negative"), ("Bland, greasy and overpriced", "negative"),
    ("The pasta was mediocre at best", "negative"), ("Attentive staff, reasonably priced wine", "positive"),
    ("Tasty and affordable", "positive"),
])
def test_quality_cues_vader_has_no_valence_for(analyzer, text, label):
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    assert label_for(SentimentIntensityAnalyzer().polarity_scores(text)["compound"]) != label, text
    assert analyzer.analyze(text, "en").label == label, text


def test_negated_cues_and_cue_free_text_are_plain_vader(analyzer):
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    vader = SentimentIntensityAnalyzer()
    assert analyzer.analyze("The flight was not delayed", "en").sentiment == pytest.approx(
        vader.polarity_scores("The flight was not delayed")["compound"], abs=1e-4)
    text = "What a lovely crew and a smooth landing!"
    assert analyzer.analyze(text, "en").sentiment == pytest.approx(vader.polarity_scores(text)["compound"], abs=1e-4)


def test_valence_round_trip():
    from nlp.sentiment_en import to_compound, to_valence

    for compound in (-0.9, -0.3, 0.0, 0.4, 0.95):
        assert to_compound(to_valence(compound)) == pytest.approx(compound, abs=1e-6)


def test_italian_words_outside_our_lexicon_fall_back_to_pattern_stems():
    from nlp.sentiment_it import ItalianScorer, load_lexicon, load_stem_lexicon

    scorer, ours = ItalianScorer(), load_lexicon()
    for word, sign in (("affascinante", 1), ("accattivante", 1), ("agghiacciante", -1)):
        assert word not in ours  # only the stem lexicon knows these inflections
        plain = scorer.score_text(f"Il servizio era {word}")
        assert plain * sign > 0.2
        assert scorer.score_text(f"Il servizio non era {word}") * sign < 0  # negation flips
        assert abs(scorer.score_text(f"Il servizio era molto {word}")) > abs(plain)  # intensifier boosts
    assert max(abs(v) for v in load_stem_lexicon().values()) == pytest.approx(3.0)
    assert scorer.score_text("Il servizio era abominevole") == 0.0  # a stem neither lexicon has stays neutral


def test_italian_pattern_stems_apply_to_adjectives_adverbs_and_quality_nouns_only():
    """A Snowball stem is shared by a word's whole family: the adjective's polarity must not reach its nouns and
    verbs ("popolare" is popular, "popolo" is the people), except nouns of quality made from it ("cordialità")."""
    from nlp.sentiment_it import ItalianScorer, load_lexicon, load_stem_lexicon

    scorer, ours, stems = ItalianScorer(), load_lexicon(), load_stem_lexicon()
    stem = scorer._stemmer.stemWord
    assert stem("popolare") == stem("popolo") and stem("popolo") in stems and "popolo" not in ours
    assert scorer.score_text("una canzone popolare") > 0.2 and scorer.score_text("un mare profondo") > 0.2
    assert scorer.score_text("il popolo ha votato") == 0.0  # a noun of the family
    assert scorer.score_text("i mercati aprono") == 0.0
    for quality in ("cordialità", "tranquillità"):
        assert quality not in ours and scorer.score_text(f"grande {quality}") > scorer.score_text("grande") > 0


def test_blank_pipelines_compute_only_the_lexical_attributes_repwatch_reads():
    """New words skip spaCy's other attribute getters (shape, stop word, ...), and what the view reads is intact."""
    from nlp.pipelines import LEXICAL_ATTRIBUTES_READ, blank_pipeline

    for lang in ("en", "it"):
        nlp = blank_pipeline(lang)
        assert set(nlp.vocab.lex_attr_getters) <= LEXICAL_ATTRIBUTES_READ
        doc = nlp("Zqxwy @Brandzz, vedi https://zz.example/qq !!! Zzzotto")  # words no vocabulary has seen
        view = TokenView.of(doc)
        assert view.lower[0] == "zqxwy" and view.lower[-1] == "zzzotto"
        assert [t.like_url for t in doc] == [False, False, False, False, True, False, False, False, False]
        assert list(view.punct) == [False, False, True, False, False, True, True, True, False]
        assert list(view.handle_or_url) == [False, True, False, False, True, False, False, False, False]


def test_token_view_reads_what_spacy_tokens_say_for_new_and_cached_words():
    """The view keeps the context-free attributes of each word per vocabulary: a word met before (cached) and a
    word met for the first time read the same as spaCy's Token objects."""
    texts = ["Qwzzx flight @Qwzzx_air was GREAT!!! http://t.co/qwzzx :) but 2hrs late...",
             "qwzzx Flight @qwzzx_AIR wasn't great; bag lost-again?! #qwzzx",
             "Il volo Qwzzx è arrivato in ritardo, però il personale è stato gentile."]
    for lang in ("en", "it"):
        nlp = blank_pipeline(lang)
        for _ in range(2):  # first sight, then from the cache
            for text in texts:
                doc = nlp(text)
                view = TokenView.of(doc, {"qwzzx"})
                assert list(view.lower) == [t.lower_ for t in doc]
                assert list(view.lemma) == [t.lemma_ for t in doc]
                assert "".join(view.text_with_ws) == text
                assert list(view.whitespace) == [t.whitespace_ for t in doc]
                assert list(view.punct) == [t.is_punct for t in doc]
                assert list(view.handle_or_url) == [t.like_url or t.text.startswith("@") for t in doc]
                assert list(view.masked) == [t.like_url or t.text.startswith("@") or t.lower_ == "qwzzx" for t in doc]


def test_batch_language_detection_matches_one_by_one():
    from nlp.language import LanguageDetectorStage

    stage = LanguageDetectorStage(["en", "it"], "en")
    items = [("The staff were rude and we waited an hour", None), ("Il personale era scortese e lento", None),
             ("ok", "it"), ("Servizio ottimo", "fr"), ("", None)]
    assert stage.detect_many(items) == [stage.detect(text, hint) for text, hint in items]
    assert stage.detect_many(items)[:3] == ["en", "it", "it"]
    assert LanguageDetectorStage(["en"], "en").detect_many(items) == ["en"] * 5
