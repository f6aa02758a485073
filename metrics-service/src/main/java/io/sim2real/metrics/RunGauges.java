package io.sim2real.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.sim2real.contracts.messages.EvaluationResult;
import io.sim2real.contracts.messages.GapMeasurement;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The latest evaluation returns and gap measurements of every run as Prometheus gauges:
 * {@code sim2real_evaluation_return{run,domain}} (mean over the evaluation's episodes),
 * {@code sim2real_evaluation_policy_version{run,domain}}, and
 * {@code sim2real_gap{run,perturbation,factor,metric}}.
 */
@ApplicationScoped
public class RunGauges {

    @Inject
    MeterRegistry registry;

    private final Map<Tags, AtomicReference<Double>> values = new ConcurrentHashMap<>();

    public void record(EvaluationResult e) {
        Tags tags = Tags.of("run", e.runId(), "domain", e.domain().wireName());
        set("sim2real.evaluation.return", tags, e.meanReturn(), "Mean return of the latest evaluation");
        set("sim2real.evaluation.policy.version", tags, (double) e.policyVersion(), "Policy version of the latest evaluation");
        Counter.builder("sim2real.evaluations").tags(tags).description("Evaluations received").register(registry).increment();
    }

    public void record(GapMeasurement g) {
        Tags tags = Tags.of("run", g.runId(), "perturbation", g.perturbation(), "factor", Double.toString(g.factor()),
                "metric", g.metric().wireName());
        set("sim2real.gap", tags, g.value(), "Latest sim-to-real gap measurement");
    }

    private void set(String name, Tags tags, double value, String description) {
        AtomicReference<Double> holder = values.computeIfAbsent(tags.and("__name", name), k -> {
            AtomicReference<Double> h = new AtomicReference<>(Double.NaN);
            Gauge.builder(name, h, AtomicReference::get).tags(tags).description(description).register(registry);
            return h;
        });
        holder.set(value);
    }
}
