package dev.jlightning.trainer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jlightning.logging.CSVLogger;
import dev.jlightning.optim.Interval;
import dev.jlightning.optim.LRSchedulerConfig;
import dev.jlightning.optim.OneCycleLR;
import dev.jlightning.optim.Optimizers;
import dev.jlightning.optim.ReduceLROnPlateau;
import dev.jlightning.optim.StepLR;
import dev.jlightning.testing.ResumableNet;
import dev.jlightning.testing.ResumeHarness;
import dev.jlightning.testing.ResumeHarness.Recorder;
import dev.jlightning.testing.ResumeHarness.Saver;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.BiPredicate;
import java.util.function.Function;
import org.bytedeco.pytorch.AdamW;
import org.bytedeco.pytorch.SGD;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A fit resumed from a checkpoint equals the uninterrupted fit bit for bit: every later step's loss, lr and momentum,
 * the final weights and the metrics.csv rows, for end-of-epoch and mid-epoch checkpoints, with SGD + momentum and
 * StepLR per epoch, AdamW and OneCycleLR per step, and ReduceLROnPlateau (whose step at the checkpointed epoch's end
 * Lightning loses on resume, and JLightning does not).
 */
class ExactResumeTest {

    private static final int EPOCHS = 4;
    private static final int BATCHES = 9;

    @TempDir
    Path dir;

    static Object sgdStepLr(ResumableNet m) {
        SGD sgd = Optimizers.sgd(0.1).momentum(0.9).params(m.parameters()).build();
        return Map.of("optimizer", sgd, "lr_scheduler", new StepLR(sgd, 1, 0.5));
    }

    static Object adamWOneCycle(ResumableNet m) {
        AdamW adamw = Optimizers.adamW(0.01).params(m.parameters()).build();
        OneCycleLR sched = OneCycleLR.builder(adamw).maxLr(0.05).totalSteps(EPOCHS * BATCHES).build();
        return Map.of("optimizer", adamw, "lr_scheduler",
                LRSchedulerConfig.builder(sched).interval(Interval.STEP).build());
    }

    static Object sgdPlateau(ResumableNet m) {
        SGD sgd = Optimizers.sgd(0.05).momentum(0.5).params(m.parameters()).build();
        ReduceLROnPlateau rop = ReduceLROnPlateau.builder(sgd).patience(0).factor(0.5).threshold(0.5).build();
        return Map.of("optimizer", sgd, "lr_scheduler", Map.of("scheduler", rop, "monitor", "val_loss"));
    }

    @Test
    void sgdMomentumStepLrResumesBitIdenticallyFromEpochEnd() {
        assertResumeIsExact(ExactResumeTest::sgdStepLr, "epoch_end", (e, s) -> e == 1);
    }

    @Test
    void sgdMomentumStepLrResumesBitIdenticallyFromMidEpoch() {
        assertResumeIsExact(ExactResumeTest::sgdStepLr, "batch_end", (e, s) -> s == 13);
    }

    @Test
    void adamWOneCycleResumesBitIdenticallyFromEpochEnd() {
        assertResumeIsExact(ExactResumeTest::adamWOneCycle, "epoch_end", (e, s) -> e == 2);
    }

    @Test
    void adamWOneCycleResumesBitIdenticallyFromMidEpoch() {
        assertResumeIsExact(ExactResumeTest::adamWOneCycle, "batch_end", (e, s) -> s == 22);
    }

    @Test
    void plateauStepOfTheCheckpointedEpochIsNotLostOnResume() {
        List<String> trace = assertResumeIsExact(ExactResumeTest::sgdPlateau, "epoch_end", (e, s) -> e == 1);
        // the plateau scheduler reduced the lr at least once after the checkpointed epoch's end
        assertTrue(trace.stream().anyMatch(l -> l.contains("lr0=0.025")), String.join("\n", trace));
    }

    @Test
    void plateauResumesBitIdenticallyFromMidEpoch() {
        assertResumeIsExact(ExactResumeTest::sgdPlateau, "batch_end", (e, s) -> s == 12);
    }

