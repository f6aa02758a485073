package io.sim2real.experiments.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Colour only on a terminal that shows it: never in files, pipes or logs. */
class AnsiTest {

    @Test
    void shouldColourOnlyOnATerminalThatShowsIt() {
        assertTrue(Ansi.enabled(true, "xterm-256color", null));
        assertFalse(Ansi.enabled(false, "xterm-256color", null), "stdout is a file or a pipe");
        assertFalse(Ansi.enabled(true, "dumb", null));
        assertFalse(Ansi.enabled(true, null, null), "no TERM (cron, CI)");
        assertFalse(Ansi.enabled(true, "xterm", "1"), "NO_COLOR");
        assertTrue(Ansi.enabled(true, "xterm", ""), "an empty NO_COLOR does not count (no-color.org)");
    }

    @Test
    void shouldWritePlainTextWhenOff() {
        assertEquals("report", Ansi.OFF.bold("report"));
        assertEquals("failed", Ansi.OFF.red("failed"));
        assertEquals("\u001b[1mreport\u001b[0m", new Ansi(true).bold("report"));
    }

    @Test
    void shouldBeOffForThisTestsRedirectedOutput() {
        // Maven's forked test JVM writes to pipes: no console, so no colour whatever TERM says.
        if (System.console() == null) {
            assertFalse(Ansi.forStdout().enabled());
        }
    }
}
