package io.sim2real.deployment;

import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Just enough PromQL to find what a query depends on: the metric names it selects, the label names it matches on
 * each, and the label names its {@code by/without/on/ignoring/group_*} clauses use.
 */
final class PromQl {

    private static final Set<String> KEYWORDS = Set.of("by", "without", "on", "ignoring", "group_left", "group_right",
            "and", "or", "unless", "offset", "bool", "inf", "nan", "atan2");
    private static final Pattern IDENT = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
    private static final Pattern GROUPING = Pattern.compile("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\(([^)]*)\\)");
    private static final Pattern MATCHER = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)\\s*(=~|!~|!=|=)");

    /** What one query uses. */
    record Uses(Map<String, Set<String>> metrics, Set<String> groupingLabels) {
    }

    private PromQl() {
    }

    static Uses parse(String query) {
        String q = query.replaceAll("\"(\\\\.|[^\"\\\\])*\"", "\"\"") // string literals
                .replaceAll("\\$\\{?[a-zA-Z_][a-zA-Z0-9_]*}?", "1")     // Grafana variables ($__rate_interval, ${run})
                .replaceAll("\\[[^]]*]", "");                             // range and subquery selectors
        Set<String> grouping = new TreeSet<>();
        Matcher g = GROUPING.matcher(q);
        StringBuilder rest = new StringBuilder();
        while (g.find()) {
            for (String label : g.group(2).split(",")) {
                if (!label.isBlank()) {
                    grouping.add(label.strip());
                }
            }
            g.appendReplacement(rest, " ");
        }
        g.appendTail(rest);
        q = rest.toString();

        Map<String, Set<String>> metrics = new TreeMap<>();
        int i = 0;
        while (i < q.length()) {
            char c = q.charAt(i);
            if (c == '{') { // a selector without a name: {__name__=...} is not used here
                int close = q.indexOf('}', i);
                i = close < 0 ? q.length() : close + 1;
                continue;
            }
            Matcher m = IDENT.matcher(q).region(i, q.length());
            if (!(Character.isLetter(c) || c == '_' || c == ':') || !m.lookingAt()
                    || (i > 0 && (Character.isDigit(q.charAt(i - 1)) || q.charAt(i - 1) == '.'))) {
                i++;
                continue;
            }
            String ident = m.group();
            int after = m.end();
            int j = after;
            while (j < q.length() && Character.isWhitespace(q.charAt(j))) {
                j++;
            }
            boolean call = j < q.length() && q.charAt(j) == '(';
            if (!call && !KEYWORDS.contains(ident.toLowerCase())) {
                Set<String> labels = metrics.computeIfAbsent(ident, k -> new TreeSet<>());
                if (j < q.length() && q.charAt(j) == '{') {
                    int close = q.indexOf('}', j);
                    Matcher lm = MATCHER.matcher(q.substring(j + 1, close));
                    while (lm.find()) {
                        labels.add(lm.group(1));
                    }
                    after = close + 1;
                }
            }
            i = after;
        }
        return new Uses(metrics, grouping);
    }
}
