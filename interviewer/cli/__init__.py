"""The `interviewer` command, one module per command group (main registers them).

May import: anything below it (interview, assessment, feedback, models, storage, catalog, ops, api).
"""
