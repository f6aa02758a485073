package io.sim2real.contracts.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import io.sim2real.contracts.Domain;
import io.sim2real.contracts.EnvSpec;
import io.sim2real.contracts.PerturbationKind;
import io.sim2real.contracts.SampleMessages;
import io.sim2real.contracts.SchemaVersion;
import io.sim2real.contracts.messages.CounterfactualBatch;
import io.sim2real.contracts.messages.GapMeasurement;
import io.sim2real.contracts.messages.PolicySnapshot;
import io.sim2real.contracts.messages.RolloutBatch;
import io.sim2real.contracts.messages.RunSpec;
import io.sim2real.contracts.messages.Sim2RealMessage;
import io.sim2real.contracts.messages.TransitionBatch;
import io.sim2real.contracts.validation.Checks;
import io.sim2real.contracts.validation.InvalidRecordException;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.RecordComponent;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * docs/schemas (JSON Schema 2020-12, one per message and schema version) agree with the codec: the schemas'
 * fields, required fields, enums and patterns are the records' and the Java constants'; every documented
 * example of docs/CONTRACTS.md and every SampleMessages message passes both; each invalid example of
 * schemas/invalid-examples.json is refused by both, by the codec with the reason the example names.
 */
class JsonSchemaCodecAgreementTest {

