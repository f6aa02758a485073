package io.sim2real.experiments.report;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A report folder: README.md (configuration and seeds first, then every table and plot), one CSV per table and
 * the PNG plots next to it.
 */
public final class ReportFolder {

    private final Path dir;
    private final String title;
    private final Map<String, String> configuration = new TreeMap<>();
    private final List<String> sections = new ArrayList<>();

    public ReportFolder(Path dir, String title) throws IOException {
        this.dir = Files.createDirectories(dir);
        this.title = title;
    }

    /** The default folder of a command's report: {@code reports/<name>-<local time>}, safe in file names. */
    public static String timestamped(String name) {
        return "reports/" + name + "-" + java.time.LocalDateTime.now().withNano(0).toString().replace(":", "");
    }

    public Path dir() {
        return dir;
    }

    /** A line of the configuration; a number prints for people ({@link Numbers#of}: 4000, not 4000.0). */
    public ReportFolder configuration(String key, Object value) {
        configuration.put(key, value instanceof Number n ? Numbers.of(n) : String.valueOf(value));
        return this;
    }

    /** Writes the table's CSV as {@code name}.csv and adds it to the README. */
    public ReportFolder table(String name, Table table, String caption) throws IOException {
        Files.writeString(dir.resolve(name + ".csv"), table.toCsv(), StandardCharsets.UTF_8);
        sections.add("## " + table.title() + "\n\n" + (caption.isEmpty() ? "" : caption + "\n\n") + table.toMarkdown()
                + "\n(" + name + ".csv)\n");
        return this;
    }

    public ReportFolder chart(String name, LineChart chart) throws IOException {
        chart.savePng(dir.resolve(name + ".png"), 800, 500);
        sections.add("![" + name + "](" + name + ".png)\n");
        return this;
    }

    public ReportFolder text(String markdown) {
        sections.add(markdown);
        return this;
    }

    /** Writes README.md; returns its path. */
    public Path write() throws IOException {
        StringBuilder out = new StringBuilder("# ").append(title).append("\n\n## Configuration\n\n");
        configuration.forEach((k, v) -> out.append("- ").append(k).append(": ").append(v).append('\n'));
        out.append('\n');
        for (String s : sections) {
            out.append(s).append('\n');
        }
        Path readme = dir.resolve("README.md");
        Files.writeString(readme, out.toString(), StandardCharsets.UTF_8);
        return readme;
    }
}