    static Object sgdStepPlateauOnTrainLoss(ResumableNet m) {
        SGD sgd = Optimizers.sgd(0.05).momentum(0.5).params(m.parameters()).build();
        ReduceLROnPlateau rop = ReduceLROnPlateau.builder(sgd).patience(1).factor(0.7).build();
        return Map.of("optimizer", sgd, "lr_scheduler", Map.of("scheduler", rop, "monitor", "train_loss",
                "interval", "step"));
    }

    @Test
    void midEpochValidationEndCheckpointResumesWithTheStepPlateauSchedulerAfterIt() {
        assertResumeIsExact(ExactResumeTest::sgdStepPlateauOnTrainLoss, "validation_end", (e, s) -> s == 15,
                b -> b.valCheckInterval(3));
    }

    @Test
    void checkpointTakenAtBatchStartResumesThatBatchWithValidationCountedAcrossEpochs() {
        assertResumeIsExact(ExactResumeTest::sgdStepLr, "batch_start", (e, s) -> s == 11,
                b -> b.checkValAcrossEpochs().valCheckInterval(4));
    }

    private List<String> assertResumeIsExact(Function<ResumableNet, Object> optimizers, String hook,
            BiPredicate<Integer, Long> when) {
        return assertResumeIsExact(optimizers, hook, when, b -> b);
    }

    /** @return the uninterrupted run's trace */
    private List<String> assertResumeIsExact(Function<ResumableNet, Object> optimizers, String hook,
            BiPredicate<Integer, Long> when, java.util.function.UnaryOperator<TrainerConfig.Builder> options) {
        Path ckpt = dir.resolve("resume.ckpt");
        Path csvA = dir.resolve("a/lightning_logs/version_0/metrics.csv");
        Path csvB = dir.resolve("b/lightning_logs/version_0/metrics.csv");

        Trainer.seedEverything(42);
        ResumableNet a = new ResumableNet(4, 16, optimizers);
        Recorder recA = new Recorder();
        Saver saver = new Saver(ckpt, hook, when, recA, csvA);
        Trainer ta = options.apply(Trainer.builder()).maxEpochs(EPOCHS).logEveryNSteps(1).numSanityValSteps(0)
                .logger(CSVLogger.builder(dir.resolve("a")).version(0).build()).callbacks(recA, saver).build();
        ta.fit(a, ResumeHarness.train(), ResumeHarness.val());
        assertTrue(saver.traceSizeAtSave > 0, "the checkpoint was saved");

        // another seed: nothing but the checkpoint can make run B equal run A
        Trainer.seedEverything(7);
        ResumableNet b = new ResumableNet(4, 16, optimizers);
        Recorder recB = new Recorder();
        Trainer tb = options.apply(Trainer.builder()).maxEpochs(EPOCHS).logEveryNSteps(1).numSanityValSteps(0)
                .logger(CSVLogger.builder(dir.resolve("b")).version(0).build()).callbacks(recB).build();
        tb.fit(b, ResumeHarness.train(), ResumeHarness.val(), ckpt.toString());

        List<String> expected = recA.trace.subList(saver.traceSizeAtSave, recA.trace.size());
        assertFalse(expected.isEmpty());
        assertEquals(String.join("\n", expected), String.join("\n", recB.trace));
        assertArrayEquals(a.weights(), b.weights());
        assertEquals(ta.globalStep(), tb.globalStep());
        assertEquals(ta.callbackMetrics(), tb.callbackMetrics());
        List<Map<String, String>> rowsA = ResumeHarness.csvRows(csvA);
        assertEquals(rowsA.subList(saver.csvRowsAtSave, rowsA.size()), ResumeHarness.csvRows(csvB));
        assertEquals(ckpt.toAbsolutePath().normalize(), tb.ckptPath().orElseThrow());
        torch.manual_seed(0);
        return recA.trace;
    }
}
