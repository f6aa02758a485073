package io.sim2real.env.counterfactual;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.sim2real.contracts.Domain;
import java.io.IOException;
import java.util.Optional;

/**
 * The {@code domain} of a raw TransitionBatch, read without decoding the batch: a streaming pass over the top-level
 * fields that skips the arrays unparsed (env-service's own batches name it second). Empty for anything that is not
 * a JSON object with a known {@code domain} string: such a record is decoded in full, and dead-lettered if invalid.
 */
final class BatchDomain {

    private static final JsonFactory JSON = new JsonFactory();

    private BatchDomain() {
    }

    static Optional<Domain> of(byte[] value) {
        if (value == null) {
            return Optional.empty();
        }
        try (JsonParser p = JSON.createParser(value)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return Optional.empty();
            }
            for (JsonToken t = p.nextToken(); t == JsonToken.FIELD_NAME; t = p.nextToken()) {
                String field = p.currentName();
                JsonToken v = p.nextToken();
                if ("domain".equals(field)) {
                    return v == JsonToken.VALUE_STRING ? parse(p.getText()) : Optional.empty();
                }
                p.skipChildren();
            }
            return Optional.empty();
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    private static Optional<Domain> parse(String wire) {
        try {
            return Optional.of(Domain.fromWire(wire));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
