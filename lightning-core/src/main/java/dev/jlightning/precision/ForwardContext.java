package dev.jlightning.precision;

/**
 * What a precision plugin holds open while a step's forward runs: closing it restores the state the step started
 * with. Lightning: the context manager {@code Precision.forward_context()} returns.
 */
@FunctionalInterface
public interface ForwardContext extends AutoCloseable {

    /** The context of full precision: nothing to set up or restore, one shared instance for every step. */
    ForwardContext NONE = () -> { };

    /** Restores what entering the context changed; it never fails. */
    @Override
    void close();
}
