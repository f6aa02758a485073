package io.sim2real.deployment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * k8s/'s kustomize overlays, rendered by {@code kubectl kustomize}: {@code k8s} itself is the cpu overlay (the default),
 * gpu differs from it only in model-service's GPU, image and node placement, production only in image names and pull
 * secrets; every rendered object parses into fabric8's typed objects and every Strimzi resource validates against the
 * Strimzi 1.0.0 CRDs.
 */
class KustomizeOverlaysTest {

    static final List<String> OVERLAYS = List.of("k8s", "k8s/overlays/cpu", "k8s/overlays/gpu", "k8s/overlays/production");
    static final String GPU_NODE_LABEL = "nvidia.com/gpu.present";

    static Map<String, HasMetadata> byId(List<HasMetadata> objects) {
        Map<String, HasMetadata> out = new TreeMap<>();
        for (HasMetadata o : objects) {
            assertEquals(null, out.put(o.getKind() + "/" + o.getMetadata().getName(), o), "duplicate " + o.getKind());
        }
        return out;
    }

    static Map<String, HasMetadata> render(String dir) {
        return byId(Manifests.parse(Manifests.kustomize(dir)));
    }

    static Deployment deployment(Map<String, HasMetadata> objects, String name) {
        return (Deployment) objects.get("Deployment/" + name);
    }

    @Test
    void shouldDeployTheCpuOverlayByDefaultAndItAddsNothingToBase() {
        String byDefault = Manifests.kustomize("k8s");
        assertEquals(Manifests.kustomize("k8s/overlays/cpu"), byDefault, "kubectl apply -k k8s is the cpu overlay");
        assertEquals(byId(Manifests.base()), byId(Manifests.parse(byDefault)), "the cpu overlay is base/ unchanged");
        Container c = deployment(render("k8s"), "model-service").getSpec().getTemplate().getSpec().getContainers().get(0);
        assertEquals("sim2real/model-service:0.1.0", c.getImage());
        assertFalse(c.getResources().getLimits().containsKey("nvidia.com/gpu"));
        Map<String, String> nodeSelector = deployment(render("k8s"), "model-service").getSpec().getTemplate().getSpec().getNodeSelector();
        assertTrue(nodeSelector == null || nodeSelector.isEmpty(), "on any node: " + nodeSelector);
    }

    @Test
    void shouldRunModelServiceOnALabelledGpuNodeWithTheCudaImageInTheGpuOverlayAndChangeNothingElse() throws Exception {
        Map<String, HasMetadata> cpu = render("k8s/overlays/cpu");
        Map<String, HasMetadata> gpu = render("k8s/overlays/gpu");
        assertEquals(cpu.keySet(), gpu.keySet());
        for (String id : cpu.keySet()) {
            if (!id.equals("Deployment/model-service")) {
                assertEquals(cpu.get(id), gpu.get(id), id + " is the same in both overlays");
            }
        }
        Deployment g = deployment(gpu, "model-service");
        Deployment c = deployment(cpu, "model-service");
        PodSpec pod = g.getSpec().getTemplate().getSpec();
        Container container = pod.getContainers().get(0);
        assertEquals(new Quantity("1"), container.getResources().getLimits().get("nvidia.com/gpu"));
        assertEquals("sim2real/model-service:0.1.0-cuda", container.getImage());
        assertEquals("true", pod.getNodeSelector().get(GPU_NODE_LABEL));
        assertTrue(pod.getTolerations().stream().anyMatch(t -> t.getKey().equals("nvidia.com/gpu")));
        assertTrue(java.nio.file.Files.exists(Repo.file("deploy/docker/model-service-cuda.Dockerfile")));
        assertTrue(Repo.read("docs/DEPLOYMENT.md").contains(GPU_NODE_LABEL), "docs/DEPLOYMENT.md documents the GPU node label");
        // Otherwise the same: configuration, probes, volumes, security, one pod at a time on a ReadWriteOnce volume.
        Container cc = c.getSpec().getTemplate().getSpec().getContainers().get(0);
        assertEquals(cc.getEnv(), container.getEnv());
        assertEquals(cc.getEnvFrom(), container.getEnvFrom());
        assertEquals(cc.getStartupProbe(), container.getStartupProbe());
        assertEquals(cc.getVolumeMounts(), container.getVolumeMounts());
        assertEquals(cc.getSecurityContext(), container.getSecurityContext());
        assertEquals(c.getSpec().getTemplate().getSpec().getSecurityContext(), pod.getSecurityContext());
        assertEquals(c.getSpec().getTemplate().getSpec().getVolumes(), pod.getVolumes());
        assertEquals(cc.getResources().getRequests(), container.getResources().getRequests());
        String claim = pod.getVolumes().get(0).getPersistentVolumeClaim().getClaimName();
        assertTrue(gpu.get("PersistentVolumeClaim/" + claim) instanceof PersistentVolumeClaim, claim);
        assertEquals("Recreate", g.getSpec().getStrategy().getType(), "one pod at a time on a ReadWriteOnce volume");
    }

