# model-service, JVM mode, with ND4J's CUDA backend (nd4j-cuda-11.6, the newest CUDA release of ND4J
# 1.0.0-M2.1), for a node with an NVIDIA GPU (k8s/model-service-gpu.yaml). Build from the repository root:
#   docker build -f deploy/docker/model-service-cuda.Dockerfile -t sim2real/model-service:0.1.0-cuda .
# NOT BUILT OR RUN YET: it needs a Maven profile `cuda` in nn/ and model-service/ that swaps nd4j-native for
# nd4j-cuda-11.6 (see docs/DEPLOYMENT.md), and a GPU to try it on.
FROM debian:bookworm AS build
RUN apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      openjdk-17-jdk-headless maven gcc libc6-dev libmujoco-dev && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN mvn -B -ntp -pl model-service -am package -DskipTests -Pcuda

# CUDA 11.6 runtime and cuDNN 8 as nd4j-cuda-11.6 expects; a JRE on top.
FROM nvidia/cuda:11.6.2-cudnn8-runtime-ubuntu20.04
RUN apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      openjdk-17-jre-headless curl && rm -rf /var/lib/apt/lists/* \
    && useradd --uid 185 --home-dir /deployments --create-home sim2real
WORKDIR /deployments
COPY --from=build --chown=185 /src/model-service/target/quarkus-app/lib/ lib/
COPY --from=build --chown=185 /src/model-service/target/quarkus-app/*.jar ./
COPY --from=build --chown=185 /src/model-service/target/quarkus-app/app/ app/
COPY --from=build --chown=185 /src/model-service/target/quarkus-app/quarkus/ quarkus/
USER 185
ENV QUARKUS_HTTP_HOST=0.0.0.0 \
    JAVA_OPTS="-XX:MaxRAMPercentage=75"
EXPOSE 8082
HEALTHCHECK --interval=10s --timeout=3s --start-period=60s CMD curl -fsS http://127.0.0.1:8082/q/health/ready || exit 1
ENTRYPOINT ["sh", "-c", "exec java $JAVA_OPTS -jar /deployments/quarkus-run.jar"]
