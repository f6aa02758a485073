package io.sim2real.contracts.protobuf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.sim2real.contracts.EnvSpec;
import io.sim2real.contracts.SampleMessages;
import io.sim2real.contracts.SchemaVersion;
import io.sim2real.contracts.Topics;
import io.sim2real.contracts.WireFormat;
import io.sim2real.contracts.json.Codecs;
import io.sim2real.contracts.json.MessageCodec;
import io.sim2real.contracts.json.MessageSerializer;
import io.sim2real.contracts.messages.CounterfactualBatch;
import io.sim2real.contracts.messages.PolicySnapshot;
import io.sim2real.contracts.messages.RolloutBatch;
import io.sim2real.contracts.messages.Sim2RealMessage;
import io.sim2real.contracts.messages.TransitionBatch;
import io.sim2real.contracts.protobuf.generated.Sim2RealV2;
import io.sim2real.contracts.validation.InvalidRecordException;
import io.sim2real.contracts.validation.InvalidRecordException.Reason;
import java.lang.reflect.RecordComponent;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

/** Schema version 2 (Protobuf) against version 1 (JSON): the same values, the same refusals. */
class V2CodecsTest {

    private static final EnvSpec SPEC = EnvSpec.HALF_CHEETAH;

    /** Doubles as MuJoCo and Random make them: almost none is exactly a float32. */
    static double[][] doubles(int n, int width, double scale, SplittableRandom r) {
        double[][] m = new double[n][width];
        for (double[] row : m) {
            for (int j = 0; j < width; j++) {
                row[j] = scale * (2 * r.nextDouble() - 1);
            }
        }
        return m;
    }

    static TransitionBatch mujocoLike(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        long[] episodes = new long[n];
        int[] steps = new int[n];
        double[] rew = new double[n];
        boolean[] truncated = new boolean[n];
        for (int i = 0; i < n; i++) {
            episodes[i] = 7 + i / 1000;
            steps[i] = i % 1000;
            rew[i] = 5 * r.nextDouble() - 1;
            truncated[i] = steps[i] == 999;
        }
        return new TransitionBatch(SchemaVersion.CURRENT, "run-1", io.sim2real.contracts.Domain.REAL, "env-0", 3,
                episodes, steps, doubles(n, 17, 3, r), doubles(n, 6, 1, r), rew, doubles(n, 17, 3, r), new boolean[n],
                truncated);
    }

    /** Every component but the schema version, arrays by content (doubles by their bits). */
    static void assertSameValues(Record expected, Record actual) throws Exception {
        assertEquals(expected.getClass(), actual.getClass());
        for (RecordComponent c : expected.getClass().getRecordComponents()) {
            if (c.getName().equals("schemaVersion")) {
                continue;
            }
            Object e = c.getAccessor().invoke(expected);
            Object a = c.getAccessor().invoke(actual);
            assertTrue(Arrays.deepEquals(new Object[] {e}, new Object[] {a}), c.getName() + " differs");
        }
    }

    static <T extends Sim2RealMessage> T viaJson(MessageCodec<T> codec, T m) throws Exception {
        return codec.decode(codec.encode(m, WireFormat.JSON), WireFormat.JSON, SPEC);
    }

    static <T extends Sim2RealMessage> T viaProtobuf(MessageCodec<T> codec, T m) throws Exception {
        return codec.decode(codec.encode(m, WireFormat.PROTOBUF), WireFormat.PROTOBUF, SPEC);
    }

    @Test
    void shouldCarryExactlyTheJsonValuesOfATransitionBatch() throws Exception {
        for (TransitionBatch b : new TransitionBatch[] {SampleMessages.transitions(5), mujocoLike(1000, 1)}) {
            TransitionBatch v1 = viaJson(Codecs.TRANSITION_BATCH, b);
            TransitionBatch v2 = viaProtobuf(Codecs.TRANSITION_BATCH, b);
            assertSameValues(v1, v2);
            assertSameValues(b, v2);
            assertEquals(SchemaVersion.PROTOBUF, v2.schemaVersion());
        }
        TransitionBatch noTruncated = new TransitionBatch(1, "r", io.sim2real.contracts.Domain.SIM, "e", 0, new long[] {1},
                new int[] {0}, SampleMessages.matrix(1, 17, 1), SampleMessages.matrix(1, 6, 1), new double[] {-0.0},
                SampleMessages.matrix(1, 17, 1), new boolean[] {true}, null);
        TransitionBatch v2 = viaProtobuf(Codecs.TRANSITION_BATCH, noTruncated);
        assertNull(v2.truncated(), "an absent truncated stays absent");
        assertSameValues(viaJson(Codecs.TRANSITION_BATCH, noTruncated), v2);
    }

