package dev.jlightning.trainer;

import dev.jlightning.core.MisconfigurationException;
import java.util.Map;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.bytedeco.pytorch.Context;
import org.bytedeco.pytorch.global.torch;

/**
 * The values of Lightning's {@code Trainer(deterministic=...)}: {@code True}, {@code False} or {@code "warn"}
 * ({@code None}, the default, is an empty {@link TrainerConfig#deterministic()}).
 *
 * <p>{@link #apply} does what Lightning's {@code _set_torch_flags} does when the Trainer is created:
 * {@code torch.use_deterministic_algorithms(True | False)} (with {@code warn_only=True} for {@code "warn"}) through
 * LibTorch's {@code at::globalContext().setDeterministicAlgorithms}, and for {@code True} or {@code "warn"} turns
 * cuDNN benchmarking off, which Lightning does when {@code benchmark} is not given (JLightning has no
 * {@code benchmark} option). The setting is process-wide and stays after the run, as in Lightning. Lightning also
 * sets {@code CUBLAS_WORKSPACE_CONFIG=:4096:8} for deterministic cuBLAS; a JVM cannot change its own environment, so
 * on CUDA a missing variable is reported with a warning saying to set it before the program starts.
 */
public enum Deterministic {
    /** Deterministic algorithms only; an operation without one throws. Lightning: {@code deterministic=True}. */
    TRUE,
    /** Nondeterministic algorithms allowed. Lightning: {@code deterministic=False}. */
    FALSE,
    /** Deterministic algorithms where available, a warning otherwise. Lightning: {@code deterministic="warn"}. */
    WARN;

    private static final Logger LOG = LogManager.getLogger(Deterministic.class);

    /** Parses Lightning's string value, {@code "warn"}. */
    public static Deterministic fromKey(String key) {
        if ("warn".equals(key)) {
            return WARN;
        }
        throw new MisconfigurationException("`deterministic` " + (key == null ? "null" : "'" + key + "'")
                + " is invalid. Accepted: true, false or \"warn\" (use deterministic(boolean) for true and false)");
    }

    /** Applies this setting to LibTorch's global context, as Lightning does when the Trainer is created. */
    void apply(String deviceSpec, Map<String, String> environment) {
        Context context = torch.globalContext();
        context.setDeterministicAlgorithms(this != FALSE, this == WARN);
        if (this != FALSE) {
            context.setBenchmarkCuDNN(false);
            if (deviceSpec.startsWith("cuda") && !environment.containsKey("CUBLAS_WORKSPACE_CONFIG")) {
                LOG.warn("`deterministic={}` on CUDA needs the environment variable CUBLAS_WORKSPACE_CONFIG=:4096:8"
                        + " (Lightning sets it itself; a JVM cannot change its own environment): set it before"
                        + " starting the program, or cuBLAS operations will fail", this == WARN ? "'warn'" : "True");
            }
        }
    }
}
