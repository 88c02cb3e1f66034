package dev.jlightning.optim;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.bytedeco.pytorch.Optimizer;

/** What SequentialLR and ChainedScheduler share: the checks on their children and the children's state dicts. */
final class Composites {
    private Composites() {
    }

    static void checkChildren(String owner, Optimizer optimizer, List<? extends LRScheduler> schedulers) {
        if (schedulers.isEmpty()) {
            throw Checks.invalid(owner, "schedulers", "[]",
                    owner + " expects at least one scheduler, but got no scheduler.");
        }
        for (int i = 0; i < schedulers.size(); i++) {
            LRScheduler s = schedulers.get(i);
            if (s == null) {
                throw Checks.invalid(owner, "schedulers[" + i + "]", "null", "expected a scheduler");
            }
            if (s instanceof ReduceLROnPlateau) {
                throw Checks.invalid(owner, "schedulers[" + i + "]", "ReduceLROnPlateau", owner + " does not support"
                        + " `ReduceLROnPlateau` scheduler as it requires additional kwargs to be specified when"
                        + " calling `step`, but got one at index " + i + " in the given schedulers sequence.");
            }
            if (s.optimizer() != optimizer) {
                throw Checks.invalid(owner, "schedulers[" + i + "]", s.getClass().getSimpleName(), owner
                        + " expects all schedulers to belong to the same optimizer, but got scheduler "
                        + s.getClass().getSimpleName() + " at index " + i + " attached to another optimizer");
            }
        }
    }

    static List<Object> childStates(List<LRScheduler> schedulers) {
        List<Object> states = new ArrayList<>(schedulers.size());
        for (LRScheduler s : schedulers) {
            states.add(s.stateDict());
        }
        return states;
    }

    static void loadChildStates(String owner, List<LRScheduler> schedulers, List<Map<String, Object>> states) {
        if (states.size() != schedulers.size()) {
            throw new IllegalArgumentException(owner + " state dict: '_schedulers' has " + states.size()
                    + " entries, but this " + owner + " wraps " + schedulers.size() + " schedulers");
        }
        for (int i = 0; i < states.size(); i++) {
            schedulers.get(i).loadStateDict(states.get(i));
        }
    }
}
