package io.sim2real.experiments;

import io.sim2real.contracts.PerturbationKind;
import io.sim2real.physics.halfcheetah.DomainPhysics;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * {@code --name value} options of a command, checked against the names it knows. Every refusal is an
 * {@link IllegalArgumentException} whose message names the option and what it accepts, which the command line answers
 * with that one line and exit code 2. Commands read every option before they start work, so that bad input never
 * surfaces half way through a run.
 */
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
                throw new IllegalArgumentException("unknown option --" + name + "; known: --" + String.join(", --", new TreeSet<>(known)));
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
        return integer(name, otherwise, Integer.MIN_VALUE, Integer.MAX_VALUE);
    }

    /** A whole number in [min, max]; anything else is refused naming the option and the range. */
    public int integer(String name, int otherwise, int min, int max) {
        String v = values.get(name);
        if (v == null) {
            return otherwise;
        }
        return wholeNumber(name, v.trim(), min, max, "a whole number");
    }

    private static int wholeNumber(String name, String v, int min, int max, String what) {
        long parsed;
        try {
            parsed = Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + name + " must be " + what + range(min, max) + ", got '" + v + "'");
        }
        if (parsed < min || parsed > max) {
            throw new IllegalArgumentException("--" + name + " must be " + what + range(min, max) + ", got " + v);
        }
        return (int) parsed;
    }

    /** " from 1 to 100", " of at least 1", or "" for the whole range of int. */
    static String range(long min, long max) {
        if (min == Integer.MIN_VALUE && max == Integer.MAX_VALUE) {
            return "";
        }
        if (max == Integer.MAX_VALUE) {
            return " of at least " + min;
        }
        return min == Integer.MIN_VALUE ? " of at most " + max : " from " + min + " to " + max;
    }

    /** A number in [min, max] (finite); anything else is refused naming the option and the range. */
    public double number(String name, double otherwise, double min, double max) {
        String v = values.get(name);
        if (v == null) {
            return otherwise;
        }
        return number(name, v.trim(), min, max);
    }

    private static double number(String name, String v, double min, double max) {
        String range = " from " + plain(min) + " to " + plain(max);
        double d;
        try {
            d = Double.parseDouble(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + name + " must be a number" + range + ", got '" + v + "'");
        }
        if (!(d >= min && d <= max)) {
            throw new IllegalArgumentException("--" + name + " must be a number" + range + ", got " + v);
        }
        return d;
    }

    private static String plain(double d) {
        return d == Math.rint(d) && Math.abs(d) < 1e15 ? String.valueOf((long) d) : String.valueOf(d);
    }

    /** One of {@code valid}; anything else is refused listing them. */
    public String choice(String name, String otherwise, List<String> valid) {
        String v = text(name, otherwise).trim();
        if (!valid.contains(v)) {
            throw new IllegalArgumentException("--" + name + " must be one of " + String.join(", ", valid) + "; got '" + v + "'");
        }
        return v;
    }

    /** A comma-separated list of at least one of {@code valid}, each once; anything else is refused listing them. */
    public List<String> choices(String name, String otherwise, List<String> valid) {
        List<String> given = list(name, otherwise);
        if (given.isEmpty()) {
            throw new IllegalArgumentException("--" + name + " names nothing; valid: " + String.join(", ", valid));
        }
        for (String v : given) {
            if (!valid.contains(v)) {
                throw new IllegalArgumentException("--" + name + ": unknown value '" + v + "'; valid: " + String.join(", ", valid));
            }
        }
        if (new TreeSet<>(given).size() != given.size()) {
            throw new IllegalArgumentException("--" + name + " names a value twice: " + String.join(",", given));
        }
        return given;
    }

    /** Perturbation kinds by their wire names (gravity, torso_length, ...); an unknown one is refused listing them all. */
    public List<String> kinds(String name, String otherwise) {
        return choices(name, otherwise, Arrays.stream(PerturbationKind.values()).map(PerturbationKind::wireName).toList());
    }

    /**
     * Factors that every one of {@code kinds} accepts (each kind's range, whole steps for action_delay), each once; a
     * factor outside a kind's range is refused naming the kind and its range.
     */
    public List<Double> factors(String name, String otherwise, List<String> kinds) {
        List<Double> factors = numbers(name, otherwise);
        if (factors.isEmpty()) {
            throw new IllegalArgumentException("--" + name + " names no factor");
        }
        if (new TreeSet<>(factors).size() != factors.size()) {
            throw new IllegalArgumentException("--" + name + " names a factor twice: " + text(name, otherwise));
        }
        for (String k : kinds) {
            PerturbationKind kind = PerturbationKind.fromWire(k).orElseThrow(() -> new IllegalArgumentException("unknown perturbation kind '"
                    + k + "'"));
            for (double f : factors) {
                try {
                    DomainPhysics.neutral().with(kind, f);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("--" + name + ": " + e.getMessage(), e);
                }
            }
        }
        return factors;
    }

    /** "gravity=1.5,thigh_length=2" as physics: each kind known (refused listing them) and within its range. */
    public DomainPhysics physics(String name, String otherwise) {
        List<String> valid = Arrays.stream(PerturbationKind.values()).map(PerturbationKind::wireName).toList();
        DomainPhysics physics = DomainPhysics.neutral();
        for (Map.Entry<String, Double> e : namedNumbers(name, text(name, otherwise)).entrySet()) {
            PerturbationKind kind = PerturbationKind.fromWire(e.getKey()).orElseThrow(() -> new IllegalArgumentException("--" + name
                    + ": unknown perturbation kind '" + e.getKey() + "'; valid: " + String.join(", ", valid)));
            try {
                physics = physics.with(kind, e.getValue());
            } catch (IllegalArgumentException bad) {
                throw new IllegalArgumentException("--" + name + ": " + bad.getMessage(), bad);
            }
        }
        return physics;
    }

    /**
     * A behaviour policy ({@link DataPolicy#parse}): random, gait, noisy-gait, or policy:FILE (read and checked here,
     * before any work).
     */
    public DataPolicy behaviour(String name, String otherwise) {
        String v = text(name, otherwise).trim();
        if (v.startsWith("policy:")) {
            return DataPolicy.parse(v);
        }
        List<String> valid = Arrays.stream(Behaviour.values()).map(Behaviour::wireName).toList();
        if (!valid.contains(v)) {
            throw new IllegalArgumentException("--" + name + " must be one of " + String.join(", ", valid) + " or policy:FILE; got '" + v + "'");
        }
        return DataPolicy.parse(v);
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

    /**
     * "gravity=1.5,thigh_length=2" as the kind-to-factor map a request to a service carries, checked here as
     * {@link #physics} checks it (each kind known, refused listing the valid ones, and within its range), so that bad
     * physics is refused naming the option before any service is contacted.
     */
    public Map<String, Double> physicsFactors(String name) {
        physics(name, "");
        return new TreeMap<>(namedNumbers(name, text(name, "")));
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
        return integers(name, otherwise, Integer.MIN_VALUE, Integer.MAX_VALUE);
    }

    /** Whole numbers in [min, max], separated by commas, at least one. */
    public int[] integers(String name, String otherwise, int min, int max) {
        List<String> given = list(name, otherwise);
        if (given.isEmpty()) {
            throw new IllegalArgumentException("--" + name + " must be whole numbers" + range(min, max) + " separated by commas, got none");
        }
        String what = range(min, max).isEmpty() ? "whole numbers separated by commas" : "whole numbers separated by commas, each";
        return given.stream().mapToInt(s -> wholeNumber(name, s, min, max, what)).toArray();
    }

    /** Every option given, for the report's record of the configuration. */
    public Map<String, String> given() {
        return Map.copyOf(values);
    }
}
