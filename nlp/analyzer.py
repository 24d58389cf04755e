"""The NLP stage: one mention text in, its language, overall sentiment and per-topic sentiment out."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc

from nlp.clauses import split_clauses
from nlp.language import LanguageDetectorStage
from nlp.pipelines import blank_pipeline
from nlp.sentiment import Label, SpanScorer, label_for
from nlp.sentiment_en import VaderScorer
from nlp.sentiment_it import ItalianScorer
from nlp.token_view import TokenView
from nlp.topics import TopicMatcher
from pipeline.config import BrandConfig, NlpConfig, TopicsConfig

if TYPE_CHECKING:  # scikit-learn is imported only when a trained model is configured (it takes seconds)
    from nlp.model import TrainedModel

SNIPPET_CHARS = 240


@dataclass(frozen=True)
class TopicSentiment:
    topic: str
    sentiment: float
    label: Label
    snippet: str


@dataclass(frozen=True)
class Analysis:
    lang: str
    sentiment: float
    label: Label
    topics: tuple[TopicSentiment, ...] = field(default_factory=tuple)


def _make_scorer(lang: str) -> SpanScorer:
    return VaderScorer() if lang == "en" else ItalianScorer()


def brand_words(brands: list[BrandConfig]) -> frozenset[str]:
    """Lower-cased words of brand names, aliases and hashtags: they name the brand, they do not judge it
    (VADER scores "united" +1.8, which would make every @united tweet look positive)."""
    words: set[str] = set()
    for brand in brands:
        for term in (brand.name, *brand.aliases, *brand.hashtags, *brand.handles):
            words.update(w.lower().lstrip("#@") for w in term.split())
    return frozenset(w for w in words if w)


def _brand_name_matcher(lang: str, brands: list[BrandConfig]) -> PhraseMatcher:
    nlp = blank_pipeline(lang)
    matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
    terms = {term for brand in brands for term in (brand.name, *brand.aliases, *brand.hashtags, *brand.handles)}
    if terms:
        matcher.add("BRAND", list(nlp.tokenizer.pipe(sorted(terms))))
    return matcher


class Analyzer:
    """Everything the dataflow needs from NLP, built once per worker from config."""

    def __init__(self, nlp_config: NlpConfig, topics: TopicsConfig, brands: list[BrandConfig] | None = None) -> None:
        self.config = nlp_config
        self.brand_words = brand_words(brands or [])
        self.languages = LanguageDetectorStage(list(nlp_config.languages), nlp_config.default_language)
        self.matchers = {lang: TopicMatcher(lang, topics.for_language(lang)) for lang in nlp_config.languages}
        self.scorers = {lang: _make_scorer(lang) for lang in nlp_config.languages}
        self._brand_names = {lang: _brand_name_matcher(lang, brands or []) for lang in nlp_config.languages}
        self.model: TrainedModel | None = None
        if nlp_config.model:
            from nlp.model import load_model

            self.model = load_model(nlp_config.model)

    def _topic_matches(self, doc: Doc, lang: str, view: TokenView) -> list[tuple[str, int, int]]:
        """Topic phrases found, less those inside a brand's name, an @handle or a URL: they name things, they do
        not raise a topic ("Pizza Express opened" is not about food; "@united" is not about the crew)."""
        matches = self.matchers[lang].find(doc)
        if not matches:
            return matches
        names = self._brand_names[lang](doc) if self.brand_words else []
        named = {i for _, start, end in names for i in range(start, end)}
        return [(topic, start, end) for topic, start, end in matches
                if not any(i in named or view.handle_or_url[i] for i in range(start, end))]

    def _label(self, compound: float) -> Label:
        s = self.config.sentiment
        return label_for(compound, s.positive_threshold, s.negative_threshold)

    def analyze(self, text: str, lang_hint: str | None = None) -> Analysis:
        lang = self.languages.detect(text, lang_hint)
        return self.analyze_doc(blank_pipeline(lang)(text), lang)

    def analyze_many(self, items: list[tuple[str, str | None]]) -> list[Analysis]:
        """Batch form: detects languages, then runs spaCy's pipe per language."""
        langs = self.languages.detect_many(items)
        results: list[Analysis | None] = [None] * len(items)
        for lang in set(langs):
            positions = [i for i, lg in enumerate(langs) if lg == lang]
            docs = blank_pipeline(lang).pipe(items[i][0] for i in positions)
            # an n-grams-only model with a sentiment classifier scores its languages itself: the rules only find
            # the topics and their clauses
            model = self.model
            score = model is None or model.sentiment is None or not model.covers(lang) or model.uses_rules
            for i, doc in zip(positions, docs):
                results[i] = self.analyze_doc(doc, lang, score)
        analyses = [r for r in results if r is not None]
        if self.model is not None:
            covered = [i for i, lang in enumerate(langs) if self.model.covers(lang)]
            if covered:
                self._apply_model(self.model, [items[i][0] for i in covered], covered, analyses)
        return analyses

    def _apply_model(self, model: TrainedModel, texts: list[str], positions: list[int],
                     analyses: list[Analysis]) -> None:
        """A trained model's sentiment replaces the lexicon's; its topics join the rule-matched ones. A topic
        found by the rules is scored on its clauses, one found only by the model on the whole mention. The model
        reads the rules' own scores and topics as features (nlp.model.rule_features)."""
        from nlp.model import rule_features

        rules = rule_features([analyses[i].sentiment for i in positions],
                              [{t.topic for t in analyses[i].topics} for i in positions], model.rule_topics) \
            if model.uses_rules else None
        features = model.features_of(texts, rules)
        overall = model.sentiment_scores(texts, features)
        extra_topics = model.topics_of(texts, features)
        # a topic clause that is the whole mention takes the mention's score; only shorter clauses are rescored
        clauses = {(t.snippet, t.topic): t.sentiment for n, i in enumerate(positions) for t in analyses[i].topics
                   if t.snippet.strip() != texts[n].strip()}
        keys = sorted(clauses)
        snippet_scores: dict[tuple[str, str], tuple[str, float]] = {}
        if overall and keys:
            clause_rules = rule_features([clauses[k] for k in keys], [{k[1]} for k in keys], model.rule_topics) \
                if model.uses_rules else None
            snippets = [snippet for snippet, _ in keys]
            scored = model.sentiment_scores(snippets, model.features_of(snippets, clause_rules, "sentiment"))
            snippet_scores = dict(zip(keys, scored))
        for n, i in enumerate(positions):
            analysis = analyses[i]
            label, score = overall[n] if overall else (analysis.label, analysis.sentiment)
            topics = []
            for topic in analysis.topics:
                fallback = (label, score) if overall else (topic.label, topic.sentiment)
                topic_label, topic_score = snippet_scores.get((topic.snippet, topic.topic), fallback)
                topics.append(TopicSentiment(topic.topic, topic_score, topic_label, topic.snippet))  # type: ignore[arg-type]
            known = {t.topic for t in topics}
            topics += [TopicSentiment(t, score, label, texts[n][:SNIPPET_CHARS])  # type: ignore[arg-type]
                       for t in sorted(extra_topics[n] - known)]
            analyses[i] = Analysis(lang=analysis.lang, sentiment=score, label=label, topics=tuple(topics))  # type: ignore[arg-type]

    def analyze_doc(self, doc: Doc, lang: str, score: bool = True) -> Analysis:
        """With score=False only the topics and their clauses are found (a trained model scores them)."""
        scorer = self.scorers[lang]
        view = TokenView.of(doc, self.brand_words)  # @handles, URLs and brand words are not scored
        compound = scorer.score_span(view, 0, len(view)) if score else 0.0
        matches = self._topic_matches(doc, lang, view)
        topics = self._topic_sentiments(view, lang, matches, scorer, compound, score) if matches else ()
        return Analysis(lang=lang, sentiment=compound, label=self._label(compound), topics=topics)

    def _topic_sentiments(
        self, view: TokenView, lang: str, matches: list[tuple[str, int, int]], scorer: SpanScorer, compound: float,
        score: bool = True,
    ) -> tuple[TopicSentiment, ...]:
        clauses = [c for start, end in view.sentences() for c in split_clauses(view.lower, start, end, lang)]
        scores: dict[tuple[int, int], float] = {(0, len(view)): compound}  # a clause that is the whole mention
        per_topic: dict[str, list[tuple[int, int]]] = {}
        for topic, start, _end in matches:
            clause = next(c for c in clauses if c[0] <= start < c[1])
            spans = per_topic.setdefault(topic, [])
            if clause not in spans:
                spans.append(clause)
        results = []
        for topic, spans in per_topic.items():
            values = []
            for span in spans:
                if span not in scores:
                    scores[span] = scorer.score_span(view, *span) if score else 0.0
                values.append(scores[span])
            mean = sum(values) / len(values)
            snippet = " … ".join("".join(view.text_with_ws[start:end]).strip() for start, end in spans)[:SNIPPET_CHARS]
            results.append(TopicSentiment(topic=topic, sentiment=mean, label=self._label(mean), snippet=snippet))
        return tuple(results)
