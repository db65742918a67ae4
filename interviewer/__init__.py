"""Mock interviewer: personas, rubrics, an interview engine and rubric-based feedback."""
