package io.sim2real.experiments;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The command line's help and option parsing. */
class Sim2RealCliTest {

    @Test
    void shouldListEveryOptionOfEveryCommandInTheHelp() {
        Map<String, Set<String>> commands = Map.of("gap-table", GapTable.OPTIONS, "sweep", GapSweep.OPTIONS, "train-sweep",
                TrainSweep.OPTIONS, "train", MbpoTraining.OPTIONS, "dataset", DatasetCommand.OPTIONS, "evaluate", EvaluateCommand.OPTIONS,
                "publish-policy", PublishPolicy.OPTIONS, "run", RunCommand.OPTIONS, "collect", CollectCommand.OPTIONS);
        List<String> missing = new ArrayList<>();
        commands.forEach((command, options) -> {
            String block = block(command);
            options.stream().filter(o -> !block.matches("(?s).*--" + o + "\\b.*")).forEach(o -> missing.add(command + " --" + o));
        });
        assertEquals(List.of(), missing, "options a command accepts but its help does not list");
    }

    /** The command's lines of the help: its own line and the more indented ones after it. */
    private static String block(String command) {
        StringBuilder out = new StringBuilder();
        boolean in = false;
        for (String line : Sim2RealCli.USAGE.split("\n")) {
            if (line.matches("  [a-z].*")) {
                in = line.startsWith("  " + command + " ");
            }
            if (in) {
                out.append(line).append('\n');
            }
        }
        assertTrue(out.length() > 0, "no help for " + command);
        return out.toString();
    }

    @Test
    void shouldRefuseAnOptionGivenTwiceOrANameRepeatedInPairs() {
        IllegalArgumentException twice = assertThrows(IllegalArgumentException.class,
                () -> new Args(new String[] {"--policies", "a=x", "--policies", "b=y"}, Set.of("policies")));
        assertTrue(twice.getMessage().contains("--policies is given twice"), twice.getMessage());
        IllegalArgumentException repeated = assertThrows(IllegalArgumentException.class, () -> Args.namedTexts("policies", "a=x,a=y"));
        assertTrue(repeated.getMessage().contains("names a twice"), repeated.getMessage());
        assertEquals(Map.of("gravity", 2.0, "thigh_length", 1.5), Args.namedNumbers("physics", "gravity=2, thigh_length=1.5"));
    }

    @Test
    void shouldAnswerAnUnknownCommandWithTheHelpAndExitCode2() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Sim2RealCli.run(new String[] {"fly"}, new PrintStream(new ByteArrayOutputStream()), new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(2, code);
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("unknown command 'fly'") && err.toString(StandardCharsets.UTF_8).contains("evaluate"));
    }
}
