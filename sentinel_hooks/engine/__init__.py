"""Detection: rules as data, a keyword prefilter, regex matching and a few structure-aware detectors.

The engine knows nothing of git, files on disk or output formats: it takes ``TextUnit`` objects and
returns ``Finding`` objects.
"""
