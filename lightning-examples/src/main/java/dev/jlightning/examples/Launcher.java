package dev.jlightning.examples;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Lists the example scenarios and runs one by name: {@code Launcher list} or {@code Launcher <name> [args...]}.
 */
public final class Launcher {

    private static final Map<String, Scenario> SCENARIOS = new LinkedHashMap<>();

    static {
        register(new LinearRegressionExample());
        register(new QuickStartExample());
        register(new SchedulerPlotsExample());
        register(new WarmupCosineExample());
        register(new GanExample());
        register(new ResumeTrainingExample());
        register(new DigitsExample());
        register(new PyTorchWeightsExample());
        register(new PrecisionCheckExample());
        register(new NativesExample());
    }

    private Launcher() {
    }

    static void register(Scenario s) {
        SCENARIOS.put(s.name(), s);
    }

    /** The registered scenarios by name, in listing order. */
    public static Map<String, Scenario> scenarios() {
        return java.util.Collections.unmodifiableMap(SCENARIOS);
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 0 || "list".equals(args[0])) {
            System.out.println("JLightning examples. Run one with: Launcher <name> [args]");
            SCENARIOS.values().forEach(s -> System.out.printf("  %-28s %s%n", s.name(), s.description()));
            return;
        }
        Scenario s = SCENARIOS.get(args[0]);
        if (s == null) {
            System.err.println("Unknown scenario '" + args[0] + "'. Available: " + SCENARIOS.keySet());
            System.exit(2);
        }
        s.run(Arrays.copyOfRange(args, 1, args.length));
    }
}
