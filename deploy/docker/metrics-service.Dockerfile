# metrics-service, JVM mode. Build from the repository root:
#   docker build -f deploy/docker/metrics-service.Dockerfile -t sim2real/metrics-service:0.1.0 .
# Stage 1 builds the Quarkus fast-jar with the same Debian packages as .ci/run (gcc and libmujoco-dev compile
# the physics module's MuJoCo shim); stage 2 runs it on a slim Debian with a JRE.
FROM debian:bookworm AS build
RUN apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      openjdk-17-jdk-headless maven gcc libc6-dev libmujoco-dev && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN mvn -B -ntp -pl metrics-service -am package -DskipTests

FROM debian:bookworm-slim
RUN apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      openjdk-17-jre-headless curl && rm -rf /var/lib/apt/lists/* \
    && useradd --uid 185 --home-dir /deployments --create-home sim2real
WORKDIR /deployments
COPY --from=build --chown=185 /src/metrics-service/target/quarkus-app/lib/ lib/
COPY --from=build --chown=185 /src/metrics-service/target/quarkus-app/*.jar ./
COPY --from=build --chown=185 /src/metrics-service/target/quarkus-app/app/ app/
COPY --from=build --chown=185 /src/metrics-service/target/quarkus-app/quarkus/ quarkus/
USER 185
ENV QUARKUS_HTTP_HOST=0.0.0.0 \
    JAVA_OPTS="-XX:MaxRAMPercentage=75"
EXPOSE 8084
HEALTHCHECK --interval=10s --timeout=3s --start-period=60s CMD curl -fsS http://127.0.0.1:8084/q/health/ready || exit 1
ENTRYPOINT ["sh", "-c", "exec java $JAVA_OPTS -jar /deployments/quarkus-run.jar"]
