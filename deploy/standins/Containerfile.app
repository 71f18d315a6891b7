# Stand-in for deploy/Dockerfile when its build stage cannot run: the Dockerfile's runtime stage,
# line for line, over a release binary built on the host (build.sh app copies it in).
FROM docker.io/library/debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates curl \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin commodex \
 && mkdir -p /app/data \
 && chown commodex /app/data
WORKDIR /app
COPY commodex /usr/local/bin/commodex
COPY config ./config
USER commodex
ENV COMMODEX_PROFILE=production \
    COMMODEX_BIND=0.0.0.0:8000 \
    COMMODEX_DATA_DIR=/app/data
EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["curl", "--fail", "--silent", "--show-error", "--max-time", "2", "http://127.0.0.1:8000/api/v1/health"]
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/local/bin/commodex"]
CMD ["serve"]
