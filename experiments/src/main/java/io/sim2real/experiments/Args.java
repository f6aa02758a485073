package io.sim2real.experiments;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** {@code --name value} options of a command, checked against the names it knows. */
public final class Args {

    private final Map<String, String> values = new LinkedHashMap<>();

    public Args(String[] args, Set<String> known) {
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (!a.startsWith("--")) {
                throw new IllegalArgumentException("unexpected argument '" + a + "' (options are --name value)");
            }
            String name = a.substring(2);
            if (!known.contains(name)) {
                throw new IllegalArgumentException("unknown option --" + name + "; known: --" + String.join(", --", known));
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException("option --" + name + " needs a value");
            }
            if (values.put(name, args[++i]) != null) {
                throw new IllegalArgumentException("option --" + name + " is given twice");
            }
        }
    }

    /** Whether the option was given. */
    public boolean has(String name) {
        return values.containsKey(name);
    }

    public String text(String name, String otherwise) {
        return values.getOrDefault(name, otherwise);
    }

    /** A sweep's name, which prefixes its run ids: letters, digits, '.', '_' or '-', at most {@code maxLength}. */
    public String sweepName(String otherwise, int maxLength) {
        String name = text("name", otherwise);
        if (!name.matches("[A-Za-z0-9][A-Za-z0-9._-]{0," + (maxLength - 1) + "}")) {
            throw new IllegalArgumentException("--name must be letters, digits, '.', '_' or '-' (a run id prefix, at most "
                    + maxLength + "), got '" + name + "'");
        }
        return name;
    }

    public int integer(String name, int otherwise) {
        String v = values.get(name);
        try {
            return v == null ? otherwise : Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + name + " must be a whole number, got '" + v + "'");
        }
    }

    public boolean bool(String name, boolean otherwise) {
        String v = values.get(name);
        if (v == null) {
            return otherwise;
        }
        if (!v.equals("true") && !v.equals("false")) {
            throw new IllegalArgumentException("--" + name + " must be true or false, got '" + v + "'");
        }
        return Boolean.parseBoolean(v);
    }

    /** "a=1.5,b=2" to {a: 1.5, b: 2}, in the given order; anything else is refused naming the option. */
    static Map<String, Double> namedNumbers(String option, String given) {
        Map<String, Double> out = new LinkedHashMap<>();
        namedTexts(option, given).forEach((name, value) -> {
            try {
                out.put(name, Double.parseDouble(value));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--" + option + ": the value of " + name + " is not a number: '" + value + "'");
            }
        });
        return out;
    }

    /** "a=x,b=y" to {a: x, b: y}, in the given order; a pair without a name or value, or a repeated name, is refused. */
    static Map<String, String> namedTexts(String option, String given) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String pair : given.split(",")) {
            if (pair.isBlank()) {
                continue;
            }
            String[] kv = pair.split("=", 2);
            if (kv.length != 2 || kv[0].isBlank() || kv[1].isBlank()) {
                throw new IllegalArgumentException("--" + option + " takes name=value pairs separated by commas, got '" + pair + "'");
            }
            if (out.put(kv[0].trim(), kv[1].trim()) != null) {
                throw new IllegalArgumentException("--" + option + " names " + kv[0].trim() + " twice");
            }
        }
        return out;
    }

    public List<String> list(String name, String otherwise) {
        return Arrays.stream(text(name, otherwise).split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
    }

    public List<Double> numbers(String name, String otherwise) {
        List<Double> out = new ArrayList<>();
        for (String s : list(name, otherwise)) {
            try {
                out.add(Double.parseDouble(s));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--" + name + " must be numbers separated by commas, got '" + s + "'");
            }
        }
        return out;
    }

    public int[] integers(String name, String otherwise) {
        return numbers(name, otherwise).stream().mapToInt(d -> {
            if (d != Math.rint(d)) {
                throw new IllegalArgumentException("--" + name + " must be whole numbers, got " + d);
            }
            return d.intValue();
        }).toArray();
    }

    /** Every option given, for the report's record of the configuration. */
    public Map<String, String> given() {
        return Map.copyOf(values);
    }
}
