# repwatch application image: the CLI (`repwatch run`, `repwatch ingest`, `repwatch topics create`, ...).
FROM python:3.11-slim

ENV PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app
COPY pyproject.toml README.md LICENSE ./
COPY pipeline ./pipeline
COPY connectors ./connectors
COPY nlp ./nlp
COPY sinks ./sinks
COPY config ./config
RUN pip install . && useradd --create-home --uid 10001 repwatch && mkdir -p /var/lib/repwatch \
    && chown repwatch /var/lib/repwatch
USER repwatch
ENTRYPOINT ["repwatch"]
CMD ["--help"]
