package io.sim2real.experiments;

import io.sim2real.contracts.messages.PolicySnapshot;
import io.sim2real.nn.ActorRunner;
import java.nio.file.Path;
import java.util.SplittableRandom;

/**
 * What acts while a dataset is collected: one of the open-loop {@link Behaviour}s, or a learned policy (a
 * {@link PolicySnapshot} file, sampled like the behaviour policies of offline datasets), which sets the dataset's
 * quality.
 */
public interface DataPolicy {

    /** One action per observation (row i for env i) at the given step of the episodes. */
    double[][] act(double[][] observations, long step, SplittableRandom random);

    /** How reports name it. */
    String wireName();

    /** {@code random}, {@code gait}, {@code noisy-gait}, or {@code policy:FILE} (a PolicySnapshot as JSON). */
    static DataPolicy parse(String wire) {
        if (wire.startsWith("policy:")) {
            return fromSnapshot(Path.of(wire.substring("policy:".length())));
        }
        Behaviour behaviour = Behaviour.fromWire(wire);
        return new DataPolicy() {
            @Override
            public double[][] act(double[][] observations, long step, SplittableRandom random) {
                double[][] a = new double[observations.length][];
                for (int i = 0; i < a.length; i++) {
                    a[i] = behaviour.action(step, random);
                }
                return a;
            }

            @Override
            public String wireName() {
                return behaviour.wireName();
            }
        };
    }

    /** A saved policy, acting with sampled actions. */
    static DataPolicy fromSnapshot(Path file) {
        PolicySnapshot snapshot = PolicyFiles.read(file, "--behaviour policy:FILE");
        ActorRunner actor = new ActorRunner(snapshot);
        String name = "policy " + file + " (v" + snapshot.version() + ", envStep " + snapshot.envStep() + ")";
        return new DataPolicy() {
            @Override
            public double[][] act(double[][] observations, long step, SplittableRandom random) {
                return actor.act(observations, false, random);
            }

            @Override
            public String wireName() {
                return name;
            }
        };
    }
}
