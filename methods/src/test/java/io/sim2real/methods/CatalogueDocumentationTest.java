package io.sim2real.methods;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sim2real.contracts.messages.RunSpec.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** docs/CONTRACTS.md's table of run parameters says what the catalogue says, row for row. */
class CatalogueDocumentationTest {

    /** The table row of a parameter, as CONTRACTS.md must have it. */
    static String row(RunParameter p) {
        String range = switch (p.type()) {
            case FLAG -> "0 or 1";
            case SHARE -> "[0, 1]";
            case WHOLE -> "whole, [" + RunParameter.plain(p.min()) + ", " + RunParameter.plain(p.max()) + "]";
            case NUMBER -> "[" + RunParameter.plain(p.min()) + ", " + RunParameter.plain(p.max()) + "]";
        };
        double d = p.productDefault(Method.MBPO);
        String fallback = p == RunParameter.TRAIN_SIM_AUTOENCODER ? "1 gap-only, 0 others" : RunParameter.plain(d);
        return "| `" + p.wireName() + "` | " + range + " | " + fallback + " | " + p.scope().name().toLowerCase()
                .replace('_', '-') + " | `" + p.configKey() + "` | " + p.description() + " |";
    }

    @Test
    void shouldDocumentEveryParameterAsTheCatalogueDefinesIt() throws Exception {
        List<String> doc = Files.readAllLines(Path.of("..", "docs", "CONTRACTS.md"));
        List<String> documented = new ArrayList<>();
        for (String line : doc) {
            if (line.startsWith("| `") && line.contains("`sim2real.run.")) {
                documented.add(line);
            }
        }
        List<String> expected = new ArrayList<>();
        for (RunParameter p : RunParameter.values()) {
            expected.add(row(p));
        }
        assertEquals(String.join("\n", expected), String.join("\n", documented),
                "docs/CONTRACTS.md section 3.6.1 must list the catalogue (io.sim2real.methods.RunParameter)");
    }
}