    @Test
    void shouldPackFloat32ExactValuesAsFloat32AndOthersAsFloat64() throws Exception {
        Sim2RealV2.TransitionBatch exact = Sim2RealV2.TransitionBatch.parseFrom(
                Codecs.TRANSITION_BATCH.encode(floatExact(mujocoLike(10, 2)), WireFormat.PROTOBUF));
        assertEquals(170 * 4, exact.getObs().getF32().size());
        assertEquals(0, exact.getObs().getF64().size());
        Sim2RealV2.TransitionBatch inexact = Sim2RealV2.TransitionBatch.parseFrom(
                Codecs.TRANSITION_BATCH.encode(mujocoLike(10, 2), WireFormat.PROTOBUF));
        assertEquals(170 * 8, inexact.getObs().getF64().size());
    }

    static TransitionBatch floatExact(TransitionBatch b) {
        return new TransitionBatch(b.schemaVersion(), b.runId(), b.domain(), b.envId(), b.policyVersion(), b.episodeIds(),
                b.stepIndices(), toFloat(b.obs()), toFloat(b.act()), toFloat(new double[][] {b.rew()})[0], toFloat(b.nextObs()),
                b.done(), b.truncated());
    }

    static double[][] toFloat(double[][] m) {
        double[][] out = new double[m.length][];
        for (int i = 0; i < m.length; i++) {
            out[i] = new double[m[i].length];
            for (int j = 0; j < m[i].length; j++) {
                out[i][j] = (float) m[i][j];
            }
        }
        return out;
    }

    @Test
    void shouldCarryRolloutsAsFloat32ThatTheLearnerReadsUnchanged() throws Exception {
        SplittableRandom r = new SplittableRandom(3);
        int n = 500;
        double[] rew = new double[n];
        for (int i = 0; i < n; i++) {
            rew[i] = 10 * r.nextDouble() - 2;
        }
        RolloutBatch b = new RolloutBatch(1, "run-1", 4, 9, false, io.sim2real.contracts.Domain.SIM, doubles(n, 17, 5, r),
                doubles(n, 6, 1, r), rew, doubles(n, 17, 5, r), new boolean[n], 1000L, 2L * n);
        RolloutBatch v1 = viaJson(Codecs.ROLLOUT_BATCH, b);
        // By default exactly the JSON values.
        assertSameValues(v1, viaProtobuf(Codecs.ROLLOUT_BATCH, b));
        // float32, as a producer may choose (sim2real.rollout-precision=float32).
        MessageSerializer float32 = new MessageSerializer(WireFormat.PROTOBUF);
        float32.configure(Map.of(MessageSerializer.ROLLOUT_PRECISION_CONFIG, "float32"), false);
        RecordHeaders h = new RecordHeaders();
        byte[] packed = float32.serialize(Topics.ROLLOUTS, h, b);
        assertTrue(packed.length <= n * 170, packed.length + " bytes for " + n + " rollouts");
        assertTrue(packed.length * 1.7 < Codecs.ROLLOUT_BATCH.encode(b, WireFormat.PROTOBUF).length);
        RolloutBatch v2 = Codecs.ROLLOUT_BATCH.decode(packed, h, SPEC);
        // What the SAC learner uses: every value cast to float (nn's Sac.load).
        assertArrayEquals(floats(v1.obs()), floats(v2.obs()));
        assertArrayEquals(floats(v1.act()), floats(v2.act()));
        assertArrayEquals(floats(new double[][] {v1.rew()}), floats(new double[][] {v2.rew()}));
        assertArrayEquals(floats(v1.nextObs()), floats(v2.nextObs()));
        assertArrayEquals(v1.done(), v2.done());
        assertEquals(v1.coversEnvStep(), v2.coversEnvStep());
        assertEquals(v1.roundRows(), v2.roundRows());
        assertEquals(v1.round(), v2.round());
        assertEquals(v1.latent(), v2.latent());
        // float32-exact rollouts (what a float32 model writes) come back exactly.
        RolloutBatch exact = new RolloutBatch(1, "run-1", 4, 9, true, io.sim2real.contracts.Domain.REAL, toFloat(b.obs()),
                toFloat(b.act()), toFloat(new double[][] {rew})[0], toFloat(b.nextObs()), new boolean[n]);
        assertSameValues(viaJson(Codecs.ROLLOUT_BATCH, exact), viaProtobuf(Codecs.ROLLOUT_BATCH, exact));
    }

