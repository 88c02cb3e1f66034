package dev.jlightning.optim;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import org.bytedeco.pytorch.Optimizer;

/**
 * Multiplies each group's learning rate by {@code gamma} when the epoch reaches a milestone: PyTorch's
 * {@code torch.optim.lr_scheduler.MultiStepLR}. Milestones are counted like Python's {@code Counter}: a milestone
 * listed twice multiplies by {@code gamma ** 2}; their order does not matter.
 */
public class MultiStepLR extends LRScheduler {
    private TreeMap<Integer, Integer> milestones;
    private double gamma;

    /** {@code MultiStepLR(optimizer, milestones)} with {@code gamma=0.1}. */
    public MultiStepLR(Optimizer optimizer, List<Integer> milestones) {
        this(optimizer, milestones, 0.1, -1);
    }

    /** {@code MultiStepLR(optimizer, milestones, gamma)}. */
    public MultiStepLR(Optimizer optimizer, List<Integer> milestones, double gamma) {
        this(optimizer, milestones, gamma, -1);
    }

    /** {@code MultiStepLR(optimizer, milestones, gamma, last_epoch)}. */
    public MultiStepLR(Optimizer optimizer, List<Integer> milestones, double gamma, int lastEpoch) {
        super(optimizer, lastEpoch);
        this.milestones = count(milestones);
        this.gamma = Checks.finite("MultiStepLR", "gamma", gamma);
        initialStep();
    }

    private static TreeMap<Integer, Integer> count(List<Integer> milestones) {
        Objects.requireNonNull(milestones, "milestones");
        TreeMap<Integer, Integer> counts = new TreeMap<>();
        for (Integer m : milestones) {
            counts.merge(Objects.requireNonNull(m, "milestone"), 1, Integer::sum);
        }
        return counts;
    }

    /** The milestones in increasing order, a repeated milestone as many times as it was given. */
    public List<Integer> milestones() {
        List<Integer> sorted = new ArrayList<>();
        milestones.forEach((m, c) -> sorted.addAll(Collections.nCopies(c, m)));
        return Collections.unmodifiableList(sorted);
    }

    /** The multiplicative factor of decay. */
    public double gamma() {
        return gamma;
    }

    @Override
    protected double[] getLr() {
        double[] lrs = groupLrs();
        Integer times = milestones.get(lastEpoch());
        if (times == null) {
            return lrs;
        }
        for (int i = 0; i < lrs.length; i++) {
            lrs[i] = lrs[i] * Math.pow(gamma, times);
        }
        return lrs;
    }

    @Override
    protected Optional<double[]> closedFormLr() {
        // bisect_right over the sorted milestones with repeats: how many are <= last_epoch
        int passed = 0;
        for (Map.Entry<Integer, Integer> e : milestones.headMap(lastEpoch(), true).entrySet()) {
            passed += e.getValue();
        }
        double[] base = baseLrs();
        for (int i = 0; i < base.length; i++) {
            base[i] = base[i] * Math.pow(gamma, passed);
        }
        return Optional.of(base);
    }

    @Override
    public Map<String, Object> stateDict() {
        Map<String, Object> state = super.stateDict();
        // Python's Counter pickles as {milestone: count}; JSON keys are strings
        Map<String, Object> counter = new java.util.LinkedHashMap<>();
        milestones.forEach((m, c) -> counter.put(String.valueOf(m), c));
        state.put("milestones", counter);
        state.put("gamma", gamma);
        return state;
    }

    @Override
    public void loadStateDict(Map<String, Object> state) {
        super.loadStateDict(state);
        StateDicts.Reader r = StateDicts.reader("MultiStepLR", state);
        r.map("milestones").ifPresent(counter -> {
            TreeMap<Integer, Integer> restored = new TreeMap<>();
            StateDicts.Reader counts = StateDicts.reader("MultiStepLR milestones", counter);
            for (String key : counter.keySet()) {
                int milestone;
                try {
                    milestone = Integer.parseInt(key.trim());
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("MultiStepLR state dict: milestone key '" + key
                            + "' is not an integer", e);
                }
                restored.put(milestone, counts.integer(key).getAsInt());
            }
            milestones = restored;
        });
        r.number("gamma").ifPresent(v -> gamma = Checks.finite("MultiStepLR", "gamma", v));
    }
}
