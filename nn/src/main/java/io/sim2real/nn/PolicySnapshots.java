package io.sim2real.nn;

import io.sim2real.contracts.SchemaVersion;
import io.sim2real.contracts.messages.PolicySnapshot;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Policies on the wire: a {@link SquashedGaussianActor}'s parameters as little-endian float32 in the
 * network's parameter order, named by an architecture string such as
 * {@code tanh-gaussian-relu-mlp:17-256-256-6}. policy-service writes them, env-service reads them.
 */
public final class PolicySnapshots {

    public static final String PREFIX = "tanh-gaussian-relu-mlp:";

    private PolicySnapshots() {
    }

    public static String architecture(int obsDim, int[] hidden, int actDim) {
        return PREFIX + obsDim + "-" + Arrays.stream(hidden).mapToObj(String::valueOf).collect(Collectors.joining("-"))
                + "-" + actDim;
    }

    public static PolicySnapshot toSnapshot(SquashedGaussianActor actor, int obsDim, int[] hidden, String runId,
                                            long version, long envStep) {
        List<INDArray> params = actor.network().parameters();
        int floats = 0;
        for (INDArray p : params) {
            floats += (int) p.length();
        }
        ByteBuffer bytes = ByteBuffer.allocate(4 * floats).order(ByteOrder.LITTLE_ENDIAN);
        for (INDArray p : params) {
            FloatBuffer v = F32.view(p);
            for (int i = 0; i < v.capacity(); i++) {
                bytes.putFloat(v.get(i));
            }
        }
        byte[] weights = bytes.array();
        return new PolicySnapshot(SchemaVersion.CURRENT, runId, version, envStep, architecture(obsDim, hidden, actor.actDim()),
                obsDim, actor.actDim(), weights, PolicySnapshot.sha256Of(weights), null);
    }

    /**
     * Builds the actor a snapshot describes, for acting on at most {@code maxBatch} observations at once.
     * An unknown architecture or a weight blob of the wrong size is refused with the reason.
     */
    public static SquashedGaussianActor toActor(PolicySnapshot snapshot, int maxBatch) {
        String arch = snapshot.architecture();
        if (arch == null || !arch.startsWith(PREFIX)) {
            throw new IllegalArgumentException("unknown policy architecture '" + arch + "' (expected " + PREFIX + "...)");
        }
        if (snapshot.weights() == null) {
            throw new IllegalArgumentException("policy " + snapshot.version() + " carries no inline weights");
        }
        int[] sizes;
        try {
            sizes = Arrays.stream(arch.substring(PREFIX.length()).split("-")).mapToInt(Integer::parseInt).toArray();
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("malformed policy architecture '" + arch + "'");
        }
        if (sizes.length < 3 || sizes[0] != snapshot.obsDim() || sizes[sizes.length - 1] != snapshot.actDim()) {
            throw new IllegalArgumentException("architecture '" + arch + "' does not match obsDim " + snapshot.obsDim()
                    + " and actDim " + snapshot.actDim());
        }
        int[] hidden = Arrays.copyOfRange(sizes, 1, sizes.length - 1);
        SquashedGaussianActor actor = new SquashedGaussianActor(snapshot.obsDim(), snapshot.actDim(), hidden, maxBatch, 0);
        List<INDArray> params = actor.network().parameters();
        long floats = 0;
        for (INDArray p : params) {
            floats += p.length();
        }
        if (snapshot.weights().length != 4 * floats) {
            throw new IllegalArgumentException("architecture '" + arch + "' has " + floats + " parameters, the snapshot carries "
                    + snapshot.weights().length / 4);
        }
        ByteBuffer bytes = ByteBuffer.wrap(snapshot.weights()).order(ByteOrder.LITTLE_ENDIAN);
        for (INDArray p : params) {
            FloatBuffer v = F32.view(p);
            for (int i = 0; i < v.capacity(); i++) {
                float x = bytes.getFloat();
                if (!Float.isFinite(x)) {
                    throw new IllegalArgumentException("policy " + snapshot.version() + " has a non-finite weight");
                }
                v.put(i, x);
            }
        }
        return actor;
    }
}
