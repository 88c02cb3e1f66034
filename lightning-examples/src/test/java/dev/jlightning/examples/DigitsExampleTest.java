package dev.jlightning.examples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jlightning.callbacks.EarlyStoppingReason;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The digits example, seeded: accuracy, the early stop, the learning-rate finder and the logs it leaves. */
class DigitsExampleTest {

    @TempDir
    Path dir;

    @Test
    void theShippedDataIsTheFullUciTestSet() {
        DigitsData data = DigitsData.load();
        assertEquals(1797, data.size());
        int[] perClass = new int[10];
        for (int i = 0; i < data.size(); i++) {
            perClass[(int) data.label(i)]++;
        }
        // scikit-learn's load_digits() class counts
        assertArrayEquals(new int[] {178, 182, 177, 183, 181, 182, 181, 179, 174, 180}, perClass);
        try (DigitsData.Split a = data.split(0.2, 7); DigitsData.Split b = data.split(0.2, 7)) {
            assertEquals(1438, a.train().size());
            assertEquals(359, a.val().size());
            assertTrue(a.val().tensor(1).equal(b.val().tensor(1)), "the same seed gives the same split");
        }
    }

    @Test
    void reachesNinetyFivePercentValidationAccuracyAndLeavesDecodableLogs() throws Exception {
        DigitsExample.Result r = DigitsExample.train(dir, 42);
        System.out.printf("digits: val_acc %.4f (best %.4f), val_loss %.4f, lr %.4g, %d epochs, %d steps, %s,"
                + " %.1f s%n", r.valAccuracy(), r.bestValAccuracy(), r.valLoss(), r.lrFinderSuggestion(), r.epochs(),
                r.steps(), r.stopReason(), r.elapsed().toMillis() / 1000.0);

        assertTrue(r.valAccuracy() >= 0.95, "validation accuracy " + r.valAccuracy());
        assertTrue(r.elapsed().getSeconds() < 60, "ran " + r.elapsed());
        // the finder's pick lies on the falling part of the curve, well below the divergence near lr 1
        assertTrue(r.lrFinderSuggestion() > 1e-4 && r.lrFinderSuggestion() < 0.1, "lr " + r.lrFinderSuggestion());
        assertEquals(EarlyStoppingReason.PATIENCE_EXHAUSTED, r.stopReason());
        assertTrue(r.epochs() < DigitsExample.MAX_EPOCHS, "early stopping ended the run at epoch " + r.epochs());
        // ModelCheckpoint kept the best epoch by validation accuracy, inside the run's directory
        assertTrue(r.bestValAccuracy() >= r.valAccuracy(), "best " + r.bestValAccuracy());
        assertTrue(Files.isRegularFile(r.bestCheckpoint()), r.bestCheckpoint().toString());
        assertEquals(r.logDir().resolve("checkpoints").toAbsolutePath().normalize(),
                r.bestCheckpoint().getParent().toAbsolutePath().normalize());

        // the event file decodes completely: framing, both CRCs, every message and field
        List<EventFileDecoder.Event> events = EventFileDecoder.read(r.eventFile());
        assertEquals(java.util.Optional.of("brain.Event:2"), events.get(0).fileVersion());
        Set<String> scalarTags = events.stream().flatMap(e -> e.values().stream())
                .filter(v -> v.simpleValue().isPresent()).map(EventFileDecoder.Value::tag)
                .collect(Collectors.toCollection(TreeSet::new));
        assertTrue(scalarTags.containsAll(List.of("train_loss", "val_loss", "val_acc", "epoch", "lr-AdamW")),
                scalarTags.toString());
        Set<String> hparamsTags = events.stream().flatMap(e -> e.values().stream())
                .filter(v -> v.pluginName().equals(java.util.Optional.of("hparams")))
                .map(EventFileDecoder.Value::tag).collect(Collectors.toSet());
        assertEquals(Set.of("_hparams_/experiment", "_hparams_/session_start_info", "_hparams_/session_end_info"),
                hparamsTags);
        // OneCycleLR stepped every batch: one lr value per logged step, rising then falling
        List<Float> lrs = events.stream().flatMap(e -> e.values().stream())
                .filter(v -> v.tag().equals("lr-AdamW")).map(v -> v.simpleValue().orElseThrow()).toList();
        int peak = lrs.indexOf(lrs.stream().max(Float::compare).orElseThrow());
        assertTrue(peak > 0 && peak < lrs.size() - 1, "lr peaks inside the run, at " + peak + " of " + lrs.size());

        // the CSV log sits next to it, and hparams.yaml holds the finder's learning rate
        List<String> csv = Files.readAllLines(r.metricsCsv());
        assertTrue(Arrays.asList(csv.get(0).split(",")).containsAll(List.of("val_acc", "val_loss", "lr-AdamW")),
                csv.get(0));
        String hparams = Files.readString(r.logDir().resolve("hparams.yaml"));
        assertTrue(hparams.contains("lr: " + dev.jlightning.logging.PythonFormat.str(r.lrFinderSuggestion())),
                hparams);

        byte[] png = Files.readAllBytes(r.lrFinderPlot());
        assertArrayEquals(new byte[] {(byte) 0x89, 'P', 'N', 'G'}, Arrays.copyOf(png, 4));
    }

    @Test
    void bf16MixedReachesNinetyFivePercentValidationAccuracy() throws Exception {
        DigitsExample.Result r = DigitsExample.train(dir, 42, "cpu", "bf16-mixed");
        System.out.printf("digits bf16-mixed: val_acc %.4f (best %.4f), %d epochs, %.1f us per step, %.1f s%n",
                r.valAccuracy(), r.bestValAccuracy(), r.epochs(), r.microsPerStep(),
                r.elapsed().toMillis() / 1000.0);
        assertTrue(r.valAccuracy() >= 0.95, "validation accuracy " + r.valAccuracy());
    }

    @Test
    void launcherListsTheScenario() {
        assertTrue(Launcher.scenarios().containsKey("digits"));
    }
}
