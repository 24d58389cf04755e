"""The repwatch dataflow, its configuration and its command line."""
