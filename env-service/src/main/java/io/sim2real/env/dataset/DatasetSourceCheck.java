package io.sim2real.env.dataset;

import io.sim2real.contracts.Domain;
import io.sim2real.contracts.EnvSpec;
import io.sim2real.contracts.messages.RunSpec;
import io.sim2real.datasets.DatasetException;
import io.sim2real.datasets.DatasetHeader;
import io.sim2real.datasets.DatasetReader;
import io.sim2real.methods.RunSettings;
import io.sim2real.physics.halfcheetah.DomainPhysics;
import io.sim2real.service.api.BadRequestException;
import io.sim2real.service.runs.RunAcceptanceCheck;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.file.Path;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * A run whose real data is a dataset ({@code realDomain.source.kind} dataset) is accepted by env-service only if the
 * dataset is here and is the one the RunSpec names: its body's SHA-256 and its transition count as given, a dataset of
 * the real domain, recorded with the run's real physics ({@code realDomain.factors}, which the run's real evaluations
 * use). Otherwise 400 naming the field. Services without the datasets accept the name as given.
 */
@ApplicationScoped
public class DatasetSourceCheck implements RunAcceptanceCheck {

    @Inject
    EnvSpec spec;

    @ConfigProperty(name = "sim2real.env.datasets-dir", defaultValue = "data/datasets")
    String datasetsDir;

    private DatasetStore store;

    @PostConstruct
    void init() {
        store = new DatasetStore(Path.of(datasetsDir), spec);
    }

    @Override
    public void check(RunSettings run) {
        problem(run.spec(), store).ifPresent(p -> {
            throw new BadRequestException(p);
        });
    }

    /** Why the run's dataset source is not a dataset of {@code store}, naming the field; empty when it is (or none). */
    public static Optional<String> problem(RunSpec run, DatasetStore store) {
        RunSpec.RealSource source = run.realDomain().source();
        if (run.realDomain().sourceKind() != RunSpec.RealSource.Kind.DATASET) {
            return Optional.empty();
        }
        String name = source.dataset();
        Optional<Path> file = store.find(name);
        if (file.isEmpty()) {
            return Optional.of("field 'realDomain.source.dataset' is '" + name + "': env-service has no such dataset in "
                    + store.directory() + " (GET /api/v1/datasets lists them)");
        }
        DatasetHeader header;
        try {
            header = DatasetReader.readHeader(file.get());
        } catch (DatasetException e) {
            return Optional.of("field 'realDomain.source.dataset' is '" + name + "', which cannot be read: " + e.getMessage());
        }
        if (!source.sha256().equals(header.bodySha256())) {
            return Optional.of("field 'realDomain.source.sha256' is " + source.sha256() + ", but dataset '" + name
                    + "' has " + header.bodySha256() + " (another dataset under that name)");
        }
        if (source.transitions() != header.transitions()) {
            return Optional.of("field 'realDomain.source.transitions' is " + source.transitions() + ", but dataset '" + name
                    + "' has " + header.transitions());
        }
        if (header.domain() != Domain.REAL) {
            return Optional.of("field 'realDomain.source.dataset' is '" + name + "', a dataset of the "
                    + header.domain().wireName() + " domain, not of the real one");
        }
        Object recorded = DomainPhysics.of(header.physics()).changed();
        Object defined = DomainPhysics.of(run.realDomain().factors()).changed();
        if (!recorded.equals(defined)) {
            return Optional.of("field 'realDomain.factors' is " + defined + ", but dataset '" + name + "' was recorded with "
                    + recorded + " (the run's real evaluations use realDomain.factors)");
        }
        return Optional.empty();
    }
}
