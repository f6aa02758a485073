package io.sim2real.experiments.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Numbers in reports are rounded for people: counts as integers, measurements with a few significant digits. */
class NumbersTest {

    @Test
    void shouldPrintCountsAsIntegers() {
        assertEquals("4000", Numbers.count(4000.0));
        assertEquals("4000", Numbers.count(4000L));
        assertEquals("0", Numbers.count(-0.0));
        assertEquals("2.5", Numbers.count(2.5), "a count that is not whole (an average rank) keeps its fraction");
        assertEquals("4000", Numbers.of(4000.0));
        assertEquals("1501", Numbers.of(1501));
        assertEquals("0.2254", Numbers.of(0.2253881646113155));
    }

    @Test
    void shouldPrintMeasurementsWithFourSignificantDigits() {
        assertEquals("0.2254", Numbers.measure(0.2253881646113155));
        assertEquals("12.35", Numbers.measure(12.3456));
        assertEquals("-3.142", Numbers.measure(-Math.PI));
        assertEquals("1.5", Numbers.measure(1.5), "no trailing zeros");
        assertEquals("0.001235", Numbers.measure(0.0012345678));
        assertEquals("123457", Numbers.measure(123456.789), "integer digits are never rounded away");
        assertEquals("2.254e-07", Numbers.measure(2.253881646113155e-7));
        assertEquals("0", Numbers.measure(0.0));
        assertEquals("0.23", Numbers.measure(0.2253881646113155, 2));
        assertEquals("NaN", Numbers.measure(Double.NaN));
        assertEquals("∞", Numbers.measure(Double.POSITIVE_INFINITY));
    }

    @Test
    void shouldRoundMeanAndStdToTheStdsSecondSignificantDigit() {
        assertEquals("0.225 ± 0.012", Stats.measure(List.of(0.2166588, 0.2341175)));
        assertEquals("1234 ± 12", Stats.measure(List.of(1225.5, 1242.5)));
        assertEquals("0.2254", Stats.measure(List.of(0.2253881646113155)), "one value: significant digits");
        assertEquals("2 ± 0", Stats.measure(List.of(2.0, 2.0)));
    }

    @Test
    void shouldWriteNumbersOfTheConfigurationForPeople(@TempDir Path dir) throws Exception {
        Path readme = new ReportFolder(dir, "t").configuration("transitions", 4000.0).configuration("G", 0.2253881646113155)
                .configuration("updates", 1501).write();
        String text = Files.readString(readme);
        assertTrue(text.contains("- transitions: 4000\n"), text);
        assertTrue(text.contains("- G: 0.2254\n"), text);
        assertTrue(text.contains("- updates: 1501\n"), text);
    }
}
