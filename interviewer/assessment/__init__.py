"""How good an answer is: the offline scorer (text, content, polarity, paraphrases, clarity),
the model judge, and the evaluations that check both against human grades.

May import: models, ops, catalog (feedback.schema for lesson results). The scorer is pure: no fastapi,
sqlmodel or litellm.
"""
