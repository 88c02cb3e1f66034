package dev.jlightning.strategy;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

/**
 * Starts the other local ranks of a DDP job by running this program again, and ends the whole job when one of them
 * fails.
 *
 * <p>Counterpart of Lightning's {@code _SubprocessScriptLauncher} and its {@code _ChildProcessObserver}: the command
 * is this JVM's own (java executable, JVM options and system properties, class path, main class and arguments), with
 * {@code MASTER_ADDR}, {@code MASTER_PORT}, {@code WORLD_SIZE}, {@code NODE_RANK} and {@code LOCAL_RANK} added to the
 * environment, so each child runs the same {@code main} up to its own {@code Trainer.fit} and joins the process
 * group there. Standard output and error are shared with this process. When a child exits with an error, the other
 * children are killed and, as Lightning does, this process is ended too after a short grace period in which its
 * {@code fit} fails with a {@link DistributedException} naming the rank. Children watch this process in turn and
 * stop when it disappears, so no rank is left waiting for a collective that will never come.
 */
final class SubprocessLauncher {

    private static final Logger LOG = LogManager.getLogger(SubprocessLauncher.class);
    /** Tells a child which process launched it, so it can stop when that one is gone. */
    static final String PARENT_PID = "JLIGHTNING_LAUNCHER_PID";
    private static final Duration GRACE = Duration.ofSeconds(10);

    private static final Object LOCK = new Object();
    private static SubprocessLauncher active;

    private final List<Process> children = new ArrayList<>();
    private final AtomicReference<String> failure = new AtomicReference<>();
    private volatile boolean jobFailed;
    private volatile boolean aborted;
    private int firstChildRankOffset;

    private SubprocessLauncher() {
    }

    /** The launcher of this JVM's job, if it started children. */
    static Optional<SubprocessLauncher> active() {
        synchronized (LOCK) {
            return Optional.ofNullable(active);
        }
    }

    /** Starts local ranks {@code 1 .. devices-1} once per JVM. */
    static SubprocessLauncher launch(ClusterEnvironment env, int devices, Duration timeout) {
        synchronized (LOCK) {
            if (active != null) {
                return active;
            }
            SubprocessLauncher launcher = new SubprocessLauncher();
            List<String> command = currentCommand();
            for (int localRank = 1; localRank < devices; localRank++) {
                ProcessBuilder pb = new ProcessBuilder(command).inheritIO();
                Map<String, String> childEnv = pb.environment();
                childEnv.put("MASTER_ADDR", env.mainAddress());
                childEnv.put("MASTER_PORT", Integer.toString(env.mainPort()));
                childEnv.put("WORLD_SIZE", Integer.toString(env.worldSize()));
                childEnv.put("NODE_RANK", Integer.toString(env.nodeRank()));
                childEnv.put("LOCAL_RANK", Integer.toString(localRank));
                childEnv.put(PARENT_PID, Long.toString(ProcessHandle.current().pid()));
                try {
                    launcher.children.add(pb.start());
                } catch (java.io.IOException e) {
                    launcher.killChildren();
                    throw new DistributedException("could not start local rank " + localRank + " with " + command
                            + ": " + e.getMessage(), e);
                }
            }
            int nodeOffset = env.nodeRank() * devices;
            launcher.firstChildRankOffset = nodeOffset;
            for (int i = 0; i < launcher.children.size(); i++) {
                int globalRank = nodeOffset + i + 1;
                Process child = launcher.children.get(i);
                child.onExit().thenAccept(p -> launcher.childExited(globalRank, p));
            }
            Runtime.getRuntime().addShutdownHook(new Thread(() -> launcher.awaitChildren(timeout),
                    "jlightning-launcher-shutdown"));
            active = launcher;
            return launcher;
        }
    }

