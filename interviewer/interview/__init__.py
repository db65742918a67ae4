"""The conversation: the pure engine that chooses each move, the offline voice and the model
prompts that phrase it, the use cases (start, answer, end, score and report, share, loops, drills),
and the reading of the candidate's documents (take-home claims, CV and job description).

May import: assessment, feedback, models, ops, storage, catalog. Not api, cli or web.
"""
