package io.sim2real.experiments.report;

import java.util.ArrayList;
import java.util.List;

/** A table of text cells with a title, written as markdown (for reading) and CSV (for tools). */
public final class Table {

    private final String title;
    private final List<String> header;
    private final List<List<String>> rows = new ArrayList<>();

    public Table(String title, List<String> header) {
        this.title = title;
        this.header = List.copyOf(header);
    }

    public Table add(List<String> row) {
        if (row.size() != header.size()) {
            throw new IllegalArgumentException("row has " + row.size() + " cells, the table " + header.size());
        }
        rows.add(List.copyOf(row));
        return this;
    }

    public String title() {
        return title;
    }

    public List<List<String>> rows() {
        return List.copyOf(rows);
    }

    public String toMarkdown() {
        StringBuilder out = new StringBuilder();
        out.append("| ").append(String.join(" | ", header)).append(" |\n|");
        for (int i = 0; i < header.size(); i++) {
            out.append(i == 0 ? "---|" : "---:|");
        }
        out.append('\n');
        for (List<String> row : rows) {
            out.append("| ").append(String.join(" | ", row)).append(" |\n");
        }
        return out.toString();
    }

    public String toCsv() {
        StringBuilder out = new StringBuilder();
        out.append(csvLine(header));
        for (List<String> row : rows) {
            out.append(csvLine(row));
        }
        return out.toString();
    }

    private static String csvLine(List<String> cells) {
        List<String> quoted = new ArrayList<>();
        for (String c : cells) {
            quoted.add(c.contains(",") || c.contains("\"") ? '"' + c.replace("\"", "\"\"") + '"' : c);
        }
        return String.join(",", quoted) + "\n";
    }
}
