package dev.jlightning.optim;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.bytedeco.pytorch.Optimizer;

/**
 * Runs schedulers one after another, switching at the milestone epochs: PyTorch's
 * {@code torch.optim.lr_scheduler.SequentialLR}, with current PyTorch's semantics.
 *
 * <p>At construction the groups' learning rates go back to {@code initial_lr}, the initial step every child took
 * when it was created is undone, and only the first child takes its initial step again. On reaching a milestone
 * the next child jumps to its epoch 0 through its closed form ({@code _update_lr(0)}, not the deprecated
 * {@code step(0)} of PyTorch 1.13); otherwise the active child steps normally.
 *
 * <p>Like PyTorch's, this class skips the base initialisation: its state dict holds {@code _schedulers} (the
 * children's state dicts), {@code _milestones}, {@code last_epoch} and {@code _last_lr}; {@link #baseLrs()} returns
 * the groups' {@code initial_lr}.
 */
public class SequentialLR extends LRScheduler {
    private final List<LRScheduler> schedulers;
    private int[] milestones;

    /** {@code SequentialLR(optimizer, schedulers, milestones)}. */
    public SequentialLR(Optimizer optimizer, List<? extends LRScheduler> schedulers, List<Integer> milestones) {
        this(optimizer, schedulers, milestones, -1);
    }

    /**
     * {@code SequentialLR(optimizer, schedulers, milestones, last_epoch)}.
     *
     * @throws IllegalArgumentException if there is no scheduler, a child is a ReduceLROnPlateau or belongs to another
     *     optimizer, the number of milestones is not one less than the number of schedulers, or the milestones are
     *     not strictly increasing
     */
    public SequentialLR(Optimizer optimizer, List<? extends LRScheduler> schedulers, List<Integer> milestones,
            int lastEpoch) {
        super(optimizer, lastEpoch);
        Objects.requireNonNull(schedulers, "schedulers");
        Objects.requireNonNull(milestones, "milestones");
        Composites.checkChildren("SequentialLR", optimizer, schedulers);
        int[] ms = checkMilestones(milestones, schedulers.size());
        this.schedulers = Collections.unmodifiableList(new ArrayList<>(schedulers));
        this.milestones = ms;
        setLastEpoch(lastEpoch + 1);

        ParamGroups groups = paramGroups();
        int n = groups.size();
        double[] initialLrs = new double[n];
        for (int i = 0; i < n; i++) {
            int group = i;
            initialLrs[i] = groups.initialLr(i).orElseThrow(() -> new IllegalArgumentException("SequentialLR: param"
                    + " 'initial_lr' is not specified in param_groups[" + group + "]"));
        }
        groups.setLrs(initialLrs);
        undoInitialSteps(this);
        this.schedulers.get(0).takeInitialStep();
        setBaseLrs(initialLrs);
        markInitialized(this.schedulers.get(0).getLastLr());
    }

    /** The milestone checks, also run by the config factory before it builds the children. */
    static int[] checkMilestones(List<Integer> milestones, int schedulerCount) {
        if (milestones.size() != schedulerCount - 1) {
            throw Checks.invalid("SequentialLR", "milestones", milestones, "Sequential Schedulers expects number of"
                    + " schedulers provided to be one more than the number of milestone points, but got number of"
                    + " schedulers " + schedulerCount + " and the number of milestones to be equal to "
                    + milestones.size());
        }
        int[] ms = new int[milestones.size()];
        for (int i = 0; i < ms.length; i++) {
            ms[i] = Objects.requireNonNull(milestones.get(i), "milestone");
            if (i > 0 && ms[i] <= ms[i - 1]) {
                throw Checks.invalid("SequentialLR", "milestones", milestones,
                        "expected strictly increasing epochs (each one switches to the next scheduler)");
            }
        }
        return ms;
    }

    /** PyTorch's {@code recursive_undo}: every leaf scheduler goes back one epoch. */
    private static void undoInitialSteps(LRScheduler scheduler) {
        List<LRScheduler> children = scheduler.children();
        if (!children.isEmpty()) {
            for (LRScheduler child : children) {
                undoInitialSteps(child);
            }
        } else {
            scheduler.setLastEpoch(scheduler.lastEpoch() - 1);
        }
    }

    @Override
    List<LRScheduler> children() {
        return schedulers;
    }

    /** The wrapped schedulers, in order. */
    public List<LRScheduler> schedulers() {
        return schedulers;
    }

    /** The epochs at which the next scheduler takes over. */
    public List<Integer> milestones() {
        List<Integer> list = new ArrayList<>(milestones.length);
        for (int m : milestones) {
            list.add(m);
        }
        return Collections.unmodifiableList(list);
    }

    @Override
    public void step() {
        setLastEpoch(lastEpoch() + 1);
        int idx = bisectRight(milestones, lastEpoch());
        LRScheduler scheduler = schedulers.get(idx);
        if (idx > 0 && milestones[idx - 1] == lastEpoch()) {
            scheduler.updateLr(0);
        } else {
            scheduler.step();
        }
        setLastLr(scheduler.getLastLr());
    }

    /**
     * Not supported, as PyTorch's {@code SequentialLR.step()} takes no epoch.
     *
     * @throws UnsupportedOperationException always
     */
    @Override
    @Deprecated
    public void step(double epoch) {
        throw new UnsupportedOperationException("SequentialLR.step() takes no epoch");
    }

    private static int bisectRight(int[] sorted, int value) {
        int lo = 0;
        int hi = sorted.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (value < sorted[mid]) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        return lo;
    }

    @Override
    protected double[] getLr() {
        throw new UnsupportedOperationException("SequentialLR has no get_lr of its own; its children compute it");
    }

    @Override
    public Map<String, Object> stateDict() {
        Map<String, Object> state = new LinkedHashMap<>();
        state.put("_schedulers", Composites.childStates(schedulers));
        state.put("_milestones", milestones());
        state.put("last_epoch", lastEpoch());
        state.put("_last_lr", StateDicts.numbers(getLastLr()));
        return state;
    }

    @Override
    public void loadStateDict(Map<String, Object> state) {
        StateDicts.Reader r = StateDicts.reader("SequentialLR", state);
        r.integers("_milestones").ifPresent(v -> {
            if (v.length != schedulers.size() - 1) {
                throw new IllegalArgumentException("SequentialLR state dict: '_milestones' has " + v.length
                        + " entries, expected " + (schedulers.size() - 1));
            }
            milestones = v;
        });
        r.integer("last_epoch").ifPresent(this::setLastEpoch);
        r.numbers("_last_lr").ifPresent(this::setLastLr);
        r.maps("_schedulers").ifPresent(states -> Composites.loadChildStates("SequentialLR", schedulers, states));
    }
}
