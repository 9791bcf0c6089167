# The gpumarket services (provider agent, oracle) as one image: `docker run IMAGE agent run` or
# `docker run IMAGE oracle run` (README.md, "Deployment").
#
# Build after `make compile` (the image takes the contracts' ABIs from build/contracts):
#   docker build -t gpumarket .
# Pin the base image by digest for a reproducible build, e.g.
#   docker build --build-arg PYTHON_IMAGE=python:3.11.7-slim-bookworm@sha256:<digest> .
# (`docker buildx imagetools inspect python:3.11.7-slim-bookworm` prints the digest.)
ARG PYTHON_IMAGE=python:3.11.7-slim-bookworm

# Stage 1: a wheel of every package in the lock (a compiler at hand for any that ships only as
# source), and of gpumarket itself.
FROM ${PYTHON_IMAGE} AS wheels
RUN apt-get update && apt-get install -y --no-install-recommends build-essential \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY requirements.lock ./
# The pinned closure, without the resolver, as tools/setup.sh installs it. requirements.lock pins
# every package by version; once it carries a hash for every file, add --require-hashes here
# (pip refuses a lock in which only some lines have hashes).
RUN python -m pip wheel --no-cache-dir --no-deps -r requirements.lock -w /wheels \
    && python -m pip install --no-cache-dir --no-deps /wheels/setuptools-*.whl /wheels/wheel-*.whl
COPY pyproject.toml README.md ./
COPY gpumarket ./gpumarket
RUN python -m pip wheel --no-cache-dir --no-deps --no-build-isolation . -w /wheels

# Stage 2: the runtime, from those wheels only.
FROM ${PYTHON_IMAGE}
ENV PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
COPY --from=wheels /wheels /wheels
RUN python -m pip install --no-deps --no-index /wheels/*.whl && rm -rf /wheels \
    && gpumarket --help > /dev/null
WORKDIR /app
COPY build/contracts ./build/contracts

# Not root: the services need no privilege. State (SQLite stores, proofs, evidence) lives in
# the volume; the deployment file is mounted at /app/deployments/<network>.json.
RUN useradd --system --uid 10001 --home-dir /var/lib/gpumarket --create-home gpumarket \
    && mkdir -p /app/deployments && chown gpumarket:gpumarket /app/deployments
USER 10001:10001
VOLUME ["/var/lib/gpumarket"]

ENV GPUMARKET_AGENT_ABI_DIR=/app/build/contracts \
    GPUMARKET_ORACLE_ABI_DIR=/app/build/contracts \
    GPUMARKET_AGENT_STATE_DIR=/var/lib/gpumarket/agent \
    GPUMARKET_ORACLE_STATE_DIR=/var/lib/gpumarket/oracle \
    GPUMARKET_AGENT_HOST=0.0.0.0 \
    GPUMARKET_AGENT_PORT=8080 \
    GPUMARKET_ORACLE_METRICS_HOST=0.0.0.0 \
    GPUMARKET_ORACLE_METRICS_PORT=9100
# 8080: the agent's API and its /metrics; 9100: the oracle's /metrics.
EXPOSE 8080 9100

ENTRYPOINT ["gpumarket"]
CMD ["agent", "run"]
