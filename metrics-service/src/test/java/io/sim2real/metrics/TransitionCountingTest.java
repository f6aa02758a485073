package io.sim2real.metrics;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.sim2real.contracts.SampleMessages;
import io.sim2real.contracts.Topics;
import io.sim2real.contracts.json.Codecs;
import io.sim2real.contracts.json.MessageCodec;
import io.sim2real.contracts.messages.TransitionBatch;
import io.sim2real.service.messaging.InboundRecords;
import io.sim2real.testing.KafkaBrokerResource;
import io.sim2real.testing.ServiceBaselineTest;
import io.sim2real.testing.PrometheusText;
import io.smallrye.reactive.messaging.kafka.companion.ConsumerTask;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.Test;

/** The vertical slice's consuming end, against a real broker. */
@QuarkusTest
@QuarkusTestResource(value = KafkaBrokerResource.class, restrictToAnnotatedClass = false)
class TransitionCountingTest extends ServiceBaselineTest {

    @Override
    protected Map<String, ProducerRecord<String, byte[]>> validInputRecords() {
        String runId = "after-oversized-" + java.util.UUID.randomUUID();
        return Map.of(Topics.TRANSITIONS, sampleRecord(Topics.TRANSITIONS, runId),
                Topics.EVALUATIONS, sampleRecord(Topics.EVALUATIONS, runId), Topics.GAP, sampleRecord(Topics.GAP, runId));
    }


    private static String json(TransitionBatch batch) {
        return new String(Codecs.TRANSITION_BATCH.encode(batch), StandardCharsets.UTF_8);
    }

    private static TransitionBatch batch(String runId, int n) {
        TransitionBatch b = SampleMessages.transitions(n);
        return new TransitionBatch(b.schemaVersion(), runId, b.domain(), b.envId(), b.policyVersion(), b.episodeIds(),
                b.stepIndices(), b.obs(), b.act(), b.rew(), b.nextObs(), b.done(), b.truncated());
    }

    @Test
    void shouldCountTransitionsPerRunAndDomain() {
        companion.produceStrings().fromRecords(
                new ProducerRecord<>(Topics.TRANSITIONS, "count-run", json(batch("count-run", 4))),
                new ProducerRecord<>(Topics.TRANSITIONS, "count-run", json(batch("count-run", 3)))).awaitCompletion();

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertEquals(7.0,
                PrometheusText.sample(metrics(), "sim2real_transitions_total", "run", "count-run", "domain", "real")
                        .orElse(-1)));
        given().get("/api/v1/transitions").then().statusCode(200).body("count-run.real", equalTo(7));
    }

    @Test
    void shouldDeadLetterMalformedNanAndWrongDimensionRecordsAndKeepConsuming() throws Exception {
        String nan = json(batch("dlq-run", 2)).replaceFirst("\"obs\":\\[\\[[^,]+,", "\"obs\":[[NaN,");
        ObjectNode wrongDim = (ObjectNode) MessageCodec.MAPPER.readTree(json(batch("dlq-run", 2)));
        ((ArrayNode) wrongDim.get("obs").get(0)).remove(0);

        companion.produceStrings().fromRecords(
                new ProducerRecord<>(Topics.TRANSITIONS, "dlq-run", "{\"schemaVersion\":1, this is not json"),
                new ProducerRecord<>(Topics.TRANSITIONS, "dlq-run", nan),
                new ProducerRecord<>(Topics.TRANSITIONS, "dlq-run", wrongDim.toString()),
                new ProducerRecord<>(Topics.TRANSITIONS, "dlq-run", json(batch("dlq-run", 5)))).awaitCompletion();

        ConsumerTask<String, String> dead = companion.consumeStrings()
                .fromTopics(Topics.deadLetterOf(Topics.TRANSITIONS),
                        records -> records.select().where(r -> "dlq-run".equals(r.key())).select().first(3))
                .awaitCompletion(Duration.ofSeconds(30));
        Map<String, ConsumerRecord<String, String>> byCode = new HashMap<>();
        for (ConsumerRecord<String, String> r : dead.getRecords()) {
            byCode.put(header(r, InboundRecords.REASON_CODE_HEADER), r);
        }
        assertEquals(3, byCode.size(), "one dead letter per bad record, each with its own reason: " + byCode.keySet());
        assertTrue(byCode.containsKey("MALFORMED"));
        assertTrue(header(byCode.get("NON_FINITE"), "dead-letter-reason").contains("obs[0][0]"));
        assertTrue(header(byCode.get("DIMENSION_MISMATCH"), "dead-letter-reason").contains("obs[0]"));
        assertEquals(nan, byCode.get("NON_FINITE").value(), "the dead letter keeps the original bytes");
        assertEquals("dlq-run", byCode.get("NON_FINITE").key());
        assertEquals(Topics.TRANSITIONS, header(byCode.get("MALFORMED"), "dead-letter-topic"));

        // The valid record behind the bad ones is still counted, and the service stays ready.
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            String metrics = metrics();
            assertEquals(5.0, PrometheusText.sample(metrics, "sim2real_transitions_total",
                    "run", "dlq-run", "domain", "real").orElse(-1));
            assertEquals(1.0, PrometheusText.sample(metrics, "sim2real_records_dead_lettered_total",
                    "reason", "NON_FINITE", "topic", Topics.TRANSITIONS).orElse(-1));
        });
        given().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"));
    }

    private static String metrics() {
        return given().accept("text/plain").get("/q/metrics").then().statusCode(200).extract().asString();
    }

    private static String header(ConsumerRecord<?, ?> record, String name) {
        Header h = record.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }
}
