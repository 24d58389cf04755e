"""Topic (aspect) extraction: spaCy PhraseMatcher on lower-cased lemmas, one matcher per language."""

from __future__ import annotations

from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc

from nlp.pipelines import blank_pipeline
from pipeline.config import TopicConfig


class TopicMatcher:
    def __init__(self, lang: str, topics: list[TopicConfig]) -> None:
        self.lang = lang
        self.nlp = blank_pipeline(lang)
        self.names = {t.id: t.name for t in topics}
        self._matcher = PhraseMatcher(self.nlp.vocab, attr="LEMMA")
        for topic in topics:
            self._matcher.add(topic.id, list(self.nlp.pipe(topic.phrases)))

    def find(self, doc: Doc) -> list[tuple[str, int, int]]:
        """(topic id, start token, end token) for every phrase found, in text order."""
        vocab = self.nlp.vocab
        return [(vocab.strings[match_id], start, end) for match_id, start, end in self._matcher(doc)]
