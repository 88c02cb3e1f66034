package dev.jlightning.optim;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.bytedeco.pytorch.Optimizer;

/**
 * Steps several chainable schedulers together, each one's change applied on top of the others': PyTorch's
 * {@code torch.optim.lr_scheduler.ChainedScheduler}.
 *
 * <p>Like PyTorch's, it has no epoch counter of its own; {@link #lastEpoch()} reports the last child's. Its state
 * dict holds {@code _schedulers} (the children's) and {@code _last_lr}.
 */
public class ChainedScheduler extends LRScheduler {
    private final List<LRScheduler> schedulers;

    /** {@code ChainedScheduler(schedulers)}: the optimizer is the first scheduler's. */
    public ChainedScheduler(List<? extends LRScheduler> schedulers) {
        this(schedulers, firstOptimizer(schedulers));
    }

    /**
     * {@code ChainedScheduler(schedulers, optimizer)}.
     *
     * @throws IllegalArgumentException if there is no scheduler, a child is a ReduceLROnPlateau or belongs to another
     *     optimizer
     */
    public ChainedScheduler(List<? extends LRScheduler> schedulers, Optimizer optimizer) {
        super(optimizer);
        Composites.checkChildren("ChainedScheduler", optimizer, schedulers);
        this.schedulers = Collections.unmodifiableList(new ArrayList<>(schedulers));
        setBaseLrs(this.schedulers.get(this.schedulers.size() - 1).baseLrs());
        markInitialized(paramGroups().lrs());
    }

    private static Optimizer firstOptimizer(List<? extends LRScheduler> schedulers) {
        Objects.requireNonNull(schedulers, "schedulers");
        if (schedulers.isEmpty()) {
            throw Checks.invalid("ChainedScheduler", "schedulers", "[]",
                    "ChainedScheduler expects at least one scheduler to be chained, but got no scheduler.");
        }
        return Objects.requireNonNull(schedulers.get(0), "schedulers[0]").optimizer();
    }

    @Override
    List<LRScheduler> children() {
        return schedulers;
    }

    /** The chained schedulers, in stepping order. */
    public List<LRScheduler> schedulers() {
        return schedulers;
    }

    @Override
    public void step() {
        for (LRScheduler s : schedulers) {
            s.step();
        }
        refreshLastLr();
    }

    /**
     * Not supported, as PyTorch's {@code ChainedScheduler.step()} takes no epoch.
     *
     * @throws UnsupportedOperationException always
     */
    @Override
    @Deprecated
    public void step(double epoch) {
        throw new UnsupportedOperationException("ChainedScheduler.step() takes no epoch");
    }

    /** The last child's {@link LRScheduler#lastEpoch()}. */
    @Override
    public int lastEpoch() {
        return schedulers.get(schedulers.size() - 1).lastEpoch();
    }

    @Override
    protected double[] getLr() {
        throw new UnsupportedOperationException("ChainedScheduler has no get_lr of its own; its children compute it");
    }

    @Override
    public Map<String, Object> stateDict() {
        Map<String, Object> state = new LinkedHashMap<>();
        state.put("_schedulers", Composites.childStates(schedulers));
        state.put("_last_lr", StateDicts.numbers(getLastLr()));
        return state;
    }

    @Override
    public void loadStateDict(Map<String, Object> state) {
        StateDicts.Reader r = StateDicts.reader("ChainedScheduler", state);
        r.numbers("_last_lr").ifPresent(this::setLastLr);
        r.maps("_schedulers").ifPresent(states -> Composites.loadChildStates("ChainedScheduler", schedulers, states));
    }
}
