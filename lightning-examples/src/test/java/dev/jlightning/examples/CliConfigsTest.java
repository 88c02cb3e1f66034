package dev.jlightning.examples;

import dev.jlightning.cli.LightningCLI;
import dev.jlightning.core.LightningDataModule;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The shipped YAML configs run through LightningCLI, and the warmup-cosine one equals its Java program. */
class CliConfigsTest {
    static final Path CONFIGS = Path.of("config");

    @TempDir
    Path dir;

    private static void close(LightningCLI.Result r) throws Exception {
        r.model().orElseThrow().close();
        LightningDataModule data = r.datamodule().orElseThrow();
        if (data instanceof AutoCloseable) {
            ((AutoCloseable) data).close();
        }
    }

    @Test
    void warmupCosineConfigGivesTheJavaExamplesMetricsCsv() throws Exception {
        WarmupCosineExample.Result java = WarmupCosineExample.run(dir.resolve("java"), 42);
        LightningCLI.Result cli = LightningCLI.builder().build().run("fit", "--config",
                CONFIGS.resolve("warmup_cosine.yaml").toString(),
                "--trainer.logger.init_args.save_dir=" + dir.resolve("cli"));
        close(cli);
        Path csv = dir.resolve("cli/interval_step/version_0/metrics.csv");
        assertEquals(Files.readString(java.perStepCsv()), Files.readString(csv));
        assertTrue(Files.isRegularFile(csv.resolveSibling("config.yaml")));
    }

    @Test
    void digitsConfigTrainsAndSavesItsConfig() throws Exception {
        LightningCLI.Result cli = LightningCLI.builder().build().run("fit", "--config",
                CONFIGS.resolve("digits.yaml").toString(), "--trainer.logger.init_args.save_dir=" + dir,
                "--trainer.max_epochs=2", "--model.hidden=32", "--trainer.enable_progress_bar=false");
        close(cli);
        Path logDir = dir.resolve("digits/version_0");
        List<String> csv = Files.readAllLines(logDir.resolve("metrics.csv"));
        assertTrue(csv.get(0).contains("val_acc") && csv.get(0).contains("lr-AdamW"), csv.get(0));
        assertTrue(cli.trainer().orElseThrow().callbackMetrics().get("val_acc") > 0.5,
                cli.trainer().orElseThrow().callbackMetrics().toString());
        String saved = Files.readString(logDir.resolve("config.yaml"));
        assertTrue(saved.contains("hidden: 32"), saved);
        assertTrue(saved.contains("class_path: dev.jlightning.callbacks.EarlyStopping"), saved);
    }
}
