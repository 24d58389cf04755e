"""Language detection, brand matching, topic (aspect) extraction and sentiment for English and Italian."""
