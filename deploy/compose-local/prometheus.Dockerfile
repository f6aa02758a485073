# A local stand-in for the prom/prometheus image that docker-compose.yml names, for machines that cannot pull it
# (ours). Never pushed. Debian's Prometheus (2.42), with wget for compose's healthcheck as in prom/prometheus, which
# is busybox-based; the same entrypoint, user and data directory as that image.
ARG BASE_IMAGE=docker.io/library/debian:bookworm-slim
FROM ${BASE_IMAGE}
RUN apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends prometheus wget \
    && rm -rf /var/lib/apt/lists/* && mkdir -p /prometheus && chown nobody:nogroup /prometheus
USER nobody
WORKDIR /prometheus
EXPOSE 9090
ENTRYPOINT ["/usr/bin/prometheus"]
CMD ["--config.file=/etc/prometheus/prometheus.yml", "--storage.tsdb.path=/prometheus"]
