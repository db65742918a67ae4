# The interviewer as a container: `docker compose up` runs it with PostgreSQL (see docker-compose.yml).
FROM python:3.11-slim AS build

ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /opt/venv
WORKDIR /src
# Dependencies first, so editing the code does not reinstall them.
COPY pyproject.toml README.md ./
RUN mkdir interviewer && touch interviewer/__init__.py \
    && /opt/venv/bin/pip install . \
    && /opt/venv/bin/pip uninstall --yes interviewer
COPY interviewer ./interviewer
RUN /opt/venv/bin/pip install --no-deps .


FROM python:3.11-slim

# LITELLM_LOCAL_MODEL_COST_MAP: litellm would otherwise download its price map at import.
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    LITELLM_LOCAL_MODEL_COST_MAP=True \
    INTERVIEWER_HOST=0.0.0.0 \
    INTERVIEWER_PORT=8000 \
    INTERVIEWER_PERSONAS_DIR=/app/personas \
    INTERVIEWER_RUBRICS_DIR=/app/rubrics \
    INTERVIEWER_LOG_FORMAT=json \
    DATABASE_URL=sqlite:////app/data/interviewer.db

RUN useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin interviewer \
    && mkdir -p /app/data && chown interviewer /app/data
COPY --from=build /opt/venv /opt/venv
COPY personas /app/personas
COPY rubrics /app/rubrics
WORKDIR /app
USER interviewer

EXPOSE 8000
# No curl in the slim image: Python asks /healthz itself.
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('INTERVIEWER_PORT', '8000'), timeout=4)"]

CMD ["interviewer", "serve"]
