# model-service, JVM mode, with ND4J's CUDA backend (nd4j-cuda-11.6, the newest CUDA release of ND4J 1.0.0-M2.1), for a
# node with an NVIDIA GPU (k8s/overlays/gpu). The image holds the fast-jar of a Maven build with -Pcuda; no Maven runs
# inside it. Build from the repository root:
#   mvn -B -pl model-service -am package -DskipTests -Pcuda
#   podman build --format docker -f deploy/docker/model-service-cuda.Dockerfile \
#     -t localhost/sim2real/model-service:0.1.0-cuda model-service/target/quarkus-app
# NOT BUILT OR RUN YET: it needs a Maven profile `cuda` in nn/ and model-service/ that swaps nd4j-native for
# nd4j-cuda-11.6 (see docs/DEPLOYMENT.md), and a GPU to try it on.
# CUDA 11.6 runtime and cuDNN 8 as nd4j-cuda-11.6 expects; a JRE on top.
ARG BASE_IMAGE=docker.io/nvidia/cuda:11.6.2-cudnn8-runtime-ubuntu20.04
FROM ${BASE_IMAGE}
RUN apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      openjdk-17-jre-headless curl && rm -rf /var/lib/apt/lists/* \
    && useradd --uid 185 --home-dir /deployments --create-home sim2real
WORKDIR /deployments
# The build context is model-service/target/quarkus-app (of the -Pcuda build).
COPY --chown=185 lib/ lib/
COPY --chown=185 *.jar ./
COPY --chown=185 app/ app/
COPY --chown=185 quarkus/ quarkus/
USER 185
ENV QUARKUS_HTTP_HOST=0.0.0.0 \
    QUARKUS_HTTP_PORT=8082 \
    JAVA_OPTS="-XX:MaxRAMPercentage=75"
EXPOSE 8082
HEALTHCHECK --interval=10s --timeout=3s --start-period=60s CMD curl -fsS "http://127.0.0.1:${QUARKUS_HTTP_PORT}/q/health/ready" || exit 1
ENTRYPOINT ["sh", "-c", "exec java $JAVA_OPTS -jar /deployments/quarkus-run.jar"]
