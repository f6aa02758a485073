package io.sim2real.service.runs;

import io.sim2real.methods.RunSettings;

/**
 * A check a service adds to accepting a submitted run ({@code POST /api/v1/runs}), for what only it can know: env-service
 * holds the datasets, so it checks a dataset source's name, checksum and size. A service without such a bean accepts
 * what the RunSpec and its settings allow.
 */
public interface RunAcceptanceCheck {

    /**
     * @throws io.sim2real.service.api.BadRequestException naming the field that this service finds no run
     */
    void check(RunSettings run);
}
