package io.sim2real.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The peers every nn benchmark runs in the same run, one process each, one after another (never beside ours):
 * Debian's PyTorch 1.13 (/usr/bin/python3, eager), and from the peer virtualenv that bin/bench creates
 * (benchmarks/target/peer-venv: PyTorch 2.x CPU wheel, JAX) PyTorch 2.x eager, PyTorch 2.x with torch.compile
 * and JAX with jit. Each peer script (benchmarks/peer/*.py, peer_common.py) prints one JSON line.
 */
final class Peers {

    static final String VENV_PYTHON = "benchmarks/target/peer-venv/bin/python";
    private static final String DEBIAN_PYTHON = "/usr/bin/python3";
    private static final String JEMALLOC = "/usr/lib/x86_64-linux-gnu/libjemalloc.so.2";
    private static final long TIMEOUT_MINUTES = 30;

    /** One peer: a label for the tables, the interpreter and the peer_common.py implementation. */
    record Peer(String label, String python, String impl) {
    }

    /** A peer's JSON line, or why it did not run. */
    record Outcome(Peer peer, JsonNode json, String failure) {

        boolean ok() {
            return json != null;
        }

        /** The peer's own name (with its library version) when it ran, else the label. */
        String name() {
            return ok() ? json.get("peer").asText() : peer.label();
        }

        /** Seconds its first calls took (compilation), null when it compiles nothing. */
        Double compileSeconds() {
            return ok() && json.hasNonNull("compile_s") ? json.get("compile_s").asDouble() : null;
        }
    }

    static final List<Peer> ALL = List.of(
            new Peer("pytorch 1.13 eager (Debian)", DEBIAN_PYTHON, "eager"),
            new Peer("pytorch 2.x eager", VENV_PYTHON, "eager"),
            new Peer("pytorch 2.x torch.compile", VENV_PYTHON, "compile"),
            new Peer("jax jit", VENV_PYTHON, "jax"));

    private Peers() {
    }

    /**
     * Runs every peer of a benchmark script. {@code BENCH_PEER_ARGS} (environment, for smoke tests of the harness
     * only, e.g. "--steps 3 --rollouts 5792") is appended to each peer's arguments.
     */
    static List<Outcome> runAll(String script, int threads) throws InterruptedException {
        String extra = System.getenv().getOrDefault("BENCH_PEER_ARGS", "").strip();
        List<Outcome> out = new ArrayList<>();
        for (Peer peer : ALL) {
            out.add(run(peer, script, threads, extra.isEmpty() ? List.of() : List.of(extra.split("\\s+"))));
        }
        return out;
    }

    /**
     * Runs one peer script with {@code threads} threads. PyTorch peers run with jemalloc preloaded where the
     * machine has it (their best allocator: Debian's libjemalloc2); OMP_NUM_THREADS is the thread count.
     */
    static Outcome run(Peer peer, String script, int threads, List<String> extraArgs) throws InterruptedException {
        if (!new File(peer.python()).canExecute()) {
            return new Outcome(peer, null, peer.python() + " missing"
                    + (peer.python().equals(VENV_PYTHON) ? " (bin/bench creates the peer virtualenv)"
                    : " (apt-get install -y --no-install-recommends python3-torch libopenblas0-openmp libjemalloc2)"));
        }
        List<String> command = new ArrayList<>(List.of(peer.python(), script, "--threads", String.valueOf(threads),
                "--impl", peer.impl()));
        command.addAll(extraArgs);
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        if (!peer.impl().equals("jax") && new File(JEMALLOC).exists()) {
            pb.environment().put("LD_PRELOAD", JEMALLOC);
            pb.environment().put("MALLOC_CONF", "dirty_decay_ms:-1,muzzy_decay_ms:-1");
        }
        pb.environment().put("OMP_NUM_THREADS", String.valueOf(threads));
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            return new Outcome(peer, null, "could not start " + peer.python() + ": " + e.getMessage());
        }
        String last = null;
        StringBuilder all = new StringBuilder();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null) {
                all.append(line).append('\n');
                if (line.startsWith("{")) {
                    last = line;
                }
            }
        } catch (IOException e) {
            return new Outcome(peer, null, "reading its output: " + e.getMessage());
        }
        if (!p.waitFor(TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            return new Outcome(peer, null, "no result in " + TIMEOUT_MINUTES + " min");
        }
        if (p.exitValue() != 0 || last == null) {
            String text = all.toString().strip();
            String tail = text.length() > 1500 ? "..." + text.substring(text.length() - 1500) : text;
            return new Outcome(peer, null, "exit " + p.exitValue() + ":\n" + tail);
        }
        try {
            return new Outcome(peer, new ObjectMapper().readTree(last), null);
        } catch (IOException e) {
            return new Outcome(peer, null, "unreadable JSON line " + last);
        }
    }
}
