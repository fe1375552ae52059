"""The domain core: episodes, indicators, queue ranking, importers and minutes.

Nothing in this package imports Textual or Rich (tests/test_import_hygiene.py).
"""
