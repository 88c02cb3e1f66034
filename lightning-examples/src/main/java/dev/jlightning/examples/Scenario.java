package dev.jlightning.examples;

/**
 * One runnable example: a name for the launcher, a line of description, and a main body.
 */
public interface Scenario {

    /** The name given to the launcher, e.g. {@code linear-regression}. */
    String name();

    /** One line shown by {@code list}. */
    String description();

    /** Runs the scenario; {@code args} are the launcher arguments after the name. */
    void run(String[] args) throws Exception;
}
