package dev.jlightning.callbacks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jlightning.callbacks.progress.BarState;
import dev.jlightning.callbacks.progress.Ticker;
import dev.jlightning.callbacks.progress.TqdmFormat;
import dev.jlightning.core.Callback;
import dev.jlightning.core.LightningModule;
import dev.jlightning.core.LogOptions;
import dev.jlightning.core.MisconfigurationException;
import dev.jlightning.data.Batch;
import dev.jlightning.logging.CSVLogger;
import dev.jlightning.testing.BoringModel;
import dev.jlightning.trainer.Trainer;
import dev.jlightning.trainer.TrainerConfig;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the progress bar prints, with a hand-driven clock: plain lines for logs, in-place redraws for terminals. */
class ProgressBarTest {

    @TempDir
    Path dir;

    /** A clock that moves only when told. */
    static final class ManualTicker implements Ticker {
        long now;

        void advance(double seconds) {
            now += (long) (seconds * 1e9);
        }

        @Override
        public long nanoTime() {
            return now;
        }
    }

    /** Every training batch takes half a second. */
    static Callback halfSecondPerBatch(ManualTicker ticker) {
        return new Callback() {
            @Override
            public void onTrainBatchEnd(Trainer t, LightningModule m, Optional<Tensor> loss, Batch b, int i) {
                ticker.advance(0.5);
            }
        };
    }

    /** Constant loss 0.125 and constant prog_bar metrics, so every printed number is known. */
    static class Constant extends BoringModel {
        @Override
        public Tensor trainingStep(Batch batch, int batchIdx) {
            log("a", 1.5, LogOptions.progBar());
            log("hidden", 9.0);
            return layer.weight().sum().mul(new Scalar(0.0)).add(new Scalar(0.125));
        }

        @Override
        public void validationStep(Batch batch, int batchIdx) {
            log("val_acc", 0.25, LogOptions.progBar());
        }

