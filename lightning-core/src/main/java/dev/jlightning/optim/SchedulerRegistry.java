package dev.jlightning.optim;

import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The scheduler names {@link LRSchedulers} knows, each with its {@link SchedulerFactory}. A family of names
 * (PyTorch's, PaddlePaddle's) fills it through one {@code registerAll(SchedulerRegistry)} method; a name can be
 * registered once.
 */
public final class SchedulerRegistry {
    private final Map<String, SchedulerFactory> factories = new TreeMap<>();

    SchedulerRegistry() {
    }

    /**
     * Registers {@code factory} under the class name {@code name}.
     *
     * @throws IllegalStateException if the name is taken
     */
    public SchedulerRegistry add(String name, SchedulerFactory factory) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(factory, "factory");
        if (factories.putIfAbsent(name, factory) != null) {
            throw new IllegalStateException("scheduler name '" + name + "' is registered twice");
        }
        return this;
    }

    Optional<SchedulerFactory> get(String name) {
        return Optional.ofNullable(factories.get(name));
    }

    Map<String, SchedulerFactory> asMap() {
        return Collections.unmodifiableMap(factories);
    }
}
