# CaseGraph app server: gunicorn, non-root, data in /data (a volume).
FROM python:3.12-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    CASEGRAPH_DATA_DIR=/data \
    CASEGRAPH_CYPHER_DIR=/app/cypher

# jemalloc for the embedded graph server, when the image runs without Neo4j (README: Configuration).
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends libjemalloc2 \
 && rm -rf /var/lib/apt/lists/*

RUN groupadd --system --gid 10001 casegraph \
 && useradd --system --uid 10001 --gid casegraph --home-dir /app --shell /usr/sbin/nologin casegraph \
 && mkdir -p /data /app \
 && chown casegraph:casegraph /data \
 && chmod 700 /data

WORKDIR /app
COPY pyproject.toml README.md ./
COPY graphapp ./graphapp
COPY ingest ./ingest
COPY cypher ./cypher
RUN pip install . && rm -rf build *.egg-info

USER casegraph
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=5 \
  CMD ["python", "-c", "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/health', timeout=4).status != 200)"]
CMD ["gunicorn", "--bind", "0.0.0.0:8000", "--workers", "3", "--timeout", "120", \
     "--access-logfile", "-", "--forwarded-allow-ips", "*", "graphapp.wsgi:app"]
