package dev.jlightning.callbacks;

import dev.jlightning.callbacks.progress.BarState;
import dev.jlightning.callbacks.progress.LineRenderer;
import dev.jlightning.callbacks.progress.ProgressRenderer;
import dev.jlightning.callbacks.progress.TerminalRenderer;
import dev.jlightning.callbacks.progress.Ticker;
import dev.jlightning.callbacks.progress.TqdmFormat;
import dev.jlightning.core.Callback;
import dev.jlightning.core.LightningModule;
import dev.jlightning.core.MisconfigurationException;
import dev.jlightning.data.Batch;
import dev.jlightning.logging.Logger;
import dev.jlightning.trainer.Trainer;
import java.io.Console;
import java.io.PrintStream;
import java.lang.reflect.Method;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.bytedeco.pytorch.Tensor;

/**
 * Shows training progress: a bar per training epoch and one per validation, test or prediction run, each with
 * batches done, batches per second, elapsed time and ETA, and, on the training bar, the logger version
 * ({@code v_num}), the running loss and every metric logged with {@code prog_bar}.
 *
 * <p>Counterpart of Lightning's {@code TQDMProgressBar}, with tqdm's formats ({@link TqdmFormat}): descriptions
 * {@code Epoch N}, {@code Sanity Checking DataLoader 0}, {@code Validation DataLoader 0}, {@code Testing DataLoader 0},
 * {@code Predicting DataLoader 0}; a refresh every {@code refreshRate} batches and at a bar's last batch; one
 * training bar reused across epochs unless {@code leave}. Two differences: the rate is the average since the bar
 * started (tqdm smooths it), and a running {@code loss} (the mean of the last 20 training losses, as Lightning 1.x
 * showed) comes first unless {@code showLoss(false)}.
 *
 * <p>Where the output is not an interactive terminal (CI logs, files, test runs) nothing is redrawn: each training
 * epoch prints one plain line when it is over, with the metrics of its end (validation included), and a standalone
 * validate, test or predict run prints one line at its end; sanity checks and validation inside fit print nothing of
 * their own. A Trainer adds a {@code ProgressBar} unless {@code enableProgressBar(false)} or one is among its
 * callbacks; {@code refreshRate(0)} or {@link #disable()} turns it off.
 */
public final class ProgressBar implements Callback {

    private static final int LOSS_WINDOW = 20;

    private final int refreshRate;
    private final boolean leave;
    private final boolean showLoss;
    private final Ticker ticker;
    private final ProgressRenderer renderer;
    private boolean silenced;
    private static final ProgressRenderer SILENT = new ProgressRenderer() {
        @Override
        public void draw(dev.jlightning.callbacks.progress.BarState state) {
        }

        @Override
        public void done(dev.jlightning.callbacks.progress.BarState state) {
        }

        @Override
        public void discard() {
        }
    };
    private final boolean terminal;
    private boolean enabled = true;

    private String trainDescription = "";
    private long trainStart;
    private long trainN;
    private int trainTotal;
    private boolean trainActive;
    private Optional<BarState> finishedEpoch = Optional.empty();
    private final Deque<Double> losses = new ArrayDeque<>();

    private String evalDescription = "";
    private long evalStart;
    private long evalN;
    private OptionalLong evalTotal = OptionalLong.empty();

    /** Lightning's defaults: refresh every batch, one reused training bar, output to {@code System.out}. */
    public ProgressBar() {
        this(builder());
    }

