# A local stand-in for the apache/kafka image that docker-compose.yml names, for machines that cannot pull it (ours:
# no registry is reachable). Never pushed; docker-compose.yml itself keeps apache/kafka. It runs Apache Kafka's own
# broker (kafka.Kafka, KRaft) from the Kafka jars the Maven build already resolved (kafka-broker/target/lib, plus
# kafka-tools for the healthcheck's kafka-broker-api-versions.sh), configured as apache/kafka is: every KAFKA_* variable
# becomes a server property (kafka-entrypoint.sh), so compose's environment, KAFKA_LOG_DIRS included, is what runs.
# Built by `bin/images compose` with the context it assembles (libs/ and this folder's scripts).
ARG BASE_IMAGE=docker.io/library/debian:bookworm-slim
FROM ${BASE_IMAGE}
# The services' JRE line (deploy/docker/*.Dockerfile), so the layer is shared with their images.
RUN apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      openjdk-17-jre-headless curl && rm -rf /var/lib/apt/lists/* \
    && useradd --uid 185 --home-dir /deployments --create-home sim2real
COPY libs/ /opt/kafka/libs/
COPY kafka-entrypoint.sh /opt/kafka/kafka-entrypoint.sh
COPY kafka-broker-api-versions.sh /opt/kafka/bin/kafka-broker-api-versions.sh
# apache/kafka's data directory, owned by the broker's user, so that a fresh named volume mounted there inherits it.
RUN mkdir -p /var/lib/kafka/data /opt/kafka/config && chown 185 /var/lib/kafka/data /opt/kafka/config
USER 185
ENV KAFKA_HEAP_OPTS="-Xmx512m"
EXPOSE 9092
HEALTHCHECK --interval=5s --timeout=10s --start-period=30s CMD /opt/kafka/bin/kafka-broker-api-versions.sh --bootstrap-server localhost:9092 >/dev/null
ENTRYPOINT ["/opt/kafka/kafka-entrypoint.sh"]
