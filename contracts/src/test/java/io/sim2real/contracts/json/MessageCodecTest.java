package io.sim2real.contracts.json;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.sim2real.contracts.Domain;
import io.sim2real.contracts.EnvSpec;
import io.sim2real.contracts.SampleMessages;
import io.sim2real.contracts.messages.CounterfactualBatch;
import io.sim2real.contracts.messages.EvaluationResult;
import io.sim2real.contracts.messages.GapMeasurement;
import io.sim2real.contracts.messages.PolicySnapshot;
import io.sim2real.contracts.messages.RolloutBatch;
import io.sim2real.contracts.messages.RunSpec;
import io.sim2real.contracts.messages.TransitionBatch;
import io.sim2real.contracts.validation.InvalidRecordException;
import io.sim2real.contracts.validation.InvalidRecordException.Reason;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MessageCodecTest {

    private static final EnvSpec SPEC = EnvSpec.HALF_CHEETAH;

    @Test
    void shouldRoundTripATransitionBatchExactly() throws Exception {
        TransitionBatch original = SampleMessages.transitions(4);
        TransitionBatch decoded = Codecs.TRANSITION_BATCH.decode(Codecs.TRANSITION_BATCH.encode(original), SPEC);
        assertEquals("run-1", decoded.runId());
        assertEquals(Domain.REAL, decoded.domain());
        for (int i = 0; i < 4; i++) {
            assertArrayEquals(original.obs()[i], decoded.obs()[i], 0.0, "doubles must survive JSON bit for bit");
            assertArrayEquals(original.act()[i], decoded.act()[i], 0.0);
            assertArrayEquals(original.nextObs()[i], decoded.nextObs()[i], 0.0);
        }
        assertArrayEquals(original.rew(), decoded.rew(), 0.0);
        assertArrayEquals(original.stepIndices(), decoded.stepIndices());
    }

    @Test
    void shouldRoundTripEveryOtherMessageType() throws Exception {
        RolloutBatch r = Codecs.ROLLOUT_BATCH.decode(Codecs.ROLLOUT_BATCH.encode(SampleMessages.rollouts(3)), SPEC);
        assertTrue(r.latent());
        assertEquals(5, r.round());
        PolicySnapshot p = Codecs.POLICY_SNAPSHOT.decode(Codecs.POLICY_SNAPSHOT.encode(SampleMessages.policy()), SPEC);
        assertArrayEquals(SampleMessages.policy().weights(), p.weights());
        GapMeasurement g = Codecs.GAP_MEASUREMENT.decode(Codecs.GAP_MEASUREMENT.encode(SampleMessages.gap()), SPEC);
        assertEquals(GapMeasurement.Metric.MAPPING_DISTANCE, g.metric());
        EvaluationResult e = Codecs.EVALUATION_RESULT.decode(Codecs.EVALUATION_RESULT.encode(SampleMessages.evaluation()), SPEC);
        assertEquals(-275.75, e.meanReturn(), 1e-12);
        RunSpec run = Codecs.RUN_SPEC.decode(Codecs.RUN_SPEC.encode(SampleMessages.run()), SPEC);
        assertEquals(RunSpec.Method.MBPO, run.method());
        assertEquals(1.5, run.realDomain().factors().get("gravity"));
    }

    @Test
    void shouldWriteEnumsInTheirDocumentedWireForm() {
        String json = new String(Codecs.RUN_SPEC.encode(SampleMessages.run()), StandardCharsets.UTF_8);
        assertTrue(json.contains("\"method\":\"mbpo\""), json);
        assertTrue(json.contains("\"mode\":\"lockstep\""), json);
        assertTrue(json.contains("[\"sim\",\"real\"]"), json);
        String gap = new String(Codecs.GAP_MEASUREMENT.encode(SampleMessages.gap()), StandardCharsets.UTF_8);
        assertTrue(gap.contains("\"metric\":\"mapping_distance\""), gap);
    }

    @Test
    void shouldRejectMalformedJson() {
        InvalidRecordException e = assertThrows(InvalidRecordException.class,
                () -> Codecs.TRANSITION_BATCH.decode("{not json".getBytes(StandardCharsets.UTF_8), SPEC));
        assertEquals(Reason.MALFORMED, e.reason());
    }

    @Test
    void shouldRejectAnEmptyValue() {
        InvalidRecordException e = assertThrows(InvalidRecordException.class,
                () -> Codecs.TRANSITION_BATCH.decode(new byte[0], SPEC));
        assertEquals(Reason.MALFORMED, e.reason());
    }

    @Test
    void shouldRejectABareNanTokenAsNonFiniteNamingTheField() throws Exception {
        ObjectNode node = (ObjectNode) MessageCodec.MAPPER.readTree(Codecs.TRANSITION_BATCH.encode(SampleMessages.transitions(2)));
        String json = node.toString().replaceFirst("\"obs\":\\[\\[[^,]+,", "\"obs\":[[NaN,");
        InvalidRecordException e = assertThrows(InvalidRecordException.class,
                () -> Codecs.TRANSITION_BATCH.decode(json.getBytes(StandardCharsets.UTF_8), SPEC));
        assertEquals(Reason.NON_FINITE, e.reason());
        assertTrue(e.getMessage().contains("obs[0][0]"), e.getMessage());
    }

    @Test
    void shouldRejectWrongObservationDimension() throws Exception {
        ObjectNode node = (ObjectNode) MessageCodec.MAPPER.readTree(Codecs.TRANSITION_BATCH.encode(SampleMessages.transitions(2)));
        ((ArrayNode) node.get("nextObs").get(1)).remove(16);
        InvalidRecordException e = assertThrows(InvalidRecordException.class,
                () -> Codecs.TRANSITION_BATCH.decode(MessageCodec.MAPPER.writeValueAsBytes(node), SPEC));
        assertEquals(Reason.DIMENSION_MISMATCH, e.reason());
        assertTrue(e.getMessage().contains("nextObs[1]"), e.getMessage());
    }

    @Test
    void shouldAcceptOtherDimensionsWhenTheSpecSaysSo() throws Exception {
        EnvSpec small = new EnvSpec("toy", 3, 1, -2, 2);
        TransitionBatch toy = new TransitionBatch(1, "toy-run", Domain.SIM, "e", 0, new long[1], new int[1],
                new double[][] {{1, 2, 3}}, new double[][] {{-1.5}}, new double[] {0.5}, new double[][] {{1, 2, 4}},
                new boolean[1], null);
        assertEquals(1, Codecs.TRANSITION_BATCH.decode(Codecs.TRANSITION_BATCH.encode(toy), small).size());
        assertThrows(InvalidRecordException.class, () -> Codecs.TRANSITION_BATCH.decode(Codecs.TRANSITION_BATCH.encode(toy), SPEC));
    }

    @Test
    void shouldRejectActionsOutsideTheirBounds() throws Exception {
        TransitionBatch b = SampleMessages.transitions(2);
        b.act()[1][2] = 1.5;
        InvalidRecordException e = assertThrows(InvalidRecordException.class,
                () -> Codecs.TRANSITION_BATCH.decode(Codecs.TRANSITION_BATCH.encode(b), SPEC));
        assertEquals(Reason.OUT_OF_RANGE, e.reason());
    }

    @Test
    void shouldRejectUnknownSchemaVersionEvenWhenTheBodyNoLongerParses() throws Exception {
        String future = "{\"schemaVersion\":2,\"runId\":\"r\",\"obs\":\"packed-binary\"}";
        InvalidRecordException e = assertThrows(InvalidRecordException.class,
                () -> Codecs.TRANSITION_BATCH.decode(future.getBytes(StandardCharsets.UTF_8), SPEC));
        assertEquals(Reason.UNSUPPORTED_SCHEMA_VERSION, e.reason());

        ObjectNode node = (ObjectNode) MessageCodec.MAPPER.readTree(Codecs.TRANSITION_BATCH.encode(SampleMessages.transitions(1)));
        node.put("schemaVersion", 99);
        InvalidRecordException e2 = assertThrows(InvalidRecordException.class,
                () -> Codecs.TRANSITION_BATCH.decode(MessageCodec.MAPPER.writeValueAsBytes(node), SPEC));
        assertEquals(Reason.UNSUPPORTED_SCHEMA_VERSION, e2.reason());
    }

    @Test
    void shouldRejectAMissingField() throws Exception {
        ObjectNode node = (ObjectNode) MessageCodec.MAPPER.readTree(Codecs.TRANSITION_BATCH.encode(SampleMessages.transitions(1)));
        node.remove("nextObs");
        InvalidRecordException e = assertThrows(InvalidRecordException.class,
                () -> Codecs.TRANSITION_BATCH.decode(MessageCodec.MAPPER.writeValueAsBytes(node), SPEC));
        assertEquals(Reason.MISSING_FIELD, e.reason());
        assertTrue(e.getMessage().contains("nextObs"));
    }

    @Test
    void shouldIgnoreUnknownFieldsForForwardCompatibility() throws Exception {
        ObjectNode node = (ObjectNode) MessageCodec.MAPPER.readTree(Codecs.TRANSITION_BATCH.encode(SampleMessages.transitions(1)));
        node.put("robotSerial", "HC-0042");
        assertEquals(1, Codecs.TRANSITION_BATCH.decode(MessageCodec.MAPPER.writeValueAsBytes(node), SPEC).size());
    }

    @Test
    void shouldRejectAPolicyWhoseWeightsDoNotMatchTheirChecksum() {
        PolicySnapshot p = SampleMessages.policy();
        p.weights()[0] = 1;
        InvalidRecordException e = assertThrows(InvalidRecordException.class,
                () -> Codecs.POLICY_SNAPSHOT.decode(Codecs.POLICY_SNAPSHOT.encode(p), SPEC));
        assertEquals(Reason.MALFORMED, e.reason());
    }

    @Test
    void shouldRejectUnknownPerturbationKindsAndOutOfRangeFactors() throws Exception {
        ObjectNode node = (ObjectNode) MessageCodec.MAPPER.readTree(Codecs.RUN_SPEC.encode(SampleMessages.run()));
        ((ObjectNode) node.get("realDomain").get("factors")).put("wind", 2.0);
        InvalidRecordException unknown = assertThrows(InvalidRecordException.class,
                () -> Codecs.RUN_SPEC.decode(MessageCodec.MAPPER.writeValueAsBytes(node), SPEC));
        assertTrue(unknown.getMessage().contains("wind"));

        ObjectNode node2 = (ObjectNode) MessageCodec.MAPPER.readTree(Codecs.RUN_SPEC.encode(SampleMessages.run()));
        ((ObjectNode) node2.get("realDomain").get("factors")).put("action_delay", 1.5);
        InvalidRecordException fractional = assertThrows(InvalidRecordException.class,
                () -> Codecs.RUN_SPEC.decode(MessageCodec.MAPPER.writeValueAsBytes(node2), SPEC));
        assertEquals(Reason.OUT_OF_RANGE, fractional.reason());
    }

    @Test
    void shouldRejectRunIdsThatCannotBeUsedAsLabelsOrFileNames() throws Exception {
        ObjectNode node = (ObjectNode) MessageCodec.MAPPER.readTree(Codecs.RUN_SPEC.encode(SampleMessages.run()));
        node.put("runId", "../etc/passwd");
        assertThrows(InvalidRecordException.class,
                () -> Codecs.RUN_SPEC.decode(MessageCodec.MAPPER.writeValueAsBytes(node), SPEC));
    }

    @Test
    void shouldRejectNonFiniteGapValues() {
        GapMeasurement g = SampleMessages.gap();
        GapMeasurement nan = new GapMeasurement(g.schemaVersion(), g.runId(), g.perturbation(), g.factor(), g.metric(),
                Double.POSITIVE_INFINITY, g.modelVersion(), g.envStep(), g.timestampMs());
        InvalidRecordException e = assertThrows(InvalidRecordException.class, () -> nan.validate(SPEC));
        assertEquals(Reason.NON_FINITE, e.reason());
    }

    @Test
    void shouldRoundTripCounterfactualPairsAndRefuseBadOnes() throws Exception {
        CounterfactualBatch pairs = new CounterfactualBatch(1, "cf-run", "env-0", 2, 41, SampleMessages.matrix(3, 17, 1.0),
                SampleMessages.matrix(3, 6, 0.5), SampleMessages.matrix(3, 17, 1.0), SampleMessages.matrix(3, 17, 1.0), 1);
        CounterfactualBatch decoded = Codecs.COUNTERFACTUAL_BATCH.decode(Codecs.COUNTERFACTUAL_BATCH.encode(pairs), SPEC);
        assertEquals(3, decoded.size());
        assertEquals(41, decoded.sourceOffset());
        assertArrayEquals(pairs.simNextObs()[2], decoded.simNextObs()[2]);

        ObjectNode narrow = (ObjectNode) MessageCodec.MAPPER.readTree(Codecs.COUNTERFACTUAL_BATCH.encode(pairs));
        ((ArrayNode) narrow.get("simNextObs").get(0)).remove(3);
        assertEquals(InvalidRecordException.Reason.DIMENSION_MISMATCH, assertThrows(InvalidRecordException.class,
                () -> Codecs.COUNTERFACTUAL_BATCH.decode(narrow.toString().getBytes(StandardCharsets.UTF_8), SPEC)).reason());
        String nan = new String(Codecs.COUNTERFACTUAL_BATCH.encode(pairs), StandardCharsets.UTF_8)
                .replaceFirst("\"realNextObs\":\\[\\[[^,]+,", "\"realNextObs\":[[NaN,");
        InvalidRecordException e = assertThrows(InvalidRecordException.class,
                () -> Codecs.COUNTERFACTUAL_BATCH.decode(nan.getBytes(StandardCharsets.UTF_8), SPEC));
        assertEquals(InvalidRecordException.Reason.NON_FINITE, e.reason());
        assertTrue(e.getMessage().contains("realNextObs[0][0]"), e.getMessage());
    }

    @Test
    void shouldCarryTheProbesPairingFloorAndSpreadAndReadOldGapRecordsWithout() throws Exception {
        GapMeasurement probe = new GapMeasurement(1, "g-run", "gravity", 2.0, GapMeasurement.Metric.MAPPING_DISTANCE, 1.7,
                3, 9000, 5L, GapMeasurement.Pairing.COUNTERFACTUAL, 0.2, 0.05);
        String json = new String(Codecs.GAP_MEASUREMENT.encode(probe), StandardCharsets.UTF_8);
        assertTrue(json.contains("\"pairing\":\"counterfactual\""), json);
        assertEquals(probe, Codecs.GAP_MEASUREMENT.decode(json.getBytes(StandardCharsets.UTF_8), SPEC));
        GapMeasurement old = Codecs.GAP_MEASUREMENT.decode(Codecs.GAP_MEASUREMENT.encode(SampleMessages.gap()), SPEC);
        assertEquals(null, old.pairing());
        assertEquals(null, old.floor());
        String negative = json.replace("\"spread\":0.05", "\"spread\":-0.05");
        assertEquals(InvalidRecordException.Reason.OUT_OF_RANGE, assertThrows(InvalidRecordException.class,
                () -> Codecs.GAP_MEASUREMENT.decode(negative.getBytes(StandardCharsets.UTF_8), SPEC)).reason());
    }

    @Test
    void shouldApplyARunsPhysicsScheduleByRealEnvStepAndRefuseOneOutOfOrder() throws Exception {
        RunSpec.DomainSpec drifting = new RunSpec.DomainSpec("payload", Map.of("body_mass", 1.0),
                List.of(new RunSpec.DomainSpec.PhysicsChange(5000, Map.of("body_mass", 1.3))));
        RunSpec base = SampleMessages.run();
        RunSpec run = new RunSpec(1, "drift-run", base.method(), base.mode(), 1, 20000, drifting, base.trainingDomains(),
                Map.of(), 1L);
        RunSpec decoded = Codecs.RUN_SPEC.decode(Codecs.RUN_SPEC.encode(run), SPEC);
        assertEquals(Map.of("body_mass", 1.0), decoded.realDomain().factorsAt(4999));
        assertEquals(Map.of("body_mass", 1.3), decoded.realDomain().factorsAt(5000));
        assertEquals(Map.entry("none", 1.0), decoded.realDomain().gapLabel(), "labelled by the base physics");
        RunSpec backwards = new RunSpec(1, "drift-run", base.method(), base.mode(), 1, 20000, new RunSpec.DomainSpec("x",
                Map.of(), List.of(new RunSpec.DomainSpec.PhysicsChange(5000, Map.of("gravity", 1.5)),
                new RunSpec.DomainSpec.PhysicsChange(4000, Map.of("gravity", 2.0)))), base.trainingDomains(), Map.of(), 1L);
        InvalidRecordException e = assertThrows(InvalidRecordException.class,
                () -> Codecs.RUN_SPEC.decode(Codecs.RUN_SPEC.encode(backwards), SPEC));
        assertTrue(e.getMessage().contains("realDomain.schedule[1].fromEnvStep"), e.getMessage());
    }

    @Test
    void shouldReadARunsRealSourceAndKeepARunSpecWithoutOneEmulated() throws Exception {
        RunSpec base = SampleMessages.run();
        String sha = "b22bfdd57af923ffdd6992dd1562881c3f3bd10c020713cc649d6bd54f76acc2";
        RunSpec run = new RunSpec(1, "dataset-run", RunSpec.Method.LATENT_SIM_INIT, base.mode(), 1, 20000,
                new RunSpec.DomainSpec("g", Map.of("gravity", 1.5), null, RunSpec.RealSource.dataset("g-random", sha, 2000)),
                base.trainingDomains(), Map.of(), 1L);
        RunSpec decoded = Codecs.RUN_SPEC.decode(Codecs.RUN_SPEC.encode(run), SPEC);
        assertEquals(run.realDomain().source(), decoded.realDomain().source());
        assertEquals(RunSpec.RealSource.Kind.DATASET, decoded.realDomain().sourceKind());
        // Today's RunSpecs name no source: an emulated domain, as before.
        assertEquals(RunSpec.RealSource.Kind.EMULATED, Codecs.RUN_SPEC.decode(Codecs.RUN_SPEC.encode(base), SPEC)
                .realDomain().sourceKind());
        String json = new String(Codecs.RUN_SPEC.encode(run), StandardCharsets.UTF_8);
        for (String[] bad : new String[][] {
                {"\"transitions\":2000", "\"transitions\":0", "realDomain.source.transitions"},
                {"\"dataset\":\"g-random\"", "\"dataset\":\"../etc\"", "realDomain.source.dataset"},
                {sha, sha.toUpperCase(java.util.Locale.ROOT), "realDomain.source.sha256"},
                {"\"kind\":\"dataset\"", "\"kind\":\"stream\"", "realDomain.source.dataset"}}) {
            String changed = json.replace(bad[0], bad[1]);
            InvalidRecordException e = assertThrows(InvalidRecordException.class,
                    () -> Codecs.RUN_SPEC.decode(changed.getBytes(StandardCharsets.UTF_8), SPEC), changed);
            assertTrue(e.getMessage().contains(bad[2]), e.getMessage());
        }
        RunSpec drifting = new RunSpec(1, "dataset-run", run.method(), run.mode(), 1, 20000, new RunSpec.DomainSpec("g",
                Map.of(), List.of(new RunSpec.DomainSpec.PhysicsChange(5000, Map.of("gravity", 1.5))), run.realDomain().source()),
                base.trainingDomains(), Map.of(), 1L);
        InvalidRecordException e = assertThrows(InvalidRecordException.class,
                () -> Codecs.RUN_SPEC.decode(Codecs.RUN_SPEC.encode(drifting), SPEC));
        assertTrue(e.getMessage().contains("realDomain.schedule"), e.getMessage());
    }
}
