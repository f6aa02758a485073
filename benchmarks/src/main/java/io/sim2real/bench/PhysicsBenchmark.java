package io.sim2real.bench;

import io.sim2real.physics.halfcheetah.DomainPhysics;
import io.sim2real.physics.halfcheetah.HalfCheetahEnv;
import io.sim2real.physics.halfcheetah.HalfCheetahMjcf;
import io.sim2real.physics.mujoco.BatchStepper;
import io.sim2real.physics.mujoco.MjData;
import io.sim2real.physics.mujoco.MjModel;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Environment steps per second through the Java API against a plain C loop over the same model, in the
 * same run: one core, then both cores. One env step = 5 physics steps.
 * Run: {@code bin/bench physics [steps]}.
 */
public final class PhysicsBenchmark {

    private PhysicsBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        long steps = args.length > 0 ? Long.parseLong(args[0]) : 300_000;
        int cores = Runtime.getRuntime().availableProcessors();
        Path model = Files.createTempFile("half_cheetah", ".xml");
        Files.writeString(model, HalfCheetahMjcf.write(DomainPhysics.neutral()));
        Path cLoop = Path.of("physics/target/bench/raw_mujoco_loop");

        System.out.printf(Locale.ROOT, "HalfCheetah env steps/s (frame skip %d), %d steps per measurement, %d cores%n",
                HalfCheetahEnv.FRAME_SKIP, steps, cores);
        javaSteps(1, 1, steps / 10); // warm-up: JIT and first-touch memory
        double c1 = median(() -> cLoop(cLoop, model, steps, 1));
        double b1 = median(() -> bindingSteps(steps));
        double j1 = median(() -> javaSteps(1, 1, steps));
        System.out.printf(Locale.ROOT, "1 core : C loop %,.0f   Java binding (BatchStepper) %,.0f (ratio %.3f)   "
                + "Java HalfCheetahEnv %,.0f (ratio Java/C %.3f)%n", c1, b1, b1 / c1, j1, j1 / c1);

        if (cores >= 2) {
            double c2 = median(() -> cLoop(cLoop, model, steps, 2));
            double j2 = median(() -> javaSteps(2, 2, steps));
            double j16 = median(() -> javaSteps(16, 2, steps));
            System.out.printf(Locale.ROOT, "2 cores: C loop x2 processes %,.0f   Java 2 envs/2 threads %,.0f (ratio %.3f)   "
                    + "Java 16 envs/2 threads %,.0f (ratio %.3f)%n", c2, j2, j2 / c2, j16, j16 / c2);
            System.out.printf(Locale.ROOT, "scaling 1 -> 2 cores: C %.2fx, Java %.2fx%n", c2 / c1, j16 / j1);
        }
        Files.deleteIfExists(model);
    }

    interface Measurement {
        double run() throws Exception;
    }

    private static double median(Measurement m) throws Exception {
        double[] v = {m.run(), m.run(), m.run()};
        java.util.Arrays.sort(v);
        return v[1];
    }

    /** Total env steps/s of {@code envs} envs on {@code threads} threads, random actions, auto-reset. */
    static double javaSteps(int envs, int threads, long totalSteps) {
        try (HalfCheetahEnv env = new HalfCheetahEnv(DomainPhysics.neutral(), envs, threads, 1)) {
            env.reset();
            SplittableRandom r = new SplittableRandom(2);
            double[][] actions = new double[envs][6];
            long rounds = totalSteps / envs;
            long t0 = System.nanoTime();
            for (long t = 0; t < rounds; t++) {
                for (double[] a : actions) {
                    for (int j = 0; j < 6; j++) {
                        a[j] = 2 * r.nextDouble() - 1;
                    }
                }
                env.step(actions);
            }
            return rounds * envs / ((System.nanoTime() - t0) / 1e9);
        }
    }

    /** The C loop's work through the binding alone: set controls, step, read the state. */
    static double bindingSteps(long steps) {
        try (MjModel model = MjModel.compile(HalfCheetahMjcf.write(DomainPhysics.neutral()));
             MjData data = new MjData(model)) {
            BatchStepper stepper = new BatchStepper(new MjData[] {data});
            double[] qpos0 = model.qpos0();
            double[] qvel0 = new double[model.nv()];
            SplittableRandom r = new SplittableRandom(2);
            double checksum = 0;
            double[] qpos = new double[model.nq()];
            double[] qvel = new double[model.nv()];
            long t0 = System.nanoTime();
            for (long s = 0; s < steps; s++) {
                if (s % 1000 == 0) {
                    data.reset(qpos0, qvel0);
                }
                java.nio.DoubleBuffer ctrl = stepper.ctrl();
                for (int j = 0; j < model.nu(); j++) {
                    ctrl.put(j, 2 * r.nextDouble() - 1);
                }
                stepper.step(HalfCheetahEnv.FRAME_SKIP);
                stepper.qpos().get(0, qpos);
                stepper.qvel().get(0, qvel);
                checksum += qpos[0];
            }
            double rate = steps / ((System.nanoTime() - t0) / 1e9);
            return checksum == 42.0 ? -rate : rate; // keep the loop's result alive
        }
    }

    /** Total steps/s of {@code processes} C loops running at once. */
    static double cLoop(Path exe, Path model, long steps, int processes) throws Exception {
        List<Process> running = new ArrayList<>();
        for (int p = 0; p < processes; p++) {
            running.add(new ProcessBuilder(exe.toString(), model.toString(), String.valueOf(steps),
                    String.valueOf(HalfCheetahEnv.FRAME_SKIP)).redirectErrorStream(true).start());
        }
        double total = 0;
        for (Process p : running) {
            try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = out.readLine()) != null) {
                    if (line.startsWith("steps_per_second ")) {
                        total += Double.parseDouble(line.substring("steps_per_second ".length()));
                    }
                }
            }
            if (p.waitFor() != 0) {
                throw new IllegalStateException("C loop failed; build it with mvn package (physics/target/bench)");
            }
        }
        return total;
    }
}
