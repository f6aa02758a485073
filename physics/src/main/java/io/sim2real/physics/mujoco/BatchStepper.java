package io.sim2real.physics.mujoco;

import com.sun.jna.Memory;
import java.nio.ByteOrder;
import java.nio.DoubleBuffer;
import java.nio.IntBuffer;

/**
 * Steps a group of environments in one native call: the call overhead is paid once per group, not per env.
 * Controls and states live in native memory that Java reads and writes through direct buffers, so a step
 * copies nothing between the JVM and C. One instance per thread.
 */
public final class BatchStepper {

    private final MjData[] datas;
    private final Memory models;
    private final Memory handles;
    private final Memory ctrlMemory;
    private final Memory qposMemory;
    private final Memory qvelMemory;
    private final Memory statusMemory;
    private final DoubleBuffer ctrl;
    private final DoubleBuffer qpos;
    private final DoubleBuffer qvel;
    private final IntBuffer status;

    /** All data must belong to models of the same sizes (perturbed variants of one robot). */
    public BatchStepper(MjData[] datas) {
        if (datas.length == 0) {
            throw new IllegalArgumentException("no environments to step");
        }
        this.datas = datas.clone();
        int nq = datas[0].model().nq();
        int nv = datas[0].model().nv();
        int nu = datas[0].model().nu();
        int n = datas.length;
        this.models = new Memory(8L * n);
        this.handles = new Memory(8L * n);
        for (int i = 0; i < n; i++) {
            MjModel m = datas[i].model();
            if (m.nq() != nq || m.nv() != nv || m.nu() != nu) {
                throw new IllegalArgumentException("environment " + i + " has another model size");
            }
            models.setLong(8L * i, m.handle());
            handles.setLong(8L * i, datas[i].handle());
        }
        this.ctrlMemory = new Memory(8L * n * nu);
        this.qposMemory = new Memory(8L * n * nq);
        this.qvelMemory = new Memory(8L * n * nv);
        this.statusMemory = new Memory(4L * n);
        ctrlMemory.clear();
        qposMemory.clear();
        qvelMemory.clear();
        statusMemory.clear();
        this.ctrl = view(ctrlMemory).asDoubleBuffer();
        this.qpos = view(qposMemory).asDoubleBuffer();
        this.qvel = view(qvelMemory).asDoubleBuffer();
        this.status = view(statusMemory).asIntBuffer();
    }

    private static java.nio.ByteBuffer view(Memory m) {
        return m.getByteBuffer(0, m.size()).order(ByteOrder.nativeOrder());
    }

    public int size() {
        return datas.length;
    }

    /** Controls to apply, env i at [i*nu, (i+1)*nu). Written by the caller before {@link #step}. */
    public DoubleBuffer ctrl() {
        return ctrl;
    }

    /** Positions after the last step, env i at [i*nq, (i+1)*nq). */
    public DoubleBuffer qpos() {
        return qpos;
    }

    /** Velocities after the last step, env i at [i*nv, (i+1)*nv). */
    public DoubleBuffer qvel() {
        return qvel;
    }

    /** Whether env i went unstable in the last step (MuJoCo reset its data). */
    public boolean unstable(int i) {
        return status.get(i) == MujocoNative.UNSTABLE;
    }

    public void step(int frameSkip) {
        Mujoco.check(MujocoNative.s2r_step_many(datas.length, models, handles, ctrlMemory, frameSkip,
                qposMemory, qvelMemory, statusMemory), "MuJoCo step failed");
    }
}
