package io.sim2real.model;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.sim2real.testing.KafkaBrokerResource;
import io.sim2real.testing.ServiceBaselineTest;

/** model-service against the real broker: the baseline every service meets. */
@QuarkusTest
@QuarkusTestResource(value = KafkaBrokerResource.class, restrictToAnnotatedClass = false)
class ModelServiceBrokerTest extends ServiceBaselineTest {
}