    private static final EnvSpec SPEC = EnvSpec.HALF_CHEETAH;
    private static final Path DOCS = Path.of("..", "docs");
    private static final ObjectMapper PLAIN = new ObjectMapper();
    private static final JsonSchemaFactory FACTORY = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012);

    /** Every message type, its codec; the order of docs/CONTRACTS.md section 3. */
    private static final Map<String, MessageCodec<?>> CODECS = new LinkedHashMap<>();

    static {
        CODECS.put("TransitionBatch", Codecs.TRANSITION_BATCH);
        CODECS.put("RolloutBatch", Codecs.ROLLOUT_BATCH);
        CODECS.put("PolicySnapshot", Codecs.POLICY_SNAPSHOT);
        CODECS.put("GapMeasurement", Codecs.GAP_MEASUREMENT);
        CODECS.put("EvaluationResult", Codecs.EVALUATION_RESULT);
        CODECS.put("RunSpec", Codecs.RUN_SPEC);
        CODECS.put("CounterfactualBatch", Codecs.COUNTERFACTUAL_BATCH);
    }

    /** Fields a record may leave unset (CONTRACTS.md: the "no" and "one of" rows). */
    private static final Map<String, Set<String>> OPTIONAL = Map.of(
            "TransitionBatch", Set.of("truncated"),
            "RolloutBatch", Set.of("coversEnvStep", "roundRows"),
            "PolicySnapshot", Set.of("weights", "sha256", "checkpointUri"),
            "GapMeasurement", Set.of("pairing", "floor", "spread"),
            "EvaluationResult", Set.of(),
            "RunSpec", Set.of("parameters"),
            "CounterfactualBatch", Set.of());

    private static JsonNode schemaNode(String message) throws IOException {
        Path file = DOCS.resolve("schemas").resolve(message + ".v" + SchemaVersion.CURRENT + ".schema.json");
        assertTrue(Files.isRegularFile(file), "no schema " + file);
        return PLAIN.readTree(file.toFile());
    }

    private static JsonSchema schema(String message) throws IOException {
        return FACTORY.getSchema(schemaNode(message));
    }

    private static Set<ValidationMessage> schemaErrors(String message, String json) throws IOException {
        return schema(message).validate(PLAIN.readTree(json));
    }

    private static void assertAccepted(String message, String json, String what) throws Exception {
        Set<ValidationMessage> errors = schemaErrors(message, json);
        assertTrue(errors.isEmpty(), what + ": the schema refuses it: " + errors);
        try {
            CODECS.get(message).decode(json.getBytes(StandardCharsets.UTF_8), SPEC);
        } catch (InvalidRecordException e) {
            fail(what + ": the codec refuses it (" + e.reason() + "): " + e.getMessage());
        }
    }

    /** The {@code json} examples of CONTRACTS.md section 3, by the message their subsection names. */
    static Map<String, String> documentedExamples() throws IOException {
        String doc = Files.readString(DOCS.resolve("CONTRACTS.md"));
        Map<String, String> examples = new LinkedHashMap<>();
        Matcher section = Pattern.compile("(?m)^### 3\\.\\d+ (\\w+):").matcher(doc);
        List<int[]> bounds = new ArrayList<>();
        List<String> names = new ArrayList<>();
        while (section.find()) {
            bounds.add(new int[] {section.start()});
            names.add(section.group(1));
        }
        for (int i = 0; i < names.size(); i++) {
            int from = bounds.get(i)[0];
            int to = i + 1 < names.size() ? bounds.get(i + 1)[0] : doc.indexOf("\n## 4.", from);
            String body = doc.substring(from, to < 0 ? doc.length() : to);
            Matcher block = Pattern.compile("```json\\n(.*?)```", Pattern.DOTALL).matcher(body);
            if (block.find()) {
                examples.put(names.get(i), block.group(1));
            }
        }
        return examples;
    }

    private static String baseExample(String message) throws IOException {
        String documented = documentedExamples().get(message);
        if (documented != null) {
            return documented;
        }
        try (InputStream in = JsonSchemaCodecAgreementTest.class.getResourceAsStream("/schemas/" + message + ".example.json")) {
            assertNotNull(in, "no documented example and no test example for " + message);
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void everyMessageTypeHasASchemaAndEveryDocumentedSectionAnExampleTheTestReads() throws IOException {
        Set<String> records = Stream.of(TransitionBatch.class, RolloutBatch.class, PolicySnapshot.class,
                GapMeasurement.class, io.sim2real.contracts.messages.EvaluationResult.class, RunSpec.class,
                CounterfactualBatch.class).map(Class::getSimpleName).collect(Collectors.toCollection(TreeSet::new));
        assertEquals(records, new TreeSet<>(CODECS.keySet()));
        for (String message : CODECS.keySet()) {
            assertNotNull(schema(message), message);
        }
        Set<String> documented = documentedExamples().keySet();
        assertTrue(documented.containsAll(List.of("TransitionBatch", "RolloutBatch", "PolicySnapshot", "GapMeasurement",
                "EvaluationResult", "RunSpec")), "CONTRACTS.md section 3 examples found: " + documented);
        assertTrue(Files.readString(DOCS.resolve("CONTRACTS.md")).contains("schemas/"),
                "CONTRACTS.md links the schemas");
    }

    @TestFactory
    Stream<DynamicTest> eachSchemaHasItsRecordsFieldsAndRequiresExactlyTheRequiredOnes() {
        return CODECS.entrySet().stream().map(e -> DynamicTest.dynamicTest(e.getKey(), () -> {
            JsonNode s = schemaNode(e.getKey());
            assertEquals("https://json-schema.org/draft/2020-12/schema", s.path("$schema").asText());
            Set<String> components = Arrays.stream(e.getValue().type().getRecordComponents())
                    .map(RecordComponent::getName).collect(Collectors.toCollection(TreeSet::new));
            assertEquals(components, fieldNames(s.path("properties")), "properties of " + e.getKey());
            Set<String> required = new TreeSet<>(components);
            required.removeAll(OPTIONAL.get(e.getKey()));
            assertEquals(required, texts(s.path("required")), "required of " + e.getKey());
            assertEquals(SchemaVersion.CURRENT, s.path("properties").path("schemaVersion").path("const").asInt());
            assertEquals("^" + Checks.RUN_ID.pattern() + "$", s.path("properties").path("runId").path("pattern").asText());
        }));
    }

    @Test
    void enumsRangesAndNestedFieldsAreTheJavaOnes() throws IOException {
        Set<String> domains = wire(Domain.values(), Domain::wireName);
        assertEquals(domains, texts(schemaNode("TransitionBatch").at("/properties/domain/enum")));
        assertEquals(domains, texts(schemaNode("RolloutBatch").at("/properties/startDomain/enum")));
        assertEquals(domains, texts(schemaNode("EvaluationResult").at("/properties/domain/enum")));
        JsonNode gap = schemaNode("GapMeasurement");
        assertEquals(wire(GapMeasurement.Metric.values(), GapMeasurement.Metric::wireName), texts(gap.at("/properties/metric/enum")));
        Set<String> pairings = texts(gap.at("/properties/pairing/enum"));
        pairings.remove("null");
        assertEquals(wire(GapMeasurement.Pairing.values(), GapMeasurement.Pairing::wireName), pairings);
        assertEquals(PerturbationKind.MAX_FACTOR, gap.at("/properties/factor/maximum").asDouble());
        JsonNode run = schemaNode("RunSpec");
        assertEquals(wire(RunSpec.Method.values(), RunSpec.Method::wireName), texts(run.at("/properties/method/enum")));
        assertEquals(wire(RunSpec.Mode.values(), RunSpec.Mode::wireName), texts(run.at("/properties/mode/enum")));
        assertEquals(domains, texts(run.at("/properties/trainingDomains/items/enum")));
        assertEquals(Arrays.stream(RunSpec.DomainSpec.class.getRecordComponents()).map(RecordComponent::getName)
                .collect(Collectors.toCollection(TreeSet::new)), fieldNames(run.at("/properties/realDomain/properties")));
        for (JsonNode factors : List.of(run.at("/properties/realDomain/properties/factors"),
                run.at("/properties/realDomain/properties/schedule/items/properties/factors"))) {
            assertEquals(wire(PerturbationKind.values(), PerturbationKind::wireName), fieldNames(factors.path("properties")));
            for (PerturbationKind k : PerturbationKind.values()) {
                JsonNode p = factors.path("properties").path(k.wireName());
                assertEquals(k.min(), p.path("minimum").asDouble(), k.wireName());
                assertEquals(k.max(), p.path("maximum").asDouble(), k.wireName());
                assertEquals(k.integral(), p.has("multipleOf"), k.wireName());
            }
        }
        JsonNode policy = schemaNode("PolicySnapshot");
        assertEquals(SPEC.obsDim(), policy.at("/properties/obsDim/const").asInt());
        assertEquals(SPEC.actDim(), policy.at("/properties/actDim/const").asInt());
        for (String message : List.of("TransitionBatch", "RolloutBatch", "CounterfactualBatch")) {
            JsonNode s = schemaNode(message);
            assertEquals(SPEC.obsDim(), s.at("/properties/obs/items/minItems").asInt(), message);
            assertEquals(SPEC.actDim(), s.at("/properties/act/items/maxItems").asInt(), message);
            assertEquals(SPEC.actionLow(), s.at("/properties/act/items/items/minimum").asDouble(), message);
            assertEquals(SPEC.actionHigh(), s.at("/properties/act/items/items/maximum").asDouble(), message);
        }
    }

    @TestFactory
    Stream<DynamicTest> everyDocumentedExamplePassesTheSchemaAndTheCodec() throws IOException {
        Map<String, String> examples = new LinkedHashMap<>(documentedExamples());
        // The reference form CONTRACTS.md 3.3 describes in words.
        ObjectNode byReference = (ObjectNode) PLAIN.readTree(examples.get("PolicySnapshot"));
        byReference.remove(List.of("weights", "sha256"));
        byReference.put("checkpointUri", "s3://sim2real-checkpoints/cheetah-robot-01/policy-12.bin");
        List<DynamicTest> tests = new ArrayList<>();
        examples.forEach((message, json) -> tests.add(DynamicTest.dynamicTest("CONTRACTS.md " + message,
                () -> assertAccepted(message, json, "CONTRACTS.md's " + message + " example"))));
        tests.add(DynamicTest.dynamicTest("CONTRACTS.md PolicySnapshot by reference",
                () -> assertAccepted("PolicySnapshot", byReference.toString(), "the checkpointUri form")));
        tests.add(DynamicTest.dynamicTest("test example CounterfactualBatch",
                () -> assertAccepted("CounterfactualBatch", baseExample("CounterfactualBatch"), "CounterfactualBatch.example.json")));
        return tests.stream();
    }

    @TestFactory
    Stream<DynamicTest> everySampleMessageEncodedByTheCodecPassesTheSchema() {
        RunSpec run = SampleMessages.run();
        RunSpec scheduled = new RunSpec(run.schemaVersion(), run.runId(), run.method(), run.mode(), run.seed(),
                run.envSteps(), new RunSpec.DomainSpec("gravity-drift", Map.of("gravity", 1.0, "action_delay", 2.0),
                        List.of(new RunSpec.DomainSpec.PhysicsChange(5000, Map.of("gravity", 1.5)))),
                run.trainingDomains(), null, run.createdAtMs());
        RunSpec fromDataset = new RunSpec(run.schemaVersion(), "latent-on-a-dataset", RunSpec.Method.LATENT_SIM_INIT,
                run.mode(), run.seed(), run.envSteps(), new RunSpec.DomainSpec("gravity-1.5-random", Map.of("gravity", 1.5),
                        null, RunSpec.RealSource.dataset("gravity-1.5-random", "b22bfdd57af923ffdd6992dd1562881c3f3bd10c020713cc649d6bd54f76acc2",
                        10_000)), run.trainingDomains(), null, run.createdAtMs());
        RunSpec fromRobot = new RunSpec(run.schemaVersion(), "robot-run", run.method(), run.mode(), run.seed(), run.envSteps(),
                new RunSpec.DomainSpec("cheetah-robot-0", Map.of(), null, new RunSpec.RealSource(RunSpec.RealSource.Kind.STREAM,
                        null, null, null)), run.trainingDomains(), null, run.createdAtMs());
        RolloutBatch r = SampleMessages.rollouts(3);
        RolloutBatch lockstepRound = new RolloutBatch(r.schemaVersion(), r.runId(), r.modelVersion(), r.round(), r.latent(),
                r.startDomain(), r.obs(), r.act(), r.rew(), r.nextObs(), r.done(), 4000L, 12L);
        GapMeasurement g = SampleMessages.gap();
        GapMeasurement probe = new GapMeasurement(g.schemaVersion(), g.runId(), g.perturbation(), g.factor(), g.metric(),
                g.value(), g.modelVersion(), g.envStep(), g.timestampMs(), GapMeasurement.Pairing.UNPAIRED, 0.1, 0.02);
        PolicySnapshot p = SampleMessages.policy();
        PolicySnapshot reference = new PolicySnapshot(p.schemaVersion(), p.runId(), p.version(), p.envStep(),
                p.architecture(), p.obsDim(), p.actDim(), null, null, "file:///tmp/policy-7.bin");
        TransitionBatch t = SampleMessages.transitions(2);
        CounterfactualBatch pairs = new CounterfactualBatch(SchemaVersion.CURRENT, "run-1", "env-0", 0, 17,
                t.obs(), t.act(), t.nextObs(), SampleMessages.matrix(2, SPEC.obsDim(), 1.9), 1);
        Map<String, Sim2RealMessage> samples = new LinkedHashMap<>();
        samples.put("TransitionBatch", SampleMessages.transitions(5));
        samples.put("RolloutBatch", r);
        samples.put("RolloutBatch (lockstep round)", lockstepRound);
        samples.put("PolicySnapshot", p);
        samples.put("PolicySnapshot (reference)", reference);
        samples.put("GapMeasurement", g);
        samples.put("GapMeasurement (probe)", probe);
        samples.put("EvaluationResult", SampleMessages.evaluation());
        samples.put("RunSpec", run);
        samples.put("RunSpec (schedule)", scheduled);
        samples.put("RunSpec (dataset source)", fromDataset);
        samples.put("RunSpec (stream source)", fromRobot);
        samples.put("CounterfactualBatch", pairs);
        return samples.entrySet().stream().map(e -> DynamicTest.dynamicTest(e.getKey(), () -> {
            String message = e.getValue().getClass().getSimpleName();
            String json = new String(encode(message, e.getValue()), StandardCharsets.UTF_8);
            assertAccepted(message, json, "SampleMessages " + e.getKey());
        }));
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static byte[] encode(String message, Sim2RealMessage value) {
        return ((MessageCodec) CODECS.get(message)).encode(value);
    }

    @TestFactory
    Stream<DynamicTest> everyInvalidExampleIsRefusedByTheSchemaAndByTheCodecForItsReason() throws IOException {
        JsonNode doc;
        try (InputStream in = getClass().getResourceAsStream("/schemas/invalid-examples.json")) {
            doc = PLAIN.readTree(in);
        }
        List<DynamicTest> tests = new ArrayList<>();
        Set<String> kinds = new TreeSet<>();
        for (JsonNode c : doc.path("cases")) {
            String message = c.path("message").asText();
            String refusal = c.path("refusal").asText();
            kinds.add(refusal.replaceAll(" \\(.*", ""));
            tests.add(DynamicTest.dynamicTest(message + ": " + refusal, () -> {
                ObjectNode example = (ObjectNode) PLAIN.readTree(baseExample(message));
                for (JsonNode pointer : c.path("remove")) {
                    JsonPointer ptr = JsonPointer.compile(pointer.asText());
                    JsonNode parent = example.at(ptr.head());
                    assertTrue(parent.isObject() && parent.has(ptr.last().getMatchingProperty()), "nothing at " + ptr);
                    ((ObjectNode) parent).remove(ptr.last().getMatchingProperty());
                }
                for (Iterator<Map.Entry<String, JsonNode>> it = c.path("set").fields(); it.hasNext(); ) {
                    Map.Entry<String, JsonNode> set = it.next();
                    JsonPointer ptr = JsonPointer.compile(set.getKey());
                    JsonNode parent = example.at(ptr.head());
                    if (parent instanceof ObjectNode o) {
                        o.set(ptr.last().getMatchingProperty(), set.getValue());
                    } else if (parent instanceof ArrayNode a) {
                        a.set(ptr.last().getMatchingIndex(), set.getValue());
                    } else {
                        fail("no object or array at " + ptr.head());
                    }
                }
                String json = example.toString();
                assertFalse(schemaErrors(message, json).isEmpty(), "the schema accepts " + refusal + ": " + json);
                InvalidRecordException refused = null;
                try {
                    CODECS.get(message).decode(json.getBytes(StandardCharsets.UTF_8), SPEC);
                } catch (InvalidRecordException e) {
                    refused = e;
                }
                assertNotNull(refused, "the codec accepts " + refusal + ": " + json);
                assertEquals(c.path("reason").asText(), refused.reason().name(), refusal + ": " + refused.getMessage());
            }));
        }
        assertTrue(kinds.containsAll(List.of("missing field", "wrong type", "out of range", "bad enum", "bad run id")),
                "each kind of refusal has an invalid example: " + kinds);
        return tests.stream();
    }

    private static Set<String> fieldNames(JsonNode object) {
        Set<String> names = new TreeSet<>();
        object.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static Set<String> texts(JsonNode array) {
        Set<String> values = new TreeSet<>();
        array.forEach(v -> values.add(v.isNull() ? "null" : v.asText()));
        return values;
    }

    private static <E> Set<String> wire(E[] values, java.util.function.Function<E, String> name) {
        return Arrays.stream(values).map(name).collect(Collectors.toCollection(TreeSet::new));
    }
}
