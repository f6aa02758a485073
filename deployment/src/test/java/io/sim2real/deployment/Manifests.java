package io.sim2real.deployment;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesList;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** The k8s/ manifests parsed into fabric8's typed Kubernetes objects (custom resources as generic ones). */
final class Manifests {

    static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

    private Manifests() {
    }

    static List<HasMetadata> parse(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            Object o = SERIALIZATION.unmarshal(in);
            List<HasMetadata> out = new ArrayList<>();
            if (o instanceof KubernetesList list) {
                out.addAll(list.getItems());
            } else if (o instanceof List<?> list) {
                list.forEach(x -> out.add((HasMetadata) x));
            } else {
                out.add((HasMetadata) o);
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every manifest of k8s/base/ (what every overlay deploys; the cpu overlay adds nothing) except its kustomization. */
    static List<Path> files() {
        try (Stream<Path> s = Files.walk(Repo.file("k8s/base"))) {
            return s.filter(p -> p.toString().endsWith(".yaml") && !p.getFileName().toString().equals("kustomization.yaml"))
                    .sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every manifest under k8s/base/, parsed. */
    static List<HasMetadata> base() {
        List<HasMetadata> all = new ArrayList<>();
        files().forEach(f -> all.addAll(parse(f)));
        return all;
    }

    /** The objects of a YAML stream (kubectl kustomize's output). */
    static List<HasMetadata> parse(String yaml) {
        Object o = SERIALIZATION.unmarshal(yaml);
        List<HasMetadata> out = new ArrayList<>();
        if (o instanceof KubernetesList list) {
            out.addAll(list.getItems());
        } else if (o instanceof List<?> list) {
            list.forEach(x -> out.add((HasMetadata) x));
        } else {
            out.add((HasMetadata) o);
        }
        return out;
    }

    /**
     * {@code kubectl kustomize} of a folder under k8s/ (kubectl's built-in kustomize). Without kubectl on the PATH the
     * calling test fails under bin/test or in CI and is skipped elsewhere
     * ({@link DashboardSchemaTest#missingTool}).
     */
    static String kustomize(String dir) {
        if (!DashboardSchemaTest.onPath("kubectl")) {
            DashboardSchemaTest.missingTool("kubectl is needed to render the kustomize overlays of k8s/: "
                    + "apt-get install -y --no-install-recommends kubernetes-client (bin/test does when no kubectl is on the PATH)");
        }
        try {
            Process p = new ProcessBuilder("kubectl", "kustomize", Repo.file(dir).toString()).redirectError(
                    ProcessBuilder.Redirect.PIPE).start();
            byte[] err = new byte[0];
            String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            err = p.getErrorStream().readAllBytes();
            if (!p.waitFor(120, java.util.concurrent.TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new AssertionError("kubectl kustomize " + dir + " failed:\n" + new String(err, java.nio.charset.StandardCharsets.UTF_8));
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static <T extends HasMetadata> List<T> of(List<HasMetadata> all, Class<T> type) {
        return all.stream().filter(type::isInstance).map(type::cast).toList();
    }

    static List<GenericKubernetesResource> custom(List<HasMetadata> all, String kind) {
        return of(all, GenericKubernetesResource.class).stream().filter(r -> r.getKind().equals(kind)).toList();
    }
}
