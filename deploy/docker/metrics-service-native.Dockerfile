# metrics-service as a native executable (the one service without ND4J/JavaCPP or JNA; docs/DEPLOYMENT.md).
# Build from the repository root on a machine with Docker:
#   docker build -f deploy/docker/metrics-service-native.Dockerfile -t sim2real/metrics-service:0.1.0-native .
# NOT BUILT IN CI: these machines have no Docker and no GraalVM/Mandrel (../shared/docs/STACK.md).
FROM quay.io/quarkus/ubi9-quarkus-mandrel-builder-image:jdk-21 AS build
USER root
RUN curl -fsSL https://archive.apache.org/dist/maven/maven-3/3.9.9/binaries/apache-maven-3.9.9-bin.tar.gz \
      | tar -xz -C /opt && ln -s /opt/apache-maven-3.9.9/bin/mvn /usr/local/bin/mvn
WORKDIR /src
COPY . .
RUN mvn -B -ntp -pl metrics-service -am package -DskipTests -Pnative

FROM quay.io/quarkus/ubi9-quarkus-micro-image:2.0
WORKDIR /work
COPY --from=build --chmod=0755 /src/metrics-service/target/*-runner /work/application
USER 1001
EXPOSE 8084
ENTRYPOINT ["/work/application", "-Dquarkus.http.host=0.0.0.0"]
