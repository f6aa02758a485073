package io.sim2real.service.topics;

import io.sim2real.contracts.Topics;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.eclipse.microprofile.config.spi.ConfigSource;

/**
 * Publishes the topic names of {@link Topics} as configuration: {@code sim2real.topic.transitions},
 * {@code sim2real.topic.transitions.dlq} and so on, so that application.properties can say
 * {@code topic=${sim2real.topic.transitions}} and the names have one home. The low ordinal lets
 * application.properties or environment variables rename a topic where a deployment needs it. It also publishes
 * {@value #MAX_RECORD_BYTES_KEY}, {@link Topics#MAX_RECORD_BYTES}, which every channel's {@code max.request.size}
 * and {@code max.partition.fetch.bytes} reference, so the size limit agrees end to end.
 */
public class TopicConfigSource implements ConfigSource {

    public static final String PREFIX = "sim2real.topic.";
    public static final String MAX_RECORD_BYTES_KEY = "sim2real.kafka.max-record-bytes";
    private static final int ORDINAL = 50;

    private final Map<String, String> properties;

    public TopicConfigSource() {
        Map<String, String> p = new HashMap<>();
        for (Topics.TopicSpec topic : Topics.DATA_TOPICS) {
            p.put(PREFIX + topic.configKey(), topic.name());
            p.put(PREFIX + topic.configKey() + ".dlq", Topics.deadLetterOf(topic.name()));
        }
        p.put(MAX_RECORD_BYTES_KEY, String.valueOf(Topics.MAX_RECORD_BYTES));
        this.properties = Map.copyOf(p);
    }

    @Override
    public Map<String, String> getProperties() {
        return properties;
    }

    @Override
    public Set<String> getPropertyNames() {
        return properties.keySet();
    }

    @Override
    public String getValue(String propertyName) {
        return properties.get(propertyName);
    }

    @Override
    public String getName() {
        return "sim2real-topics";
    }

    @Override
    public int getOrdinal() {
        return ORDINAL;
    }
}
