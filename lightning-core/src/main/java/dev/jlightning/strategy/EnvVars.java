package dev.jlightning.strategy;

import dev.jlightning.core.MisconfigurationException;
import java.util.Map;
import java.util.Optional;

/** Reads the launch variables of a distributed job, naming the variable in every error. */
final class EnvVars {

    private final Map<String, String> env;
    private final String source;

    EnvVars(Map<String, String> env, String source) {
        this.env = Map.copyOf(env);
        this.source = source;
    }

    boolean has(String name) {
        return env.containsKey(name);
    }

    Optional<String> get(String name) {
        String v = env.get(name);
        return v == null || v.isBlank() ? Optional.empty() : Optional.of(v.trim());
    }

    String require(String name) {
        return get(name).orElseThrow(() -> new MisconfigurationException(source + ": the environment variable "
                + name + " is not set, but a distributed job needs it"));
    }

    int requireInt(String name, int min) {
        return parse(name, require(name), min);
    }

    int intOr(String name, int fallback, int min) {
        Optional<String> v = get(name);
        return v.isPresent() ? parse(name, v.get(), min) : fallback;
    }

    private int parse(String name, String value, int min) {
        int n;
        try {
            n = Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new MisconfigurationException(source + ": " + name + "=" + value + " is not an integer");
        }
        if (n < min) {
            throw new MisconfigurationException(source + ": " + name + "=" + value + " must be >= " + min);
        }
        return n;
    }

    static int port(String name, String value, String source) {
        int p;
        try {
            p = Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw new MisconfigurationException(source + ": " + name + "=" + value + " is not a port number");
        }
        if (p < 1 || p > 65535) {
            throw new MisconfigurationException(source + ": " + name + "=" + value + " is not a port in 1..65535");
        }
        return p;
    }

    /** Rank must lie in the world; the message names both variables. */
    static void checkRank(String source, String rankVar, int rank, String worldVar, int world) {
        if (rank >= world) {
            throw new MisconfigurationException(source + ": " + rankVar + "=" + rank + " is outside the world of "
                    + worldVar + "=" + world + " processes (ranks 0.." + (world - 1) + ")");
        }
    }
}