        @Override
        public void testStep(Batch batch, int batchIdx) {
            log("test_acc", 0.5);
        }
    }

    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);

    private String output() {
        return bytes.toString(StandardCharsets.UTF_8);
    }

    private TrainerConfig.Builder trainer(ManualTicker ticker, ProgressBar bar) {
        return Trainer.builder().defaultRootDir(dir).logger(CSVLogger.builder(dir).version(0).build())
                .enableModelSummary(false).maxEpochs(2).callbacks(halfSecondPerBatch(ticker), bar);
    }

    @Test
    void withoutATerminalEachEpochIsOnePlainLineWithItsValidationMetrics() {
        ManualTicker ticker = new ManualTicker();
        ProgressBar bar = ProgressBar.builder().terminal(false).output(out).ticker(ticker).build();
        trainer(ticker, bar).build().fit(new Constant(), BoringModel.data(4), BoringModel.data(2));
        assertEquals("Epoch 0: 100% 4/4 [00:02<00:00,  2.00it/s, v_num=0, loss=0.125, a=1.500, val_acc=0.250]\n"
                + "Epoch 1: 100% 4/4 [00:02<00:00,  2.00it/s, v_num=0, loss=0.125, a=1.500, val_acc=0.250]\n",
                output());
    }

    @Test
    void aStandaloneTestRunPrintsOneLine() {
        ManualTicker ticker = new ManualTicker();
        ProgressBar bar = ProgressBar.builder().terminal(false).output(out).ticker(ticker).build();
        Trainer t = Trainer.builder().defaultRootDir(dir).logger(false).enableModelSummary(false).callbacks(bar)
                .build();
        t.test(new Constant(), BoringModel.data(3));
        assertEquals("Testing DataLoader 0: 100% 3/3 [00:00<?, ?it/s]\n", output());
    }

    @Test
    void inATerminalTheBarIsRedrawnInPlaceAndTheLastEpochStays() {
        ManualTicker ticker = new ManualTicker();
        ProgressBar bar = ProgressBar.builder().terminal(true).refreshRate(2).output(out).ticker(ticker).build();
        trainer(ticker, bar).build().fit(new Constant(), BoringModel.data(4), BoringModel.data(2));
        String raw = output();
        assertTrue(raw.contains("\rEpoch 0:  50%|\u2588\u2588\u2588\u2588\u2588     | 2/4 [00:01<00:01,  2.00it/s,"
                + " v_num=0, loss=0.125, a=1.500]"), raw);
        assertTrue(raw.contains("\rSanity Checking DataLoader 0:   0%|          | 0/2 [00:00<?, ?it/s]"), raw);
        assertTrue(raw.contains("\rValidation DataLoader 0: 100%|\u2588\u2588\u2588\u2588\u2588\u2588\u2588\u2588"
                + "\u2588\u2588| 2/2 [00:00<?, ?it/s]"), raw);
        assertEquals(List.of("Epoch 1: 100%|\u2588\u2588\u2588\u2588\u2588\u2588\u2588\u2588\u2588\u2588| 4/4"
                + " [00:02<00:00,  2.00it/s, v_num=0, loss=0.125, a=1.500, val_acc=0.250]"), screen(raw));
    }

    @Test
    void leaveKeepsEveryEpochOnScreen() {
        ManualTicker ticker = new ManualTicker();
        ProgressBar bar = ProgressBar.builder().terminal(true).leave(true).showLoss(false).output(out)
                .ticker(ticker).build();
        trainer(ticker, bar).build().fit(new Constant(), BoringModel.data(4), BoringModel.data(2));
        String full = "\u2588".repeat(10);
        assertEquals(List.of(
                "Epoch 0: 100%|" + full + "| 4/4 [00:02<00:00,  2.00it/s, v_num=0, a=1.500, val_acc=0.250]",
                "Epoch 1: 100%|" + full + "| 4/4 [00:02<00:00,  2.00it/s, v_num=0, a=1.500, val_acc=0.250]"),
                screen(output()));
    }

    @Test
    void disabledBarsPrintNothing() {
        ManualTicker ticker = new ManualTicker();
        ProgressBar off = ProgressBar.builder().refreshRate(0).terminal(false).output(out).ticker(ticker).build();
        trainer(ticker, off).build().fit(new Constant(), BoringModel.data(4), BoringModel.data(2));
        ProgressBar disabled = ProgressBar.builder().terminal(true).output(out).ticker(ticker).build();
        disabled.disable();
        trainer(ticker, disabled).build().fit(new Constant(), BoringModel.data(4), BoringModel.data(2));
        assertEquals("", output());
        assertFalse(off.isEnabled());
        disabled.enable();
        assertTrue(disabled.isEnabled());
    }

    /** What a terminal shows after the output: carriage returns overwrite, newlines advance. */
    static List<String> screen(String raw) {
        List<String> lines = new ArrayList<>();
        StringBuilder line = new StringBuilder();
        int col = 0;
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (c == '\r') {
                col = 0;
            } else if (c == '\n') {
                lines.add(line.toString().stripTrailing());
                line.setLength(0);
                col = 0;
            } else {
                if (col < line.length()) {
                    line.setCharAt(col, c);
                } else {
                    line.append(c);
                }
                col++;
            }
        }
        if (!line.toString().isBlank()) {
            lines.add(line.toString().stripTrailing());
        }
        return lines;
    }

    @Test
    void tqdmFormats() {
        assertEquals("00:00", TqdmFormat.interval(0));
        assertEquals("01:05", TqdmFormat.interval(65.9));
        assertEquals("1:02:05", TqdmFormat.interval(3725));
        assertEquals(" 4.50it/s", TqdmFormat.rate(4.5));
        assertEquals("123.46it/s", TqdmFormat.rate(123.456));
        assertEquals(" 2.50s/it", TqdmFormat.rate(0.4));
        assertEquals("?it/s", TqdmFormat.rate(0));
        // Lightning's padded format_num
        assertEquals("1.500", TqdmFormat.num(1.5));
        assertEquals("2.000", TqdmFormat.num(2.0));
        assertEquals("0.500", TqdmFormat.num(0.5));
        assertEquals("0.123", TqdmFormat.num(0.12345678));
        assertEquals("100.0", TqdmFormat.num(100.0));
        assertEquals("12345.6", TqdmFormat.num(12345.6));
        assertEquals("1.23e+6", TqdmFormat.num(1234567.0));
        assertEquals("1e-5", TqdmFormat.num(1e-5));
        assertEquals("nan.0", TqdmFormat.num(Double.NaN));
        assertEquals("0", TqdmFormat.num(0));
        assertEquals("12345", TqdmFormat.num(12345L));
        // tqdm's percentage rounds half to even; its bar uses eighth blocks
        assertEquals("E:  12%|\u2588\u258E        | 1/8 [00:01<00:07,  1.00it/s, x=1]",
                TqdmFormat.meter(new BarState("E", 1, OptionalLong.of(8), 1.0, Map.of("x", "1")), true));
        assertEquals("Predicting DataLoader 0: 3it [00:01,  3.00it/s]",
                TqdmFormat.meter(new BarState("Predicting DataLoader 0", 3, OptionalLong.empty(), 1.0, Map.of()),
                        true));
    }

    @Test
    void aTrainerAddsOneProgressBarAndOneModelSummaryUnlessToldOtherwise() {
        Trainer defaults = Trainer.builder().defaultRootDir(dir).build();
        assertEquals(1, defaults.callbacks().stream().filter(c -> c instanceof ProgressBar).count());
        assertEquals(1, defaults.callbacks().stream().filter(c -> c instanceof ModelSummary).count());

        Trainer none = Trainer.builder().defaultRootDir(dir).enableProgressBar(false).enableModelSummary(false)
                .enableCheckpointing(false).build();
        assertEquals(List.of(), none.callbacks());

        ProgressBar own = ProgressBar.builder().terminal(false).build();
        ModelSummary deep = new ModelSummary(-1);
        Trainer custom = Trainer.builder().defaultRootDir(dir).enableCheckpointing(false).callbacks(own, deep).build();
        assertEquals(List.of(own, deep), custom.callbacks());

        assertEquals("You added multiple progress bar callbacks to the Trainer, but currently only one progress bar"
                + " is supported.", assertThrows(MisconfigurationException.class, () -> Trainer.builder()
                        .callbacks(own, ProgressBar.builder().build()).build()).getMessage());
        assertEquals("Trainer was configured with `enable_progress_bar=False` but found `ProgressBar` in callbacks"
                + " list.", assertThrows(MisconfigurationException.class, () -> Trainer.builder()
                        .enableProgressBar(false).callbacks(own).build()).getMessage());
    }
}
