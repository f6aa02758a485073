# metrics-service as a native executable (the one service without ND4J/JavaCPP or JNA; docs/DEPLOYMENT.md). The image
# holds the executable that `mvn -Pnative` made; no build runs inside it. On a machine with GraalVM/Mandrel:
#   mvn -B -pl metrics-service -am package -DskipTests -Pnative
#   podman build --format docker -f deploy/docker/metrics-service-native.Dockerfile \
#     -t localhost/sim2real/metrics-service:0.1.0-native metrics-service/target
# (or let Quarkus build the executable in a container: add -Dquarkus.native.container-build=true, which needs Docker.)
# NOT BUILT IN CI: these machines have no GraalVM/Mandrel (../shared/docs/STACK.md).
# No HEALTHCHECK: the micro image has no curl or shell tools; Kubernetes' probes check /q/health (k8s/base).
ARG BASE_IMAGE=quay.io/quarkus/ubi9-quarkus-micro-image:2.0
FROM ${BASE_IMAGE}
WORKDIR /work
# The build context is metrics-service/target.
COPY --chmod=0755 *-runner /work/application
USER 185
EXPOSE 8084
ENTRYPOINT ["/work/application", "-Dquarkus.http.host=0.0.0.0"]
