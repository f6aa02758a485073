package io.sim2real.testing;

import jakarta.ws.rs.HttpMethod;
import jakarta.ws.rs.Path;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * The REST endpoints a service declares ({@code @Path} resources and their HTTP-method annotations), read by
 * reflection from its compiled classes, as "METHOD /path" with path parameters written {@code {name}}: what its
 * OpenAPI document must list.
 */
public final class RestEndpoints {

    private RestEndpoints() {
    }

    /** The endpoints of the resources under {@code classesDir} and of the named classes (shared resources). */
    public static Set<String> declared(java.nio.file.Path classesDir, String... sharedResources) {
        List<String> names = new ArrayList<>(List.of(sharedResources));
        try (Stream<java.nio.file.Path> files = Files.walk(classesDir)) {
            files.filter(f -> f.toString().endsWith(".class") && !f.getFileName().toString().contains("$"))
                    .forEach(f -> names.add(classesDir.relativize(f).toString().replace('/', '.').replaceAll("\\.class$", "")));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Set<String> out = new TreeSet<>();
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        for (String name : names) {
            Class<?> type;
            try {
                type = Class.forName(name, false, loader);
            } catch (ClassNotFoundException | LinkageError e) {
                continue;
            }
            Path base = type.getAnnotation(Path.class);
            if (base == null) {
                continue;
            }
            for (Method m : type.getDeclaredMethods()) {
                String verb = httpMethod(m);
                if (verb != null) {
                    Path sub = m.getAnnotation(Path.class);
                    out.add(verb + " " + normalise(base.value() + (sub == null ? "" : "/" + sub.value())));
                }
            }
        }
        return out;
    }

    /** "/a//b/{id: [0-9]+}/" as "/a/b/{id}". */
    public static String normalise(String path) {
        String p = path.replaceAll("\\{\\s*([A-Za-z0-9_]+)\\s*:[^}]*}", "{$1}").replaceAll("/+", "/");
        return p.length() > 1 && p.endsWith("/") ? p.substring(0, p.length() - 1) : p;
    }

    private static String httpMethod(Method m) {
        for (Annotation a : m.getAnnotations()) {
            HttpMethod verb = a.annotationType().getAnnotation(HttpMethod.class);
            if (verb != null) {
                return verb.value();
            }
        }
        return null;
    }
}
