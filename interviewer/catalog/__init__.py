"""Personas (who interviews, what they ask) and rubrics (how answers are judged): the YAML
schema, its validation and loading. Data, not code: no persona-specific logic anywhere.

May import: nothing of the package (it is the bottom layer, with storage and ops.settings).
"""
