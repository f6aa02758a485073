package io.sim2real.model.training;

import io.sim2real.contracts.Domain;
import io.sim2real.methods.LockstepSchedule;
import io.sim2real.methods.RunSettings;
import io.sim2real.model.store.StoreRegistry;
import io.sim2real.service.runs.RunRegistry;
import io.sim2real.training.model.RoundRule;
import io.sim2real.training.model.ScheduledRound;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicLong;

/**
 * When a run's next model round starts, for both of model-service's trainers (the ensemble's and the latent model's).
 * A lockstep run's rounds follow its {@link LockstepSchedule}: round r starts once the run's counted transitions reach
 * b_r (and, on sim and a dataset, the whole dataset is here), whenever they arrived, and covers exactly those
 * ({@link ScheduledRound}). Any other run's rounds start when {@link RoundRule} says one is due. One round of a run is
 * in flight at a time, on the trainer's worker thread; transitions that reach the next boundary while a scheduled
 * round trains start the next one when it ends.
 */
final class RoundTrigger {

    /** What a trainer does in a round; both run on its worker thread. */
    interface Rounds {
        /** A round of a run without a schedule, on everything its stores hold now. */
        void free();

        /** The scheduled round {@code next} of a lockstep run. */
        void scheduled(ScheduledRound next);
    }

    private final String runId;
    private final RunRegistry runs;
    private final StoreRegistry stores;
    private final ExecutorService worker;
    private final AtomicLong version;
    private final AtomicLong sinceTraining = new AtomicLong();
    private volatile boolean training;
    private Rounds rounds;

    /** {@code version}: the run's last finished round, which the trainer sets when a round ends. */
    RoundTrigger(String runId, RunRegistry runs, StoreRegistry stores, ExecutorService worker, AtomicLong version) {
        this.runId = runId;
        this.runs = runs;
        this.stores = stores;
        this.worker = worker;
        this.version = version;
    }

    /** Set once, before the first {@link #onTransitions}: the trainer's rounds usually need the run's state first. */
    void rounds(Rounds r) {
        this.rounds = r;
    }

    boolean training() {
        return training;
    }

    /** Called for every batch of the run that a store of a domain the run's model counts has added. */
    void onTransitions(RunSettings settings, int count) {
        if (settings.lockstepSchedule().isPresent()) {
            startScheduled();
            return;
        }
        long since = sinceTraining.addAndGet(count);
        if (!training && RoundRule.due(settings, version.get(), since, stores.size(runId, Domain.SIM),
                stores.size(runId, Domain.REAL))) {
            training = true;
            sinceTraining.set(0);
            worker.submit(this::free);
        }
    }

    private synchronized void startScheduled() {
        Optional<RunSettings> settings = runs.settings(runId);
        if (settings.isEmpty() || training) {
            return;
        }
        Optional<LockstepSchedule> schedule = settings.get().lockstepSchedule();
        if (schedule.isEmpty()) {
            return;
        }
        ScheduledRound next = ScheduledRound.next(schedule.get(), settings.get().lockstepDomain(), version.get());
        if (next.ready(stores.added(runId, next.counted()), stores.added(runId, Domain.REAL))) {
            training = true;
            worker.submit(() -> scheduled(next));
        }
    }

    private void free() {
        try {
            rounds.free();
        } finally {
            training = false;
        }
    }

    private void scheduled(ScheduledRound next) {
        try {
            rounds.scheduled(next);
        } finally {
            training = false;
        }
        startScheduled();
    }
}
