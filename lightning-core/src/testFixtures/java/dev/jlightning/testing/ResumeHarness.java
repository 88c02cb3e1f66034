package dev.jlightning.testing;

import dev.jlightning.core.Callback;
import dev.jlightning.core.LightningModule;
import dev.jlightning.data.Batch;
import dev.jlightning.data.DataLoader;
import dev.jlightning.data.TensorDataset;
import dev.jlightning.optim.ParamGroups;
import dev.jlightning.trainer.Trainer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiPredicate;
import org.bytedeco.pytorch.Optimizer;
import org.bytedeco.pytorch.Tensor;

/** Pieces for resume tests: a recorder of every optimizer step, a saver at a chosen moment, metrics.csv rows. */
public final class ResumeHarness {

    private ResumeHarness() {
    }

    /** 36 training samples in batches of 4 (9 batches, shuffled) and 12 validation samples in batches of 4. */
    public static DataLoader train() {
        TensorDataset ds = Data.regression(36, 4, 11);
        return DataLoader.builder(ds).batchSize(4).shuffle(true).seed(5).build();
    }

    public static DataLoader val() {
        return DataLoader.builder(Data.regression(12, 4, 12)).batchSize(4).build();
    }

    /** Records, after every batch, the step, the loss and every group's lr and momentum, exactly. */
    public static final class Recorder implements Callback {
        public final List<String> trace = new ArrayList<>();

        @Override
        public void onTrainBatchEnd(Trainer trainer, LightningModule module, Optional<Tensor> loss, Batch batch,
                int batchIdx) {
            StringBuilder sb = new StringBuilder();
            sb.append("epoch=").append(trainer.currentEpoch()).append(" batch=").append(batchIdx)
                    .append(" step=").append(trainer.globalStep())
                    .append(" loss=").append(loss.map(Tensor::item_double).orElse(Double.NaN));
            for (Optimizer o : trainer.optimizers()) {
                ParamGroups g = ParamGroups.of(o);
                for (int i = 0; i < g.size(); i++) {
                    sb.append(" lr").append(i).append('=').append(g.lr(i));
                    g.momentum(i).ifPresent(m -> sb.append(" mom=").append(m));
                }
            }
            trace.add(sb.toString());
        }

        @Override
        public void onTrainEpochEnd(Trainer trainer, LightningModule module) {
            StringBuilder sb = new StringBuilder("end of epoch " + trainer.currentEpoch());
            for (Optimizer o : trainer.optimizers()) {
                sb.append(" lr=").append(ParamGroups.of(o).lr(0));
            }
            trace.add(sb.toString());
        }

        @Override
        public boolean isMonitoring() {
            return true;
        }
    }

    /** Saves a checkpoint once, when {@code when(epoch, step)} first holds at a batch end or an epoch end. */
    public static final class Saver implements Callback {
        private final Path file;
        private final String hook;
        private final BiPredicate<Integer, Long> when;
        private final Recorder recorder;
        private final Path csv;
        public int traceSizeAtSave = -1;
        public int csvRowsAtSave = -1;

        /** @param hook "batch_end", "epoch_end", "validation_end" or "batch_start" */
        public Saver(Path file, String hook, BiPredicate<Integer, Long> when, Recorder recorder, Path csv) {
            this.file = file;
            this.hook = hook;
            this.when = when;
            this.recorder = recorder;
            this.csv = csv;
        }

        @Override
        public void onTrainBatchEnd(Trainer trainer, LightningModule module, Optional<Tensor> loss, Batch batch,
                int batchIdx) {
            if ("batch_end".equals(hook)) {
                maybeSave(trainer);
            }
        }

        @Override
        public void onTrainBatchStart(Trainer trainer, LightningModule module, Batch batch, int batchIdx) {
            if ("batch_start".equals(hook)) {
                maybeSave(trainer);
            }
        }

        @Override
        public void onValidationEnd(Trainer trainer, LightningModule module) {
            if ("validation_end".equals(hook) && !trainer.sanityChecking()) {
                maybeSave(trainer);
            }
        }

        @Override
        public void onTrainEpochEnd(Trainer trainer, LightningModule module) {
            if ("epoch_end".equals(hook)) {
                maybeSave(trainer);
            }
        }

        @Override
        public boolean isMonitoring() {
            return true;
        }

        private void maybeSave(Trainer trainer) {
            if (traceSizeAtSave < 0 && when.test(trainer.currentEpoch(), trainer.globalStep())) {
                trainer.saveCheckpoint(file);
                traceSizeAtSave = recorder.trace.size();
                csvRowsAtSave = csvRows(csv).size();
            }
        }
    }

    /** metrics.csv as rows of non-empty cells; empty when the file does not exist yet. */
    public static List<Map<String, String>> csvRows(Path csv) {
        if (!Files.exists(csv)) {
            return List.of();
        }
        try {
            List<String> lines = Files.readAllLines(csv);
            String[] header = lines.get(0).split(",", -1);
            List<Map<String, String>> rows = new ArrayList<>();
            for (String line : lines.subList(1, lines.size())) {
                String[] cells = line.split(",", -1);
                Map<String, String> row = new LinkedHashMap<>();
                for (int i = 0; i < header.length; i++) {
                    if (i < cells.length && !cells[i].isEmpty()) {
                        row.put(header[i], cells[i]);
                    }
                }
                rows.add(row);
            }
            return rows;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
