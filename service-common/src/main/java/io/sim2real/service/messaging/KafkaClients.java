package io.sim2real.service.messaging;

import java.util.HashMap;
import java.util.Map;

/** The configuration a plain Kafka client of a service starts from. */
public final class KafkaClients {

    private KafkaClients() {
    }

    /**
     * The default Kafka broker's configuration (bootstrap servers, security) as a plain client takes it: null values
     * and Quarkus' {@code topic*} keys, which are not client settings, left out; a new map the caller may change.
     */
    public static Map<String, Object> config(Map<String, Object> defaultKafkaBroker) {
        Map<String, Object> config = new HashMap<>();
        defaultKafkaBroker.forEach((k, v) -> {
            if (v != null && !k.startsWith("topic")) {
                config.put(k, v);
            }
        });
        return config;
    }
}
