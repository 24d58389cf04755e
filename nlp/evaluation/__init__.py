"""Evaluation of the NLP on labelled datasets (`repwatch eval`): loaders, label mappings, metrics, runner."""
