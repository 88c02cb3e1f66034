package dev.jlightning.trainer;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The undo log of a checkpoint restore: before each stateful part (scheduler, callback, results collection) takes its
 * saved state, its current state is copied here, and a failure anywhere later puts every part back, newest first.
 *
 * <p>Lightning restores part by part and leaves a half-restored trainer when one part refuses its state; JLightning
 * promises that a refused checkpoint changes nothing. Parts whose state lives in Java are restored under this log;
 * native state (weights, optimizer buffers) is applied only after every such part has accepted its state.
 */
final class RestoreUndo {

    private final Deque<Runnable> undo = new ArrayDeque<>();

    /**
     * Remembers {@code current}'s state (deep-copied, since a state dict may share live collections) and then
     * applies {@code load}; if {@code load} throws, the part is put back at once.
     */
    void apply(Supplier<? extends Map<String, ?>> current, Consumer<Map<String, Object>> restore, Runnable load) {
        Map<String, Object> before = copy(current.get());
        Runnable back = () -> restore.accept(copy(before));
        undo.push(back);
        load.run();
    }

    /** Registers an arbitrary undo step, for parts that are not state dicts. */
    void onUndo(Runnable back) {
        undo.push(back);
    }

    /** Puts every part back, newest first; failures of the undo steps are attached to {@code cause}. */
    void rollback(Throwable cause) {
        while (!undo.isEmpty()) {
            try {
                undo.pop().run();
            } catch (RuntimeException e) {
                cause.addSuppressed(e);
            }
        }
    }

    /** Forgets the log after a successful restore. */
    void commit() {
        undo.clear();
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> copy(Map<String, ?> state) {
        return (Map<String, Object>) deepCopy(state);
    }

    private static Object deepCopy(Object value) {
        if (value instanceof Map<?, ?> m) {
            Map<Object, Object> out = new LinkedHashMap<>();
            m.forEach((k, v) -> out.put(k, deepCopy(v)));
            return out;
        }
        if (value instanceof List<?> l) {
            List<Object> out = new ArrayList<>(l.size());
            for (Object v : l) {
                out.add(deepCopy(v));
            }
            return out;
        }
        return value;
    }
}
