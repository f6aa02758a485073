# The repository's single-node KRaft broker (kafka-broker module) as a container, for bin/images smoke only: it listens
# on 127.0.0.1, so run it with host networking (podman run --network host). Not a production Kafka: Kubernetes uses
# Strimzi (k8s/base/kafka.yaml), compose the apache/kafka image. Never pushed.
# Context: kafka-broker/target after `mvn -pl kafka-broker -am package` (the jar and its lib/ of runtime dependencies).
ARG BASE_IMAGE=docker.io/library/debian:bookworm-slim
FROM ${BASE_IMAGE}
# The same RUN line as the service Dockerfiles: one shared layer.
RUN apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      openjdk-17-jre-headless curl && rm -rf /var/lib/apt/lists/* \
    && useradd --uid 185 --home-dir /deployments --create-home sim2real
WORKDIR /deployments
COPY --chown=185 lib/ lib/
COPY --chown=185 sim2real-kafka-broker-*.jar lib/
USER 185
RUN mkdir -p /deployments/kafka-data
ENV KAFKA_PORT=9092 \
    KAFKA_CONTROLLER_PORT=9093 \
    JAVA_OPTS="-Xmx768m"
EXPOSE 9092
HEALTHCHECK --interval=5s --timeout=3s --start-period=30s CMD bash -c 'exec 3<>/dev/tcp/127.0.0.1/${KAFKA_PORT}' || exit 1
ENTRYPOINT ["sh", "-c", "exec java $JAVA_OPTS -cp '/deployments/lib/*' io.sim2real.broker.KafkaBrokerMain --data /deployments/kafka-data --port $KAFKA_PORT --controller-port $KAFKA_CONTROLLER_PORT"]
