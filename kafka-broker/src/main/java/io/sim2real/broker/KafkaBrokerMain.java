package io.sim2real.broker;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * Runs the broker as its own process for the local run:
 * {@code java -cp ... io.sim2real.broker.KafkaBrokerMain --data DIR --port 9092 --controller-port 9093 [key=value ...]}.
 * Prints {@code READY <bootstrap>} once clients can connect, and shuts down cleanly on SIGTERM.
 */
public final class KafkaBrokerMain {

    private KafkaBrokerMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        Path data = Path.of("target/kafka-data");
        int port = 9092;
        int controllerPort = 9093;
        Map<String, String> overrides = new HashMap<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--data" -> data = Path.of(args[++i]);
                case "--port" -> port = Integer.parseInt(args[++i]);
                case "--controller-port" -> controllerPort = Integer.parseInt(args[++i]);
                default -> {
                    int eq = args[i].indexOf('=');
                    if (eq <= 0) {
                        System.err.println("unknown argument '" + args[i] + "'; expected --data, --port, "
                                + "--controller-port or broker overrides as key=value");
                        System.exit(2);
                    }
                    overrides.put(args[i].substring(0, eq), args[i].substring(eq + 1));
                }
            }
        }
        EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.persistent(data, port, controllerPort, overrides);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            broker.close();
            stopped.countDown();
        }, "broker-shutdown"));
        broker.start(Duration.ofSeconds(60));
        System.out.println("READY " + broker.bootstrapServers());
        System.out.flush();
        stopped.await();
    }
}