    static float[][] floats(double[][] m) {
        float[][] out = new float[m.length][];
        for (int i = 0; i < m.length; i++) {
            out[i] = new float[m[i].length];
            for (int j = 0; j < m[i].length; j++) {
                out[i][j] = (float) m[i][j];
            }
        }
        return out;
    }

    @Test
    void shouldCarryExactlyTheJsonValuesOfAPolicySnapshotAndOfCounterfactualPairs() throws Exception {
        PolicySnapshot p = SampleMessages.policy();
        assertSameValues(viaJson(Codecs.POLICY_SNAPSHOT, p), viaProtobuf(Codecs.POLICY_SNAPSHOT, p));
        PolicySnapshot byReference = new PolicySnapshot(1, "run-1", 2, 3, "mlp", 17, 6, null, null, "s3://b/p.bin");
        assertSameValues(viaJson(Codecs.POLICY_SNAPSHOT, byReference), viaProtobuf(Codecs.POLICY_SNAPSHOT, byReference));

        SplittableRandom r = new SplittableRandom(4);
        CounterfactualBatch pairs = new CounterfactualBatch(1, "run-1", "env-0", 2, 41, doubles(50, 17, 3, r),
                doubles(50, 6, 1, r), doubles(50, 17, 3, r), doubles(50, 17, 3, r), 3);
        assertSameValues(viaJson(Codecs.COUNTERFACTUAL_BATCH, pairs), viaProtobuf(Codecs.COUNTERFACTUAL_BATCH, pairs));
        assertSameValues(pairs, viaProtobuf(Codecs.COUNTERFACTUAL_BATCH, pairs));
    }

    // ---- refusals: the same rules, the field named ----

    static Sim2RealV2.TransitionBatch.Builder valid() throws Exception {
        return Sim2RealV2.TransitionBatch.parseFrom(
                Codecs.TRANSITION_BATCH.encode(floatExact(SampleMessages.transitions(2)), WireFormat.PROTOBUF)).toBuilder();
    }

    static InvalidRecordException refused(byte[] value) {
        return assertThrows(InvalidRecordException.class,
                () -> Codecs.TRANSITION_BATCH.decode(value, WireFormat.PROTOBUF, SPEC));
    }

    static void assertRefused(Reason reason, String detail, byte[] value) {
        InvalidRecordException e = refused(value);
        assertEquals(reason, e.reason(), e.getMessage());
        assertTrue(e.getMessage().contains(detail), e.getMessage() + " should say " + detail);
    }