    @Test
    void shouldKeepDatasetsAndCheckpointsOnClaimsWhoseStorageClassTheOverlaysChoose() {
        Map<String, HasMetadata> cpu = render("k8s/overlays/cpu");
        Map<String, HasMetadata> production = render("k8s/overlays/production");
        int claims = 0;
        for (String service : Repo.SERVICES) {
            PodSpec pod = deployment(cpu, service).getSpec().getTemplate().getSpec();
            for (io.fabric8.kubernetes.api.model.EnvVar e : pod.getContainers().get(0).getEnv()) {
                if (!e.getName().endsWith("_DIR")) {
                    continue;
                }
                // The directory a service keeps data in is on a claim, never on the pod's own emptyDir.
                String volume = pod.getContainers().get(0).getVolumeMounts().stream()
                        .filter(m -> e.getValue().startsWith(m.getMountPath())).findFirst().orElseThrow().getName();
                io.fabric8.kubernetes.api.model.Volume v = pod.getVolumes().stream().filter(x -> x.getName().equals(volume))
                        .findFirst().orElseThrow();
                assertTrue(v.getPersistentVolumeClaim() != null, service + " " + e.getName() + " is on " + v);
                String name = v.getPersistentVolumeClaim().getClaimName();
                PersistentVolumeClaim claim = (PersistentVolumeClaim) cpu.get("PersistentVolumeClaim/" + name);
                int replicas = maxReplicas(cpu, service);
                // Several replicas share one claim only if it is ReadWriteMany; a ReadWriteOnce claim takes one pod,
                // replaced by Recreate so that the old pod lets go first.
                if (replicas > 1) {
                    assertEquals(List.of("ReadWriteMany"), claim.getSpec().getAccessModes(), name + ": " + replicas + " replicas mount it");
                } else {
                    assertEquals(List.of("ReadWriteOnce"), claim.getSpec().getAccessModes(), name);
                    assertEquals("Recreate", deployment(cpu, service).getSpec().getStrategy().getType(), service);
                }
                // base leaves the class to the cluster's default; the production overlay names one for each claim.
                assertEquals(null, claim.getSpec().getStorageClassName(), name + " in base");
                String productionClass = ((PersistentVolumeClaim) production.get("PersistentVolumeClaim/" + name)).getSpec()
                        .getStorageClassName();
                assertTrue(productionClass != null && !productionClass.isBlank(), name + " has no storage class in production");
                claims++;
            }
        }
        assertEquals(3, claims, "env-service's datasets, model-service's and policy-service's checkpoints");
    }

    /** The most replicas a service runs: its HorizontalPodAutoscaler's maximum, else the Deployment's replicas. */
    static int maxReplicas(Map<String, HasMetadata> objects, String service) {
        return objects.values().stream().filter(o -> o instanceof io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler)
                .map(o -> (io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler) o)
                .filter(h -> h.getSpec().getScaleTargetRef().getName().equals(service))
                .map(h -> h.getSpec().getMaxReplicas()).findFirst()
                .orElse(deployment(objects, service).getSpec().getReplicas());
    }

    @Test
    void shouldTakeEveryImageFromARegistryWithPullSecretsInTheProductionOverlay() {
        Map<String, HasMetadata> cpu = render("k8s/overlays/cpu");
        Map<String, HasMetadata> production = render("k8s/overlays/production");
        assertEquals(cpu.keySet(), production.keySet());
        for (String service : Repo.SERVICES) {
            PodSpec pod = deployment(production, service).getSpec().getTemplate().getSpec();
            String image = pod.getContainers().get(0).getImage();
            String registry = image.substring(0, image.indexOf('/'));
            assertTrue(registry.contains(".") || registry.contains(":"), service + "'s image names a registry: " + image);
            assertTrue(image.endsWith("/" + service + ":0.1.0"), image);
            assertFalse(pod.getImagePullSecrets().isEmpty(), service + " pulls with a registry Secret");
            String cpuImage = deployment(cpu, service).getSpec().getTemplate().getSpec().getContainers().get(0).getImage();
            assertNotEquals(cpuImage, image);
        }
    }

    @Test
    void shouldRenderEveryOverlayIntoTypedObjectsAndValidStrimziResources() {
        CrdSchemas strimzi = CrdSchemas.load(StrimziSchemaTest.schemas("strimzi-1.0.0"));
        Set<String> generic = Set.of("Kafka", "KafkaNodePool", "KafkaTopic", "KafkaUser", "ServiceMonitor", "PodMonitor", "PrometheusRule");
        for (String overlay : OVERLAYS) {
            String yaml = Manifests.kustomize(overlay);
            for (HasMetadata o : Manifests.parse(yaml)) {
                if (o instanceof GenericKubernetesResource r) {
                    assertTrue(generic.contains(r.getKind()), overlay + ": " + r.getKind() + " is not a typed object");
                }
                if (!o.getKind().equals("Namespace")) {
                    assertEquals(KubernetesManifestsTest.NAMESPACE, o.getMetadata().getNamespace(), overlay + " " + o.getKind());
                }
            }
            // The Strimzi resources as kustomize wrote them (not as fabric8 reads them) against the CRDs.
            List<String> errors = new ArrayList<>();
            int strimziResources = 0;
            try (MappingIterator<JsonNode> docs = Repo.YAML.readerFor(JsonNode.class).readValues(yaml)) {
                while (docs.hasNext()) {
                    JsonNode d = docs.next();
                    if (d.path("apiVersion").asText().startsWith("kafka.strimzi.io/")) {
                        errors.addAll(strimzi.validate(d));
                        strimziResources++;
                    }
                }
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            assertTrue(strimziResources >= 3, overlay);
            assertTrue(errors.isEmpty(), overlay + ":\n" + String.join("\n", errors));
        }
    }
}
