"""The report a candidate reads: its model and published schema, how it is built from stored
turns and scores, its renderers (JSON, Markdown, HTML with SVG charts) and the debrief of a loop.

May import: assessment, models, ops, storage, catalog. Not interview, api, cli or web.
"""