    @Test
    void shouldRefuseGarbageBytes() {
        assertRefused(Reason.MALFORMED, "not a valid TransitionBatch (application/x-protobuf)",
                new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, 0x01, 0x02});
        assertRefused(Reason.MALFORMED, "empty record value", new byte[0]);
        // JSON sent with the Protobuf header is not Protobuf either.
        assertRefused(Reason.MALFORMED, "not a valid TransitionBatch",
                Codecs.TRANSITION_BATCH.encode(SampleMessages.transitions(2), WireFormat.JSON));
    }

    @Test
    void shouldRefuseWrongFieldSizes() throws Exception {
        Sim2RealV2.TransitionBatch.Builder b = valid();
        b.setObs(b.getObs().toBuilder().setF32(b.getObs().getF32().concat(ByteString.copyFrom(new byte[4]))));
        assertRefused(Reason.DIMENSION_MISMATCH, "field 'obs' holds 35 values, not whole rows of obsDim 17",
                b.build().toByteArray());
        Sim2RealV2.TransitionBatch.Builder rows = valid();
        rows.setRew(rows.getRew().toBuilder().setF32(rows.getRew().getF32().concat(ByteString.copyFrom(new byte[4]))));
        assertRefused(Reason.DIMENSION_MISMATCH, "field 'episodeIds' has length 2, expected 3", rows.build().toByteArray());
        Sim2RealV2.TransitionBatch.Builder both = valid();
        both.setAct(both.getAct().toBuilder().setF64(ByteString.copyFrom(new byte[8])));
        assertRefused(Reason.MALFORMED, "field 'act' carries both f32 and f64", both.build().toByteArray());
        Sim2RealV2.TransitionBatch.Builder partial = valid();
        partial.setNextObs(partial.getNextObs().toBuilder().setF32(partial.getNextObs().getF32().concat(ByteString.copyFrom(new byte[3]))));
        assertRefused(Reason.MALFORMED, "field 'nextObs' holds 139 bytes, not whole float32 values", partial.build().toByteArray());
        Sim2RealV2.TransitionBatch.Builder steps = valid();
        steps.setStepIndices(Sim2RealV2.Ints.newBuilder().addValues(0));
        assertRefused(Reason.DIMENSION_MISMATCH, "field 'stepIndices' has length 1, expected 2", steps.build().toByteArray());
    }

    @Test
    void shouldRefuseWrongDimensions() throws Exception {
        TransitionBatch narrow = new TransitionBatch(1, "run-1", io.sim2real.contracts.Domain.SIM, "e", 0, new long[2],
                new int[2], SampleMessages.matrix(2, 16, 1), SampleMessages.matrix(2, 6, 1), new double[2],
                SampleMessages.matrix(2, 16, 1), new boolean[2], null);
        assertRefused(Reason.DIMENSION_MISMATCH, "field 'obs[0]' has length 16, expected 17",
                Codecs.TRANSITION_BATCH.encode(narrow, WireFormat.PROTOBUF));
        assertRefused(Reason.DIMENSION_MISMATCH, "field 'obsDim' is 0", valid().setObsDim(0).build().toByteArray());
    }

    @Test
    void shouldRefuseNonFiniteValuesNamingTheField() throws Exception {
        TransitionBatch b = SampleMessages.transitions(2);
        b.obs()[1][3] = Double.NaN;
        assertRefused(Reason.NON_FINITE, "field 'obs[1][3]' is NaN", Codecs.TRANSITION_BATCH.encode(b, WireFormat.PROTOBUF));
        TransitionBatch c = SampleMessages.transitions(2);
        c.rew()[0] = Double.POSITIVE_INFINITY;
        assertRefused(Reason.NON_FINITE, "field 'rew[0]' is Infinity", Codecs.TRANSITION_BATCH.encode(c, WireFormat.PROTOBUF));
        TransitionBatch d = SampleMessages.transitions(2);
        d.act()[0][2] = 1.5;
        assertRefused(Reason.OUT_OF_RANGE, "field 'act[0][2]' is 1.5", Codecs.TRANSITION_BATCH.encode(d, WireFormat.PROTOBUF));
    }

    @Test
    void shouldRefuseMissingFieldsAndOtherVersionsAsJsonDoes() throws Exception {
        assertRefused(Reason.MALFORMED, "field 'policyVersion' is missing", valid().clearPolicyVersion().build().toByteArray());
        assertRefused(Reason.MISSING_FIELD, "field 'runId' is missing", valid().clearRunId().build().toByteArray());
        assertRefused(Reason.MISSING_FIELD, "field 'domain' is missing", valid().clearDomain().build().toByteArray());
        assertRefused(Reason.MALFORMED, "field 'domain'", valid().setDomainValue(9).build().toByteArray());
        assertRefused(Reason.MISSING_FIELD, "field 'nextObs' is missing", valid().clearNextObs().build().toByteArray());
        assertRefused(Reason.OUT_OF_RANGE, "batch has no transitions", valid().setRew(Sim2RealV2.Numbers.getDefaultInstance())
                .clearObs().clearAct().clearNextObs().build().toByteArray());
        assertRefused(Reason.OUT_OF_RANGE, "runId", valid().setRunId("bad id").build().toByteArray());
        assertRefused(Reason.UNSUPPORTED_SCHEMA_VERSION, "schemaVersion 1", valid().setSchemaVersion(1).build().toByteArray());
        assertRefused(Reason.MALFORMED, "field 'schemaVersion' is missing", valid().clearSchemaVersion().build().toByteArray());
        // JSON carries version 1 only.
        String json = new String(Codecs.TRANSITION_BATCH.encode(SampleMessages.transitions(1)), StandardCharsets.UTF_8)
                .replace("\"schemaVersion\":1", "\"schemaVersion\":2");
        InvalidRecordException e = assertThrows(InvalidRecordException.class,
                () -> Codecs.TRANSITION_BATCH.decode(json.getBytes(StandardCharsets.UTF_8), SPEC));
        assertEquals(Reason.UNSUPPORTED_SCHEMA_VERSION, e.reason());
        // A message without a Protobuf encoding.
        InvalidRecordException gap = assertThrows(InvalidRecordException.class,
                () -> Codecs.GAP_MEASUREMENT.decode(new byte[] {8, 2}, WireFormat.PROTOBUF, SPEC));
        assertEquals(Reason.UNSUPPORTED_SCHEMA_VERSION, gap.reason());
    }

    @Test
    void shouldRefuseInvalidPolicySnapshotsAndPairsAsJsonDoes() throws Exception {
        PolicySnapshot p = SampleMessages.policy();
        PolicySnapshot wrongHash = new PolicySnapshot(1, p.runId(), p.version(), p.envStep(), p.architecture(), 17, 6,
                p.weights(), "00", null);
        InvalidRecordException e = assertThrows(InvalidRecordException.class, () -> Codecs.POLICY_SNAPSHOT.decode(
                Codecs.POLICY_SNAPSHOT.encode(wrongHash, WireFormat.PROTOBUF), WireFormat.PROTOBUF, SPEC));
        assertEquals(Reason.MALFORMED, e.reason());
        PolicySnapshot odd = new PolicySnapshot(1, p.runId(), 1, 1, "a", 17, 6, new byte[] {1, 2, 3},
                PolicySnapshot.sha256Of(new byte[] {1, 2, 3}), null);
        e = assertThrows(InvalidRecordException.class, () -> Codecs.POLICY_SNAPSHOT.decode(
                Codecs.POLICY_SNAPSHOT.encode(odd, WireFormat.PROTOBUF), WireFormat.PROTOBUF, SPEC));
        assertEquals(Reason.DIMENSION_MISMATCH, e.reason());

        double[][] obs = SampleMessages.matrix(2, 17, 1);
        double[][] sim = SampleMessages.matrix(2, 17, 1);
        sim[1][0] = Double.NEGATIVE_INFINITY;
        CounterfactualBatch pairs = new CounterfactualBatch(1, "run-1", "env-0", 0, 0, obs, SampleMessages.matrix(2, 6, 1),
                SampleMessages.matrix(2, 17, 1), sim, 0);
        e = assertThrows(InvalidRecordException.class, () -> Codecs.COUNTERFACTUAL_BATCH.decode(
                Codecs.COUNTERFACTUAL_BATCH.encode(pairs, WireFormat.PROTOBUF), WireFormat.PROTOBUF, SPEC));
        assertEquals(Reason.NON_FINITE, e.reason());
        assertTrue(e.getMessage().contains("simNextObs[1][0]"), e.getMessage());
    }

    @Test
    void shouldChooseTheDecoderByTheContentTypeHeader() throws Exception {
        TransitionBatch b = mujocoLike(3, 5);
        RecordHeaders none = new RecordHeaders();
        assertSameValues(b, Codecs.TRANSITION_BATCH.decode(Codecs.TRANSITION_BATCH.encode(b), none, SPEC));
        RecordHeaders protobuf = new RecordHeaders();
        protobuf.add(WireFormat.HEADER, "application/x-protobuf".getBytes(StandardCharsets.UTF_8));
        assertSameValues(b, Codecs.TRANSITION_BATCH.decode(
                Codecs.TRANSITION_BATCH.encode(b, WireFormat.PROTOBUF), protobuf, SPEC));
        RecordHeaders json = new RecordHeaders();
        json.add(WireFormat.HEADER, "application/json".getBytes(StandardCharsets.UTF_8));
        assertSameValues(b, Codecs.TRANSITION_BATCH.decode(Codecs.TRANSITION_BATCH.encode(b), json, SPEC));
        RecordHeaders other = new RecordHeaders();
        other.add(WireFormat.HEADER, "text/csv".getBytes(StandardCharsets.UTF_8));
        InvalidRecordException e = assertThrows(InvalidRecordException.class,
                () -> Codecs.TRANSITION_BATCH.decode(Codecs.TRANSITION_BATCH.encode(b), other, SPEC));
        assertEquals(Reason.MALFORMED, e.reason());
        assertTrue(e.getMessage().contains("header 'content-type' is 'text/csv'"), e.getMessage());
    }

    @Test
    void shouldSerializeRolloutsAsProtobufByDefaultAndAsConfigured() throws Exception {
        MessageSerializer defaults = new MessageSerializer();
        defaults.configure(Map.of(), false);
        RecordHeaders h = new RecordHeaders();
        byte[] value = defaults.serialize(Topics.ROLLOUTS, h, SampleMessages.rollouts(3));
        assertEquals("application/x-protobuf", new String(h.lastHeader(WireFormat.HEADER).value(), StandardCharsets.UTF_8));
        assertEquals(3, Codecs.ROLLOUT_BATCH.decode(value, h, SPEC).size());
        RecordHeaders t = new RecordHeaders();
        defaults.serialize(Topics.TRANSITIONS, t, SampleMessages.transitions(3));
        assertEquals("application/json", new String(t.lastHeader(WireFormat.HEADER).value(), StandardCharsets.UTF_8));

        MessageSerializer protobuf = new MessageSerializer();
        protobuf.configure(Map.of(MessageSerializer.WIRE_FORMAT_CONFIG, "protobuf"), false);
        RecordHeaders p = new RecordHeaders();
        p.add(WireFormat.HEADER, "application/json".getBytes(StandardCharsets.UTF_8));
        byte[] tv = protobuf.serialize(Topics.TRANSITIONS, p, SampleMessages.transitions(3));
        assertEquals(1, p.toArray().length, "one content-type header, replaced");
        assertSameValues(SampleMessages.transitions(3), Codecs.TRANSITION_BATCH.decode(tv, p, SPEC));
        RecordHeaders g = new RecordHeaders();
        protobuf.serialize(Topics.GAP, g, SampleMessages.gap());
        assertEquals("application/json", new String(g.lastHeader(WireFormat.HEADER).value(), StandardCharsets.UTF_8),
                "a message without a Protobuf encoding goes as JSON");

        MessageSerializer json = new MessageSerializer();
        json.configure(Map.of(MessageSerializer.WIRE_FORMAT_CONFIG, "json"), false);
        RecordHeaders j = new RecordHeaders();
        json.serialize(Topics.ROLLOUTS, j, SampleMessages.rollouts(1));
        assertEquals("application/json", new String(j.lastHeader(WireFormat.HEADER).value(), StandardCharsets.UTF_8));
        assertThrows(IllegalArgumentException.class,
                () -> new MessageSerializer().configure(Map.of(MessageSerializer.WIRE_FORMAT_CONFIG, "avro"), false));
    }

    @Test
    void shouldKeepAChunkWithinTheRecordLimitAndBelowItsJson() throws Exception {
        // The largest rollout chunk a service sends (model-service's rollout-batch-size 5000), and a transition
        // batch of doubles no float32 holds: v2 is smaller than v1, so a chunk v1 fits, v2 fits.
        TransitionBatch doubles = mujocoLike(5000, 6);
        byte[] v2 = Codecs.TRANSITION_BATCH.encode(doubles, WireFormat.PROTOBUF);
        byte[] v1 = Codecs.TRANSITION_BATCH.encode(doubles);
        assertTrue(v2.length < v1.length, v2.length + " >= " + v1.length);
        assertTrue(v2.length < Topics.MAX_RECORD_BYTES);
        RolloutBatch rollouts = SampleMessages.rollouts(5000);
        byte[] r2 = new RolloutBatchV2(Precision.FLOAT32).encode(rollouts);
        assertTrue(r2.length <= 5000 * 200, r2.length + " bytes: over 200 per transition");
        assertFalse(r2.length >= Codecs.ROLLOUT_BATCH.encode(rollouts).length);
        assertThrows(IllegalArgumentException.class, () -> new MessageSerializer().configure(
                Map.of(MessageSerializer.ROLLOUT_PRECISION_CONFIG, "float16"), false));
        double[][] huge = SampleMessages.matrix(1, 17, 1);
        huge[0][0] = 1e300;
        RolloutBatch beyond = new RolloutBatch(1, "r", 0, 0, false, io.sim2real.contracts.Domain.SIM, huge,
                SampleMessages.matrix(1, 6, 0.5), new double[1], SampleMessages.matrix(1, 17, 1), new boolean[1]);
        assertThrows(IllegalArgumentException.class, () -> new RolloutBatchV2(Precision.FLOAT32).encode(beyond));
        assertSameValues(beyond, Codecs.ROLLOUT_BATCH.decode(Codecs.ROLLOUT_BATCH.encode(beyond, WireFormat.PROTOBUF),
                WireFormat.PROTOBUF, SPEC));
    }
}
