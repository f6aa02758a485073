# policy-service, JVM mode: SAC learner; ND4J's CPU backend (natives in the jars).
# The image holds the Quarkus fast-jar that the normal Maven build already made; no Maven runs inside it.
# Build it with bin/images (docs/DEPLOYMENT.md, "Images"), or by hand from the repository root after `mvn package`:
#   podman build --format docker -f deploy/docker/policy-service.Dockerfile -t localhost/sim2real/policy-service:0.1.0 policy-service/target/quarkus-app
# (docker build takes the same arguments without --format; podman/buildah need --format docker or HEALTHCHECK is dropped.)
# BASE_IMAGE: any Debian bookworm image; the default comes from Docker Hub, our machines pass a local debootstrap image.
ARG BASE_IMAGE=docker.io/library/debian:bookworm-slim
FROM ${BASE_IMAGE}
# A JRE 17, curl for the HEALTHCHECK, and the user 185 (the uid k8s/base's securityContext runs as). The same RUN line
# in every sim2real Dockerfile, so the layer is built once and shared.
RUN apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      openjdk-17-jre-headless curl && rm -rf /var/lib/apt/lists/* \
    && useradd --uid 185 --home-dir /deployments --create-home sim2real
WORKDIR /deployments
# The build context is policy-service/target/quarkus-app.
COPY --chown=185 lib/ lib/
COPY --chown=185 *.jar ./
COPY --chown=185 app/ app/
COPY --chown=185 quarkus/ quarkus/
USER 185
ENV QUARKUS_HTTP_HOST=0.0.0.0 \
    QUARKUS_HTTP_PORT=8083 \
    JAVA_OPTS="-XX:MaxRAMPercentage=75"
EXPOSE 8083
# Shell form, so a QUARKUS_HTTP_PORT given at run time (bin/images smoke, host networking) is the port checked.
HEALTHCHECK --interval=10s --timeout=3s --start-period=60s CMD curl -fsS "http://127.0.0.1:${QUARKUS_HTTP_PORT}/q/health/ready" || exit 1
ENTRYPOINT ["sh", "-c", "exec java $JAVA_OPTS -jar /deployments/quarkus-run.jar"]