    /** The command line of this JVM: the same java, JVM options, class path, main class and arguments. */
    static List<String> currentCommand() {
        ProcessHandle.Info info = ProcessHandle.current().info();
        if (info.command().isPresent() && info.arguments().isPresent()) {
            List<String> cmd = new ArrayList<>();
            cmd.add(info.command().get());
            cmd.addAll(List.of(info.arguments().get()));
            return cmd;
        }
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        String javaCommand = System.getProperty("sun.java.command", "");
        if (javaCommand.isBlank()) {
            throw new DistributedException("cannot tell how this program was started, so the other ranks cannot be"
                    + " launched; start every rank yourself (torchrun-style variables RANK, LOCAL_RANK, WORLD_SIZE,"
                    + " GROUP_RANK, LOCAL_WORLD_SIZE, MASTER_ADDR, MASTER_PORT)");
        }
        cmd.addAll(List.of(javaCommand.split(" ")));
        return cmd;
    }

    private synchronized void childExited(int rank, Process p) {
        int code = p.exitValue();
        if (code == 0 || failure.get() != null || (jobFailed && failure.get() == null && aborted)) {
            return;
        }
        String how = code > 128 ? " (killed by signal " + (code - 128) + ")" : "";
        String message = "Rank " + rank + " (pid " + p.pid() + ") exited with code " + code + how
                + "; stopping the other ranks of the job";
        failure.compareAndSet(null, message);
        jobFailed = true;
        LOG.error(message);
        killChildren();
        // Lightning's observer kills the main process outright; give its fit a moment to fail with the reason first
        Thread reaper = new Thread(() -> {
            try {
                Thread.sleep(GRACE.toMillis());
            } catch (InterruptedException e) {
                return;
            }
            System.err.println("JLightning: " + message + "; this process (rank 0) did not stop by itself within "
                    + GRACE.toSeconds() + " s and is terminated");
            Runtime.getRuntime().halt(1);
        }, "jlightning-launcher-reaper");
        reaper.setDaemon(true);
        reaper.start();
    }

    /** Waits up to {@code max} for a child that is exiting with an error to be seen as such. */
    void awaitChildFailure(Duration max) {
        long deadline = System.nanoTime() + max.toNanos();
        for (int i = 0; i < children.size() && failure.get() == null; i++) {
            Process c = children.get(i);
            long left = deadline - System.nanoTime();
            try {
                if (left > 0 && c.waitFor(left, TimeUnit.NANOSECONDS) && c.exitValue() != 0) {
                    childExited(i + 1 + firstChildRankOffset, c);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** Why the job failed, when a child ended it. */
    Optional<String> failure() {
        return Optional.ofNullable(failure.get());
    }

    /** Rank 0 failed: the children would wait for it until the collective timeout, so they are stopped now. */
    void abort(String reason) {
        aborted = true;
        if (!jobFailed) {
            jobFailed = true;
            LOG.error("Rank 0 failed ({}); stopping the other ranks of the job", reason);
        }
        killChildren();
    }

    private void killChildren() {
        for (Process c : children) {
            if (c.isAlive()) {
                c.destroyForcibly();
            }
        }
    }

    /** At exit the children may still be finishing the program's last lines; a failed job does not wait. */
    private void awaitChildren(Duration timeout) {
        for (Process c : children) {
            try {
                if (jobFailed || !c.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    c.destroyForcibly();
                }
            } catch (InterruptedException e) {
                c.destroyForcibly();
            }
        }
    }

    /** In a launched child: stop when the launching process is gone, whatever the reason. */
    static void watchParent(Map<String, String> env) {
        String pid = env.get(PARENT_PID);
        if (pid == null) {
            return;
        }
        Optional<ProcessHandle> parent;
        try {
            parent = ProcessHandle.of(Long.parseLong(pid.trim()));
        } catch (NumberFormatException e) {
            return;
        }
        if (parent.isEmpty()) {
            System.err.println("JLightning: the launching process " + pid + " is gone; rank "
                    + env.get("LOCAL_RANK") + " stops");
            Runtime.getRuntime().halt(1);
        }
        parent.get().onExit().thenRun(() -> {
            System.err.println("JLightning: the launching process " + pid + " ended; local rank "
                    + env.get("LOCAL_RANK") + " stops");
            Runtime.getRuntime().halt(1);
        });
    }
}
