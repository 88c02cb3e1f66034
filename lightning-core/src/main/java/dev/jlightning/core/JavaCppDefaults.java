package dev.jlightning.core;

import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * JLightning's default for how JavaCPP frees native memory: deterministically, without its garbage-collector-driven
 * deallocation, so a program runs as fast as it can without JVM flags.
 *
 * <p>By default JavaCPP registers every native object it wraps with a phantom reference so that the garbage collector
 * can free what the program forgets, and before each registration it reads the process's resident memory
 * ({@code Pointer.physicalBytesInaccurate}, checked against {@code maxPhysicalBytes}). A training step creates a few
 * dozen such objects; on a small model that bookkeeping is a quarter of the step. JLightning frees every tensor a step
 * creates with a {@code PointerScope} anyway, so it switches the bookkeeping off by setting the system property
 * {@value #NO_POINTER_GC}{@code =true} (with it off, {@code maxPhysicalBytes} is never consulted). PyTorch has no
 * counterpart: CPython frees a tensor when its last reference goes.
 *
 * <p>What it means for code outside the Trainer's loops: a native object (tensor, module, optimizer) is freed by its
 * {@code close()} or by the {@code PointerScope} it was created in, never by the garbage collector. Data built once
 * and kept for the whole run needs nothing. Code that creates tensors repeatedly outside {@code fit/validate/test/
 * predict} (an inference loop after training, a metric computed in a loop in {@code main}) must open a
 * {@code try (PointerScope scope = new PointerScope())} per iteration, as the Trainer does, or it keeps every
 * iteration's tensors until the process ends. Hooks and callbacks called during a batch run inside that batch's
 * scope; tensors made in epoch-level hooks live until closed. The setting is JVM-wide: other JavaCPP libraries in
 * the program (JavaCV, ...) lose the collector-driven cleanup as well.
 *
 * <p>The property must be set before JavaCPP's {@code Pointer} class initialises, so it is applied when a JLightning
 * entry point is first touched: {@code Trainer} (including {@code Trainer.seedEverything} and
 * {@code Trainer.builder()}), {@code LightningDataModule}, or {@link #apply()} itself, whichever comes first. A value
 * the user set (on the command line or with {@code System.setProperty}) is never replaced: run with
 * {@code -Dorg.bytedeco.javacpp.nopointergc=false} to keep JavaCPP's garbage-collector-driven deallocation. A program
 * whose first statement creates a tensor or a module starts JavaCPP before JLightning; it then runs with JavaCPP's
 * own defaults, and {@code fit} warns once.
 */
public final class JavaCppDefaults {

    /** JavaCPP's switch for garbage-collector-driven deallocation; JLightning's default is {@code true}. */
    public static final String NO_POINTER_GC = "org.bytedeco.javacpp.nopointergc";
    private static final String NO_POINTER_GC_CAMEL = "org.bytedeco.javacpp.noPointerGC";
    /** The name of the thread JavaCPP starts only when garbage-collector-driven deallocation is on. */
    private static final String DEALLOCATOR_THREAD = "JavaCPP Deallocator";

    private static final boolean APPLIED = setIfAbsent();
    private static volatile boolean checked;

    private JavaCppDefaults() {
    }

    /**
     * Applies JLightning's default if the user has set neither spelling of the property. Idempotent and cheap;
     * useful as the first statement of a {@code main} that creates tensors before touching the Trainer.
     *
     * @return whether this JVM runs with JLightning's default (false when the user chose a value)
     */
    public static boolean apply() {
        return APPLIED;
    }

    private static boolean setIfAbsent() {
        if (System.getProperty(NO_POINTER_GC) != null || System.getProperty(NO_POINTER_GC_CAMEL) != null) {
            return false;
        }
        System.setProperty(NO_POINTER_GC, "true");
        return true;
    }

    /**
     * Whether JavaCPP frees native objects from the garbage collector in this JVM, as found from its deallocator
     * thread (JavaCPP exposes no getter).
     */
    public static boolean pointerGcEnabled() {
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (DEALLOCATOR_THREAD.equals(t.getName())) {
                return true;
            }
        }
        return false;
    }

    /**
     * Warns once per JVM when JLightning set its default but JavaCPP had already started with its own, so the user
     * knows why steps are slower and what to do (a performance hint, as Lightning's {@code PossibleUserWarning}s).
     */
    public static void reportIfTooLate() {
        if (checked) {
            return;
        }
        checked = true;
        if (APPLIED && pointerGcEnabled()) {
            Logger log = LogManager.getLogger(JavaCppDefaults.class);
            log.warn("JavaCPP was initialised before JLightning could set {}=true (a tensor or module was created"
                    + " before the first use of Trainer or LightningDataModule), so native objects are also tracked"
                    + " for the garbage collector, which makes each training step of a small model up to a third"
                    + " slower. Call Trainer.seedEverything(...) or JavaCppDefaults.apply() first in main, or pass"
                    + " -D{}=true.", NO_POINTER_GC, NO_POINTER_GC);
        }
    }
}
