package io.sim2real.experiments.report;

import java.io.Console;
import java.lang.reflect.Method;

/**
 * ANSI colour for what the command line prints, on only when standard output is a terminal that can show it: a
 * console attached, {@code TERM} set and not {@code dumb}, and no {@code NO_COLOR} (no-color.org). Files, pipes and
 * logs get plain text.
 */
public final class Ansi {

    /** Plain text, for files, pipes and tests. */
    public static final Ansi OFF = new Ansi(false);

    private final boolean enabled;

    Ansi(boolean enabled) {
        this.enabled = enabled;
    }

    /** For this process's standard output. */
    public static Ansi forStdout() {
        return new Ansi(enabled(isTerminal(System.console()), System.getenv("TERM"), System.getenv("NO_COLOR")));
    }

    /** The decision, as a pure function of what the process sees. */
    static boolean enabled(boolean terminal, String term, String noColor) {
        return terminal && term != null && !term.isBlank() && !term.equals("dumb") && (noColor == null || noColor.isEmpty());
    }

    /**
     * Whether the console is a terminal: up to Java 21 a console exists only when stdin and stdout are both terminals;
     * from Java 22 one may exist without a terminal, and {@code Console.isTerminal()} says which.
     */
    private static boolean isTerminal(Console console) {
        if (console == null) {
            return false;
        }
        try {
            Method isTerminal = Console.class.getMethod("isTerminal");
            return (Boolean) isTerminal.invoke(console);
        } catch (ReflectiveOperationException e) {
            return true;
        }
    }

    public boolean enabled() {
        return enabled;
    }

    public String bold(String text) {
        return wrap("1", text);
    }

    public String red(String text) {
        return wrap("31", text);
    }

    public String green(String text) {
        return wrap("32", text);
    }

    private String wrap(String code, String text) {
        return enabled ? "\u001b[" + code + "m" + text + "\u001b[0m" : text;
    }
}
