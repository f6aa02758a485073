package io.sim2real.deployment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * k8s/base/'s pod security, disruption budgets and network policies: every service runs as the uid its image's
 * Dockerfile sets, with fsGroup for its volumes, without privilege escalation or capabilities; one PodDisruptionBudget
 * per service that never blocks a node drain; ingress to each service only on its http port, from sim2real's pods and
 * from the Prometheus namespace.
 */
class KubernetesPoliciesTest {

    static final List<HasMetadata> ALL = Manifests.base();

    static Deployment deployment(String name) {
        return KubernetesManifestsTest.deployment(ALL, name);
    }

    /** The uid of a service's JVM image: the Dockerfile's USER. */
    static long imageUid(String service) {
        Matcher m = Pattern.compile("(?m)^USER (\\d+)\\s*$").matcher(Repo.read("deploy/docker/" + service + ".Dockerfile"));
        assertTrue(m.find(), service + ".Dockerfile has a numeric USER");
        return Long.parseLong(m.group(1));
    }

    @Test
    void shouldRunEveryServiceAsItsImagesUidWithFsGroupAndNoPrivileges() {
        for (String service : Repo.SERVICES) {
            PodSecurityContext pod = deployment(service).getSpec().getTemplate().getSpec().getSecurityContext();
            assertTrue(pod != null, service + " has a pod securityContext");
            long uid = imageUid(service);
            assertEquals(Boolean.TRUE, pod.getRunAsNonRoot(), service);
            assertEquals(uid, pod.getRunAsUser(), service + " runs as its image's uid");
            assertEquals(uid, pod.getFsGroup(), service + ": volumes are group-writable for the image's user");
            assertEquals("RuntimeDefault", pod.getSeccompProfile().getType(), service);
            for (Container c : deployment(service).getSpec().getTemplate().getSpec().getContainers()) {
                SecurityContext sc = c.getSecurityContext();
                assertTrue(sc != null, service + " container securityContext");
                assertEquals(Boolean.FALSE, sc.getAllowPrivilegeEscalation(), service);
                assertEquals(List.of("ALL"), sc.getCapabilities().getDrop(), service);
                assertTrue(sc.getCapabilities().getAdd() == null || sc.getCapabilities().getAdd().isEmpty(), service);
                assertFalse(Boolean.TRUE.equals(sc.getPrivileged()), service);
            }
        }
    }

    static boolean selects(LabelSelector selector, Map<String, String> labels) {
        if (selector.getMatchLabels() != null && !labels.entrySet().containsAll(selector.getMatchLabels().entrySet())) {
            return false;
        }
        for (LabelSelectorRequirement r : selector.getMatchExpressions() == null ? List.<LabelSelectorRequirement>of()
                : selector.getMatchExpressions()) {
            String v = labels.get(r.getKey());
            boolean ok = switch (r.getOperator()) {
                case "In" -> v != null && r.getValues().contains(v);
                case "NotIn" -> v == null || !r.getValues().contains(v);
                case "Exists" -> v != null;
                case "DoesNotExist" -> v == null;
                default -> throw new IllegalArgumentException(r.getOperator());
            };
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    @Test
    void shouldGiveEveryServiceOneDisruptionBudgetThatNeverBlocksADrain() {
        List<PodDisruptionBudget> budgets = Manifests.of(ALL, PodDisruptionBudget.class);
        for (String service : Repo.SERVICES) {
            Deployment d = deployment(service);
            Map<String, String> labels = d.getSpec().getTemplate().getMetadata().getLabels();
            List<PodDisruptionBudget> mine = budgets.stream().filter(b -> selects(b.getSpec().getSelector(), labels)).toList();
            assertEquals(1, mine.size(), service + " has exactly one PodDisruptionBudget");
            PodDisruptionBudget b = mine.get(0);
            // The fewest replicas the service may run: the autoscaler's minimum, else the Deployment's replicas.
            int fewest = Manifests.of(ALL, HorizontalPodAutoscaler.class).stream()
                    .filter(h -> h.getSpec().getScaleTargetRef().getName().equals(service))
                    .map(h -> h.getSpec().getMinReplicas()).findFirst().orElse(d.getSpec().getReplicas());
            if (b.getSpec().getMinAvailable() != null) {
                assertTrue(b.getSpec().getMinAvailable().getIntVal() != null
                        && b.getSpec().getMinAvailable().getIntVal() < fewest, service + ": minAvailable would block drains");
            } else {
                assertTrue(b.getSpec().getMaxUnavailable().getIntVal() != null
                        && b.getSpec().getMaxUnavailable().getIntVal() >= 1, service + ": maxUnavailable 0 blocks drains");
            }
        }
        assertEquals(Repo.SERVICES.size(), budgets.size(), "a budget per service, none for pods we do not run");
    }

    @Test
    void shouldAdmitOnlyHttpFromSim2realPodsAndPrometheusToEveryService() {
        List<NetworkPolicy> policies = Manifests.of(ALL, NetworkPolicy.class);
        assertFalse(policies.isEmpty());
        for (String service : Repo.SERVICES) {
            Deployment d = deployment(service);
            Map<String, String> labels = d.getSpec().getTemplate().getMetadata().getLabels();
            List<NetworkPolicy> mine = policies.stream().filter(p -> selects(p.getSpec().getPodSelector(), labels)).toList();
            assertFalse(mine.isEmpty(), service + " is isolated by a NetworkPolicy");
            List<String> containerPorts = d.getSpec().getTemplate().getSpec().getContainers().get(0).getPorts().stream()
                    .map(p -> p.getName()).toList();
            boolean fromSim2real = false;
            boolean fromPrometheus = false;
            for (NetworkPolicy p : mine) {
                assertTrue(p.getSpec().getPolicyTypes().contains("Ingress"), p.getMetadata().getName());
                for (NetworkPolicyIngressRule rule : p.getSpec().getIngress()) {
                    assertFalse(rule.getPorts() == null || rule.getPorts().isEmpty(), "a rule admits named ports only");
                    for (NetworkPolicyPort port : rule.getPorts()) {
                        assertEquals("TCP", port.getProtocol());
                        assertEquals(List.of("http"), List.of(port.getPort().getStrVal()), service);
                        assertTrue(containerPorts.contains(port.getPort().getStrVal()), service + " has the port " + port.getPort());
                    }
                    assertFalse(rule.getFrom() == null || rule.getFrom().isEmpty(), "no rule admits everyone");
                    for (NetworkPolicyPeer peer : rule.getFrom()) {
                        assertEquals(null, peer.getIpBlock(), "peers by label, not address");
                        if (peer.getNamespaceSelector() == null) {
                            fromSim2real |= "sim2real".equals(peer.getPodSelector().getMatchLabels().get("app.kubernetes.io/part-of"));
                        } else {
                            fromPrometheus |= peer.getNamespaceSelector().getMatchLabels().containsKey("kubernetes.io/metadata.name");
                        }
                    }
                }
            }
            assertTrue(fromSim2real, service + " admits the other sim2real services");
            assertTrue(fromPrometheus, service + " admits Prometheus's namespace (the ServiceMonitor scrapes it)");
        }
    }
}
