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

    /** Every manifest under k8s/ except kustomization files, by file. */
    static List<Path> files() {
        try (Stream<Path> s = Files.walk(Repo.file("k8s"))) {
            return s.filter(p -> p.toString().endsWith(".yaml") && !p.getFileName().toString().equals("kustomization.yaml"))
                    .sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static <T extends HasMetadata> List<T> of(List<HasMetadata> all, Class<T> type) {
        return all.stream().filter(type::isInstance).map(type::cast).toList();
    }

    static List<GenericKubernetesResource> custom(List<HasMetadata> all, String kind) {
        return of(all, GenericKubernetesResource.class).stream().filter(r -> r.getKind().equals(kind)).toList();
    }
}
