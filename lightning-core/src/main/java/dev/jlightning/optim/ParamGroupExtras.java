package dev.jlightning.optim;

import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.pytorch.Optimizer;

/**
 * The per-group entries PyTorch keeps in {@code optimizer.param_groups} that LibTorch's C++ options have no slot
 * for: {@code initial_lr}, OneCycleLR's and CyclicLR's {@code max_lr}/{@code min_lr}/{@code max_momentum}/
 * {@code base_momentum}, and Lightning's group {@code name}.
 *
 * <p>One registry for the whole JVM, keyed by the identity of the Java optimizer object and holding it weakly.
 * Identity rather than the native address: JavaCPP's {@code Pointer.equals} compares addresses, and an address is
 * reused once an optimizer is freed, so a new optimizer would silently inherit a dead one's {@code initial_lr}. The
 * Java object cannot be reused while anyone holds it, and once it is collected its entry goes with it. The price is
 * that two Java wrappers of one native optimizer do not share entries; JLightning only ever hands out the wrapper
 * the user built.
 */
final class ParamGroupExtras {
    private static final ReferenceQueue<Optimizer> QUEUE = new ReferenceQueue<>();
    private static final Map<IdentityKey, ParamGroupExtras> REGISTRY = new HashMap<>();

    private final List<Map<String, Object>> groups = new ArrayList<>();

    private ParamGroupExtras() {
    }

    static ParamGroupExtras of(Optimizer optimizer) {
        synchronized (REGISTRY) {
            expungeCollected();
            return REGISTRY.computeIfAbsent(new IdentityKey(optimizer, QUEUE), k -> new ParamGroupExtras());
        }
    }

    synchronized Object get(int group, String key) {
        return group < groups.size() ? groups.get(group).get(key) : null;
    }

    synchronized void put(int group, String key, Object value) {
        while (groups.size() <= group) {
            groups.add(new LinkedHashMap<>());
        }
        groups.get(group).put(key, value);
    }

    synchronized void remove(int group, String key) {
        if (group < groups.size()) {
            groups.get(group).remove(key);
        }
    }

    /** A deep copy, group by group. */
    synchronized List<Map<String, Object>> snapshot() {
        List<Map<String, Object>> copy = new ArrayList<>(groups.size());
        for (Map<String, Object> g : groups) {
            copy.add(new LinkedHashMap<>(g));
        }
        return copy;
    }

    synchronized void replaceAll(List<Map<String, Object>> newGroups) {
        groups.clear();
        for (Map<String, Object> g : newGroups) {
            groups.add(new LinkedHashMap<>(g));
        }
    }

    private static void expungeCollected() {
        for (Object ref; (ref = QUEUE.poll()) != null; ) {
            REGISTRY.remove(ref);
        }
    }

    /** A weak reference whose equality is the identity of its referent (stale keys only equal themselves). */
    private static final class IdentityKey extends WeakReference<Optimizer> {
        private final int hash;

        IdentityKey(Optimizer referent, ReferenceQueue<Optimizer> queue) {
            super(referent, queue);
            this.hash = System.identityHashCode(referent);
        }

        @Override
        public int hashCode() {
            return hash;
        }

        @Override
        public boolean equals(Object other) {
            if (this == other) {
                return true;
            }
            if (!(other instanceof IdentityKey)) {
                return false;
            }
            Object mine = get();
            return mine != null && mine == ((IdentityKey) other).get();
        }
    }
}
