package dev.jlightning.precision;

import dev.jlightning.core.MisconfigurationException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.bytedeco.pytorch.Optimizer;
import org.bytedeco.pytorch.OptimizerParamGroupVector;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * Dynamic loss scaling for float16 training, with the semantics of PyTorch's {@code torch.amp.GradScaler}.
 *
 * <p>The loss is multiplied by the scale before backward so that small float16 gradients do not flush to zero;
 * before the optimizer step the gradients are multiplied by {@code 1/scale} ({@link #unscale(Optimizer)}, done before
 * gradient clipping) and checked for inf/NaN. {@link #step(Optimizer)} skips the optimizer step when any gradient
 * is not finite; {@link #update()} then halves the scale ({@code backoff_factor}), or doubles it
 * ({@code growth_factor}) after {@code growth_interval} consecutive good steps. The scale is kept as a float32 value,
 * as PyTorch keeps it in a float32 tensor, so the arithmetic is the same bit for bit.
 *
 * <p>PyTorch does the check-and-unscale and the scale update in the fused kernels
 * {@code _amp_foreach_non_finite_check_and_unscale_} and {@code _amp_update_scale_}; the presets do not map them, so
 * this class does the same per gradient tensor (one reduction per gradient, one host synchronisation per step). The
 * state ({@link #stateDict()}) has PyTorch's keys: {@code scale}, {@code growth_factor}, {@code backoff_factor},
 * {@code growth_interval}, {@code _growth_tracker}.
 */
public final class GradScaler {

    private float scale;
    private double growthFactor;
    private double backoffFactor;
    private int growthInterval;
    private int growthTracker;

    /** Whether the gradients of the current iteration were unscaled, and what the check found. */
    private boolean unscaled;
    private boolean foundInf;

    private GradScaler(Builder b) {
        this.scale = (float) b.initScale;
        this.growthFactor = b.growthFactor;
        this.backoffFactor = b.backoffFactor;
        this.growthInterval = b.growthInterval;
    }

    /** PyTorch's defaults: {@code init_scale=2**16, growth_factor=2.0, backoff_factor=0.5, growth_interval=2000}. */
    public static GradScaler create() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The current scale: {@code scaler.get_scale()}. */
    public double getScale() {
        return scale;
    }

    /** Consecutive steps without inf/NaN since the scale last changed: PyTorch's {@code _growth_tracker}. */
    public int growthTracker() {
        return growthTracker;
    }

    public double growthFactor() {
        return growthFactor;
    }

    public double backoffFactor() {
        return backoffFactor;
    }

    public int growthInterval() {
        return growthInterval;
    }

    /** {@code scaler.scale(loss)}: the loss multiplied by the current scale, a new tensor to call backward on. */
    public Tensor scale(Tensor loss) {
        return loss.mul(new Scalar((double) scale));
    }

    /**
     * {@code scaler.unscale_(optimizer)}: divides the gradients of the optimizer's parameters by the scale, in place,
     * and records whether any of them holds inf or NaN. Call it at most once per iteration, before clipping.
     *
     * @return whether a non-finite gradient was found (the coming {@link #step(Optimizer)} will be skipped)
     * @throws IllegalStateException if called twice before {@link #update()}, or on float16 gradients, as PyTorch
     */
    public boolean unscale(Optimizer optimizer) {
        if (unscaled) {
            throw new IllegalStateException("unscale_() has already been called on this optimizer since the last"
                    + " update().");
        }
        // PyTorch: inv_scale = self._scale.double().reciprocal().float()
        float inv = (float) (1.0 / (double) scale);
        Scalar invScale = new Scalar((double) inv);
        Tensor allFinite = null;
        // walked group by group: Optimizer::parameters() prints a deprecation warning on every call
        OptimizerParamGroupVector groups = optimizer.param_groups();
        for (long g = 0; g < groups.size(); g++) {
            TensorVector params = groups.get(g).params();
            for (long i = 0; i < params.size(); i++) {
                Tensor grad = params.get(i).grad();
                if (!grad.defined()) {
                    continue;
                }
                if (grad.scalar_type().intern() == ScalarType.Half) {
                    throw new IllegalStateException("Attempting to unscale FP16 gradients.");
                }
                // the check reads the gradient before it is multiplied, as the fused kernel does
                Tensor finite = torch.isfinite(grad).all();
                allFinite = allFinite == null ? finite : allFinite.logical_and(finite);
                grad.mul_(invScale);
            }
        }
        unscaled = true;
        foundInf = allFinite != null && !allFinite.item_bool();
        return foundInf;
    }

    /**
     * {@code scaler.step(optimizer)}: unscales the gradients if {@link #unscale(Optimizer)} was not called this
     * iteration, then steps the optimizer unless a gradient was inf or NaN.
     *
     * @return whether the optimizer stepped
     */
    public boolean step(Optimizer optimizer) {
        if (!unscaled) {
            unscale(optimizer);
        }
        if (foundInf) {
            return false;
        }
        optimizer.step();
        return true;
    }

    /**
     * {@code scaler.update()}: backs the scale off after a step with inf/NaN gradients, grows it after
     * {@code growth_interval} good steps in a row (unless the grown scale would overflow float32), and starts the
     * next iteration. The arithmetic is {@code _amp_update_scale_}'s.
     */
    public void update() {
        if (!unscaled) {
            throw new IllegalStateException("update() was called before any gradient of this iteration was unscaled"
                    + " or stepped; call step(optimizer) first");
        }
        if (foundInf) {
            scale = (float) (scale * backoffFactor);
            growthTracker = 0;
        } else {
            int successful = growthTracker + 1;
            if (successful == growthInterval) {
                float grown = (float) (scale * growthFactor);
                if (Float.isFinite(grown)) {
                    scale = grown;
                }
                growthTracker = 0;
            } else {
                growthTracker = successful;
            }
        }
        unscaled = false;
        foundInf = false;
    }

    /** PyTorch's {@code GradScaler.state_dict()}: plain JSON data. */
    public Map<String, Object> stateDict() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("scale", (double) scale);
        m.put("growth_factor", growthFactor);
        m.put("backoff_factor", backoffFactor);
        m.put("growth_interval", growthInterval);
        m.put("_growth_tracker", growthTracker);
        return m;
    }

    /**
     * PyTorch's {@code GradScaler.load_state_dict(state)}; every value is checked before any is taken.
     *
     * @throws IllegalArgumentException naming the key when a value is missing or out of range
     */
    public void loadStateDict(Map<String, Object> state) {
        if (state.isEmpty()) {
            throw new IllegalArgumentException("The source state dict is empty, possibly because it was saved from a"
                    + " disabled instance of GradScaler.");
        }
        double s = number(state, "scale");
        double g = number(state, "growth_factor");
        double b = number(state, "backoff_factor");
        double interval = number(state, "growth_interval");
        double tracker = number(state, "_growth_tracker");
        if (!(s > 0) || Double.isInfinite(s)) {
            throw new IllegalArgumentException("GradScaler state: 'scale' must be a positive finite number, got " + s);
        }
        Builder check = builder().growthFactor(g).backoffFactor(b);
        if (interval != Math.rint(interval) || interval < 1 || interval > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("GradScaler state: 'growth_interval' must be a positive int, got "
                    + interval);
        }
        if (tracker != Math.rint(tracker) || tracker < 0 || tracker >= interval) {
            throw new IllegalArgumentException("GradScaler state: '_growth_tracker' must be an int in [0, "
                    + "growth_interval), got " + tracker);
        }
        this.scale = (float) s;
        this.growthFactor = check.growthFactor;
        this.backoffFactor = check.backoffFactor;
        this.growthInterval = (int) interval;
        this.growthTracker = (int) tracker;
        this.unscaled = false;
        this.foundInf = false;
    }

    private static double number(Map<String, Object> state, String key) {
        Object v = state.get(key);
        if (!(v instanceof Number)) {
            throw new IllegalArgumentException("GradScaler state: '" + key + "' must be a number, got "
                    + (v == null ? "nothing" : v.getClass().getSimpleName() + " " + v));
        }
        return ((Number) v).doubleValue();
    }

    /** Options of a {@link GradScaler}, with PyTorch's names and defaults. */
    public static final class Builder {
        private double initScale = 65536.0;
        private double growthFactor = 2.0;
        private double backoffFactor = 0.5;
        private int growthInterval = 2000;

        private Builder() {
        }

        /** {@code init_scale} (default {@code 2**16}); a positive finite number. */
        public Builder initScale(double initScale) {
            if (!(initScale > 0) || Double.isInfinite(initScale) || Float.isInfinite((float) initScale)) {
                throw new MisconfigurationException("GradScaler init_scale must be a positive finite float32 number,"
                        + " got " + initScale);
            }
            this.initScale = initScale;
            return this;
        }

        /** {@code growth_factor} (default 2.0); must be &gt; 1. */
        public Builder growthFactor(double growthFactor) {
            if (!(growthFactor > 1.0) || Double.isInfinite(growthFactor)) {
                throw new MisconfigurationException("The growth factor must be > 1.0, got growth_factor="
                        + growthFactor);
            }
            this.growthFactor = growthFactor;
            return this;
        }

        /** {@code backoff_factor} (default 0.5); must be in (0, 1). */
        public Builder backoffFactor(double backoffFactor) {
            if (!(backoffFactor > 0.0 && backoffFactor < 1.0)) {
                throw new MisconfigurationException("The backoff factor must be < 1.0 and > 0, got backoff_factor="
                        + backoffFactor);
            }
            this.backoffFactor = backoffFactor;
            return this;
        }

        /** {@code growth_interval} (default 2000); a positive number of steps. */
        public Builder growthInterval(int growthInterval) {
            if (growthInterval < 1) {
                throw new MisconfigurationException("growth_interval must be a positive int, got " + growthInterval);
            }
            this.growthInterval = growthInterval;
            return this;
        }

        public GradScaler build() {
            return new GradScaler(this);
        }
    }
}
