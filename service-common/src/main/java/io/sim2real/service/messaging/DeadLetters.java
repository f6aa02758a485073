package io.sim2real.service.messaging;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.sim2real.contracts.Topics;
import io.smallrye.common.annotation.Identifier;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Sends records that cannot be processed to their topic's dead-letter topic ({@code <topic>.dlq}), with the reason
 * in headers (docs/CONTRACTS.md section 6). Three promises:
 * <ul>
 *   <li>Any record a topic accepted can be dead-lettered: the value goes whole when it fits
 *       {@link Topics#MAX_DEAD_LETTER_BYTES}, which the dead-letter topics accept; when it does not (its headers
 *       are too large, or a broker refuses it as too large), a metadata dead letter goes instead: source topic,
 *       partition, offset, size, key, header names and reason as JSON, with header
 *       {@value #CONTENT_HEADER}={@value #CONTENT_METADATA}.</li>
 *   <li>The returned stage completes only when the dead letter is on the broker. If the dead-letter topic
 *       cannot be written (broker down, authorisation), sending is retried with backoff for as long as it takes;
 *       the caller holds the record's offset meanwhile, so no offset is committed past an undelivered dead
 *       letter. {@link #undelivered()} says which source partitions wait, and why ({@link DeadLetterHealth}).</li>
 *   <li>{@code sim2real.records.dead.lettered} counts only what reached the dead-letter topic.</li>
 * </ul>
 */
@ApplicationScoped
public class DeadLetters {

    /** Header with the machine-readable reason ({@code InvalidRecordException.Reason} or PROCESSING_FAILED). */
    public static final String REASON_CODE_HEADER = "sim2real-reason-code";
    /** Header saying whether the dead letter holds the original value or only metadata about it. */
    public static final String CONTENT_HEADER = "sim2real-dead-letter-content";
    public static final String CONTENT_ORIGINAL = "original";
    public static final String CONTENT_METADATA = "metadata";

    private static final Logger LOG = Logger.getLogger(DeadLetters.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Longest a header value of a metadata dead letter may be (the reason can quote a huge value). */
    private static final int MAX_HEADER_CHARS = 4096;
    /** Longest reason a whole dead letter carries, well inside {@link Topics#DEAD_LETTER_HEADROOM_BYTES}. */
    private static final int MAX_REASON_CHARS = 64 * 1024;

    /**
     * A record to dead-letter: where it came from and what it held.
     *
     * @param key     the record's key as the consumer read it (null when it had none)
     * @param value   the value's bytes (null for a Kafka null)
     * @param headers the record's headers (null for none)
     */
    public record Source(String topic, int partition, long offset, String key, byte[] value, Headers headers) {
    }

    @Inject
    @Identifier("default-kafka-broker")
    Map<String, Object> kafkaConfig;

    @Inject
    MeterRegistry registry;

    /** First wait before sending an undelivered dead letter again; doubles up to {@link #MAX_BACKOFF}. */
    @ConfigProperty(name = "sim2real.dead-letters.retry-backoff", defaultValue = "PT1S")
    Duration retryBackoff;

    /** How long one send may take before it is retried (the producer's {@code delivery.timeout.ms}). */
    @ConfigProperty(name = "sim2real.dead-letters.send-timeout", defaultValue = "PT30S")
    Duration sendTimeout;

    private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

    private final Map<String, Counter> counters = new ConcurrentHashMap<>();
    private final Map<String, String> undelivered = new ConcurrentHashMap<>();
    private final ScheduledExecutorService sender = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "dead-letter-sender");
        t.setDaemon(true);
        return t;
    });
    private volatile KafkaProducer<String, byte[]> producer;
    private volatile boolean closed;

    /**
     * Sends {@code source} to its dead-letter topic; the stage completes once it is there (never exceptionally,
     * except when the service shuts down first).
     *
     * @param reasonCode the bare reason code for {@value #REASON_CODE_HEADER}
     * @param cause      what went wrong; its message is the {@code dead-letter-reason} header
     */
    public CompletionStage<Void> send(Source source, String reasonCode, Throwable cause) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        // The producer blocks while it has no metadata for the topic: never on the consumer's thread.
        sender.execute(() -> attempt(source, reasonCode, cause, false, retryBackoff, done));
        return done;
    }

    /** The source partitions ({@code topic-partition}) whose dead letter has not reached the broker yet, with why. */
    public Map<String, String> undelivered() {
        return Map.copyOf(undelivered);
    }

    private void attempt(Source source, String reasonCode, Throwable cause, boolean metadataOnly, Duration backoff,
                         CompletableFuture<Void> done) {
        if (closed) {
            done.completeExceptionally(new IllegalStateException("shutting down before a dead letter was delivered"));
            return;
        }
        ProducerRecord<String, byte[]> letter = metadataOnly
                ? metadataLetter(source, reasonCode, cause) : originalLetter(source, reasonCode, cause);
        String partition = source.topic() + "-" + source.partition();
        try {
            producer().send(letter, (meta, error) -> {
                if (error == null) {
                    delivered(source, reasonCode, metadataOnly, partition, done);
                } else {
                    failed(source, reasonCode, cause, metadataOnly, backoff, done, partition, error);
                }
            });
        } catch (RuntimeException error) {
            // The producer refuses a record over max.request.size or buffer.memory before sending.
            failed(source, reasonCode, cause, metadataOnly, backoff, done, partition, error);
        }
    }

    private void delivered(Source source, String reasonCode, boolean metadataOnly, String partition,
                           CompletableFuture<Void> done) {
        undelivered.remove(partition);
        counter("sim2real.records.dead.lettered", source.topic(), reasonCode,
                "Records that reached a dead-letter topic, by source topic and reason").increment();
        if (metadataOnly) {
            counter("sim2real.records.dead.lettered.metadata.only", source.topic(), reasonCode,
                    "Dead letters sent as metadata because the record could not be sent whole").increment();
        }
        done.complete(null);
    }

    private void failed(Source source, String reasonCode, Throwable cause, boolean metadataOnly, Duration backoff,
                        CompletableFuture<Void> done, String partition, Throwable error) {
        if (error instanceof RecordTooLargeException && !metadataOnly) {
            LOG.warnf("the record at %s@%d (%d bytes) cannot be dead-lettered whole (%s); sending its metadata",
                    partition, source.offset(), sizeOf(source.value()), error.getMessage());
            sender.execute(() -> attempt(source, reasonCode, cause, true, backoff, done));
            return;
        }
        String why = error.getClass().getSimpleName() + ": " + error.getMessage();
        undelivered.put(partition, "dead letter of offset " + source.offset() + " not delivered to "
                + Topics.deadLetterOf(source.topic()) + ", retrying in " + backoff.toSeconds() + " s: " + why);
        LOG.errorf("could not dead-letter the record at %s@%d (%s); consumption of it waits and retries in %s",
                partition, source.offset(), why, backoff);
        Duration next = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
        sender.schedule(() -> attempt(source, reasonCode, cause, metadataOnly, next, done),
                backoff.toMillis(), TimeUnit.MILLISECONDS);
    }

    private static ProducerRecord<String, byte[]> originalLetter(Source source, String reasonCode, Throwable cause) {
        RecordHeaders headers = new RecordHeaders();
        if (source.headers() != null) {
            for (Header h : source.headers()) {
                headers.add(h);
            }
        }
        addReason(headers, source, reasonCode, cause, MAX_REASON_CHARS);
        headers.add(CONTENT_HEADER, utf8(CONTENT_ORIGINAL));
        return new ProducerRecord<>(Topics.deadLetterOf(source.topic()), null, source.key(), source.value(), headers);
    }

    /** What is left of a record that cannot be sent whole: where it was, how big, and why it is dead. */
    private static ProducerRecord<String, byte[]> metadataLetter(Source source, String reasonCode, Throwable cause) {
        ObjectNode json = JSON.createObjectNode();
        json.put("topic", source.topic());
        json.put("partition", source.partition());
        json.put("offset", source.offset());
        json.put("valueBytes", sizeOf(source.value()));
        json.put("key", truncate(source.key()));
        List<String> headerNames = new ArrayList<>();
        if (source.headers() != null) {
            source.headers().forEach(h -> headerNames.add(truncate(h.key())));
        }
        json.putPOJO("headers", headerNames);
        json.put("reasonCode", reasonCode);
        json.put("reason", truncate(String.valueOf(cause.getMessage())));
        RecordHeaders headers = new RecordHeaders();
        addReason(headers, source, reasonCode, cause, MAX_HEADER_CHARS);
        headers.add(CONTENT_HEADER, utf8(CONTENT_METADATA));
        byte[] value;
        try {
            value = JSON.writeValueAsBytes(json);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return new ProducerRecord<>(Topics.deadLetterOf(source.topic()), null, truncate(source.key()), value, headers);
    }

    /** The headers of docs/CONTRACTS.md section 6 (SmallRye's dead-letter names, kept for existing readers). */
    private static void addReason(Headers headers, Source source, String reasonCode, Throwable cause, int maxChars) {
        headers.add("dead-letter-reason", utf8(limit(String.valueOf(cause.getMessage()), maxChars)));
        headers.add("dead-letter-exception-class-name", utf8(cause.getClass().getName()));
        if (cause.getCause() != null) {
            headers.add("dead-letter-cause", utf8(limit(String.valueOf(cause.getCause().getMessage()), maxChars)));
            headers.add("dead-letter-cause-class-name", utf8(cause.getCause().getClass().getName()));
        }
        headers.add("dead-letter-topic", utf8(source.topic()));
        headers.add("dead-letter-partition", utf8(String.valueOf(source.partition())));
        headers.add("dead-letter-offset", utf8(String.valueOf(source.offset())));
        headers.add(REASON_CODE_HEADER, utf8(reasonCode));
    }

    private KafkaProducer<String, byte[]> producer() {
        KafkaProducer<String, byte[]> p = producer;
        if (p == null) {
            synchronized (this) {
                if (producer == null) {
                    producer = createProducer();
                }
                p = producer;
            }
        }
        return p;
    }

    private KafkaProducer<String, byte[]> createProducer() {
        Map<String, Object> config = KafkaClients.config(kafkaConfig);
        config.put(ProducerConfig.CLIENT_ID_CONFIG, "sim2real-dead-letters-" + System.identityHashCode(this));
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        // Any record a topic accepted, plus its dead-letter headers; larger ones go as metadata.
        config.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, Topics.MAX_DEAD_LETTER_BYTES);
        config.put(ProducerConfig.BUFFER_MEMORY_CONFIG, 2L * Topics.MAX_DEAD_LETTER_BYTES);
        int timeoutMs = (int) sendTimeout.toMillis();
        int requestTimeoutMs = Math.min(timeoutMs, 30_000);
        config.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, requestTimeoutMs);
        config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, Math.max(timeoutMs, requestTimeoutMs));
        config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, timeoutMs);
        config.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        return new KafkaProducer<>(config, new StringSerializer(), new ByteArraySerializer());
    }

    private Counter counter(String name, String topic, String reason, String description) {
        return counters.computeIfAbsent(name + '|' + topic + '|' + reason, k -> Counter.builder(name)
                .tag("topic", topic).tag("reason", reason).description(description).register(registry));
    }

    @PreDestroy
    void close() {
        closed = true;
        sender.shutdownNow();
        KafkaProducer<String, byte[]> p = producer;
        if (p != null) {
            p.close(Duration.ofSeconds(5));
        }
    }

    private static int sizeOf(byte[] value) {
        return value == null ? 0 : value.length;
    }

    private static String truncate(String s) {
        return s == null ? null : limit(s, MAX_HEADER_CHARS);
    }

    private static String limit(String s, int maxChars) {
        return s.length() <= maxChars ? s : s.substring(0, maxChars) + "… (" + s.length() + " chars)";
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
