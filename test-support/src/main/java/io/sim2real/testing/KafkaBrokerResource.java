package io.sim2real.testing;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.kafka.InjectKafkaCompanion;
import io.sim2real.broker.EmbeddedKafkaBroker;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import java.time.Duration;
import java.util.Map;

/**
 * Starts a real Kafka KRaft broker on a free loopback port for a Quarkus test and points the application at
 * it. Tests get a {@link KafkaCompanion} on that broker through {@code @InjectKafkaCompanion}.
 * (Quarkus' own companion resource starts a container, which these machines cannot run.)
 */
public class KafkaBrokerResource implements QuarkusTestResourceLifecycleManager {

    private EmbeddedKafkaBroker broker;
    private KafkaCompanion companion;

    @Override
    public Map<String, String> start() {
        broker = EmbeddedKafkaBroker.temporary().start(Duration.ofSeconds(60));
        companion = new KafkaCompanion(broker.bootstrapServers());
        return Map.of(
                "kafka.bootstrap.servers", broker.bootstrapServers(),
                "quarkus.kafka.devservices.enabled", "false");
    }

    @Override
    public void inject(TestInjector testInjector) {
        testInjector.injectIntoFields(companion,
                new TestInjector.AnnotatedAndMatchesType(InjectKafkaCompanion.class, KafkaCompanion.class));
    }

    @Override
    public void stop() {
        if (companion != null) {
            companion.close();
        }
        if (broker != null) {
            broker.close();
        }
    }
}