    private ProgressBar(Builder b) {
        this.refreshRate = b.refreshRate;
        this.leave = b.leave;
        this.showLoss = b.showLoss;
        this.ticker = b.ticker;
        this.terminal = b.terminal.orElseGet(ProgressBar::interactiveTerminal);
        this.renderer = b.renderer.orElseGet(() -> terminal ? new TerminalRenderer(b.out) : new LineRenderer(b.out));
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Whether stdout is an interactive terminal: a console exists (and, from JDK 22, is a terminal). */
    static boolean interactiveTerminal() {
        Console console = System.console();
        if (console == null) {
            return false;
        }
        try {
            Method isTerminal = Console.class.getMethod("isTerminal");
            return (Boolean) isTerminal.invoke(console);
        } catch (ReflectiveOperationException e) {
            return true;
        }
    }

    // ---------------------------------------------------------------- switches (Lightning's ProgressBar API)

    /** Stops drawing, e.g. while a tuner trains. Lightning: {@code disable()}. */
    public void disable() {
        enabled = false;
    }

    /** Draws again. Lightning: {@code enable()}. */
    public void enable() {
        enabled = true;
    }

    /** Whether anything is drawn: enabled and a positive refresh rate. */
    public boolean isEnabled() {
        return enabled && refreshRate > 0;
    }

    public int refreshRate() {
        return refreshRate;
    }

    /** Whether the bars redraw in place (an interactive terminal) rather than print a line each when done. */
    public boolean isTerminal() {
        return terminal;
    }

    // ---------------------------------------------------------------- training

    /** Lightning draws progress on global rank 0 only; the other ranks of a DDP job stay silent. */
    @Override
    public void setup(Trainer trainer, LightningModule module, String stage) {
        silenced = !trainer.isGlobalZero();
    }

    private ProgressRenderer renderer() {
        return silenced ? SILENT : renderer;
    }

    @Override
    public void onTrainStart(Trainer trainer, LightningModule module) {
        losses.clear();
        finishedEpoch = Optional.empty();
    }

    @Override
    public void onTrainEpochStart(Trainer trainer, LightningModule module) {
        if (!isEnabled()) {
            return;
        }
        printFinishedEpoch(trainer, leave || !terminal);
        trainDescription = "Epoch " + trainer.currentEpoch();
        trainStart = ticker.nanoTime();
        trainN = 0;
        trainTotal = trainer.numTrainingBatches();
        trainActive = true;
        renderer().draw(trainState(trainer, seconds(trainStart)));
    }

    @Override
    public void onTrainBatchEnd(Trainer trainer, LightningModule module, Optional<Tensor> loss, Batch batch,
            int batchIdx) {
        if (showLoss && loss.isPresent() && !loss.get().isNull()) {
            losses.addLast((double) (float) loss.get().item_double());
            if (losses.size() > LOSS_WINDOW) {
                losses.removeFirst();
            }
        }
        if (!isEnabled()) {
            return;
        }
        trainN = batchIdx + 1L;
        if (due(trainN, trainTotal)) {
            renderer().draw(trainState(trainer, seconds(trainStart)));
        }
    }

    @Override
    public void onTrainEpochEnd(Trainer trainer, LightningModule module) {
        if (!isEnabled() || !trainActive) {
            return;
        }
        BarState finished = trainState(trainer, seconds(trainStart));
        finishedEpoch = Optional.of(finished);
        trainActive = false;
        renderer().draw(finished);
    }

    @Override
    public void onTrainEnd(Trainer trainer, LightningModule module) {
        if (isEnabled()) {
            printFinishedEpoch(trainer, true);
        }
    }

    @Override
    public void onException(Trainer trainer, LightningModule module, Throwable exception) {
        if (!isEnabled()) {
            return;
        }
        renderer().discard();
        if (trainActive) {
            finishedEpoch = Optional.of(trainState(trainer, seconds(trainStart)));
            trainActive = false;
        }
        printFinishedEpoch(trainer, true);
    }

    /**
     * Prints the epoch that ended, with the metrics known now (its validation and epoch-end logging included), or,
     * when it is to be overwritten by the next epoch's bar, leaves it drawn.
     */
    private void printFinishedEpoch(Trainer trainer, boolean keep) {
        if (finishedEpoch.isEmpty()) {
            return;
        }
        BarState last = finishedEpoch.get();
        BarState withMetrics = new BarState(last.description(), last.n(), last.total(), last.elapsedSeconds(),
                trainPostfix(trainer));
        if (keep) {
            renderer().done(withMetrics);
        }
        finishedEpoch = Optional.empty();
    }

    // ---------------------------------------------------------------- validation, test, predict

    @Override
    public void onValidationStart(Trainer trainer, LightningModule module) {
        if (!isEnabled()) {
            return;
        }
        if (trainer.sanityChecking()) {
            int n = trainer.config().numSanityValSteps();
            startEval("Sanity Checking DataLoader 0",
                    OptionalLong.of(n < 0 ? trainer.numValBatches() : Math.min(n, trainer.numValBatches())));
        } else {
            startEval("Validation DataLoader 0", OptionalLong.of(trainer.numValBatches()));
        }
    }

    @Override
    public void onValidationBatchEnd(Trainer trainer, LightningModule module, Batch batch, int batchIdx) {
        evalBatch(batchIdx);
    }

    @Override
    public void onValidationEnd(Trainer trainer, LightningModule module) {
        if (!isEnabled()) {
            return;
        }
        if ("fit".equals(trainer.stage())) {
            renderer().discard();
            // the training bar comes back with the validation metrics
            if (finishedEpoch.isPresent()) {
                BarState f = finishedEpoch.get();
                renderer().draw(new BarState(f.description(), f.n(), f.total(), f.elapsedSeconds(),
                        trainPostfix(trainer)));
            } else if (trainActive) {
                renderer().draw(trainState(trainer, seconds(trainStart)));
            }
        } else {
            renderer().done(evalState());
        }
    }

    @Override
    public void onTestStart(Trainer trainer, LightningModule module) {
        if (isEnabled()) {
            startEval("Testing DataLoader 0", OptionalLong.of(trainer.numTestBatches()));
        }
    }

    @Override
    public void onTestBatchEnd(Trainer trainer, LightningModule module, Batch batch, int batchIdx) {
        evalBatch(batchIdx);
    }

    @Override
    public void onTestEnd(Trainer trainer, LightningModule module) {
        if (isEnabled()) {
            renderer().done(evalState());
        }
    }

    @Override
    public void onPredictStart(Trainer trainer, LightningModule module) {
        if (isEnabled()) {
            startEval("Predicting DataLoader 0", OptionalLong.empty());
        }
    }

    @Override
    public void onPredictBatchEnd(Trainer trainer, LightningModule module, Tensor prediction, Batch batch,
            int batchIdx) {
        evalBatch(batchIdx);
    }

    @Override
    public void onPredictEnd(Trainer trainer, LightningModule module) {
        if (isEnabled()) {
            renderer().done(evalState());
        }
    }

    private void startEval(String description, OptionalLong total) {
        evalDescription = description;
        evalStart = ticker.nanoTime();
        evalN = 0;
        evalTotal = total;
        renderer().draw(evalState());
    }

    private void evalBatch(int batchIdx) {
        if (!isEnabled()) {
            return;
        }
        evalN = batchIdx + 1L;
        if (due(evalN, evalTotal.orElse(-1))) {
            renderer().draw(evalState());
        }
    }

    private BarState evalState() {
        return new BarState(evalDescription, evalN, evalTotal, seconds(evalStart), Map.of());
    }

    // ---------------------------------------------------------------- values

    /** Lightning's {@code _should_update}: every {@code refreshRate} batches and at the last one. */
    private boolean due(long n, long total) {
        return n % refreshRate == 0 || n == total;
    }

    private double seconds(long since) {
        return (ticker.nanoTime() - since) / 1e9;
    }

    private BarState trainState(Trainer trainer, double elapsed) {
        return new BarState(trainDescription, trainN, OptionalLong.of(trainTotal), elapsed, trainPostfix(trainer));
    }

    /**
     * Lightning's {@code get_metrics}: {@code v_num} (the logger version; the last 4 characters of a text version),
     * then the running loss, then the {@code prog_bar} metrics.
     */
    private Map<String, String> trainPostfix(Trainer trainer) {
        Map<String, String> out = new LinkedHashMap<>();
        trainer.logger().map(Logger::version).ifPresent(v -> out.put("v_num", versionNumber(v)));
        if (showLoss && !losses.isEmpty()) {
            double sum = 0;
            for (double l : losses) {
                sum += l;
            }
            out.put("loss", TqdmFormat.num((double) (float) (sum / losses.size())));
        }
        trainer.progressBarMetrics().forEach((k, v) -> out.put(k, TqdmFormat.num(v)));
        return out;
    }

    private static String versionNumber(String version) {
        if (!version.isEmpty() && version.chars().allMatch(Character::isDigit)) {
            return TqdmFormat.num(Long.parseLong(version));
        }
        return version.length() > 4 ? version.substring(version.length() - 4) : version;
    }

    /** Builder with Lightning's option names plus the output, terminal and clock seams. */
    public static final class Builder {
        private int refreshRate = 1;
        private boolean leave;
        private boolean showLoss = true;
        private Ticker ticker = Ticker.system();
        private PrintStream out = System.out;
        private Optional<Boolean> terminal = Optional.empty();
        private Optional<ProgressRenderer> renderer = Optional.empty();

        private Builder() {
        }

        /** Redraw every this many batches (default 1); 0 disables the bar. */
        public Builder refreshRate(int refreshRate) {
            if (refreshRate < 0) {
                throw new MisconfigurationException("ProgressBar `refresh_rate` must be >= 0, got " + refreshRate);
            }
            this.refreshRate = refreshRate;
            return this;
        }

        /** Keep each epoch's finished bar on screen instead of reusing one line (default false). */
        public Builder leave(boolean leave) {
            this.leave = leave;
            return this;
        }

        /** Show the running mean of the last 20 training losses as {@code loss} (default true). */
        public Builder showLoss(boolean showLoss) {
            this.showLoss = showLoss;
            return this;
        }

        /** The clock for elapsed times and rates (default {@link System#nanoTime()}). */
        public Builder ticker(Ticker ticker) {
            this.ticker = java.util.Objects.requireNonNull(ticker, "ticker");
            return this;
        }

        /** Where the bars go (default {@code System.out}). */
        public Builder output(PrintStream out) {
            this.out = java.util.Objects.requireNonNull(out, "out");
            return this;
        }

        /**
         * Redraw in place ({@code true}) or print one line per finished bar ({@code false}). Default: whether
         * {@code System.console()} is an interactive terminal.
         */
        public Builder terminal(boolean terminal) {
            this.terminal = Optional.of(terminal);
            return this;
        }

        /** Draw with this renderer instead of the terminal or line one. */
        public Builder renderer(ProgressRenderer renderer) {
            this.renderer = Optional.of(java.util.Objects.requireNonNull(renderer, "renderer"));
            return this;
        }

        public ProgressBar build() {
            return new ProgressBar(this);
        }
    }
}
