package dev.jlightning.cli;

import dev.jlightning.core.Callback;
import dev.jlightning.core.LightningModule;
import dev.jlightning.trainer.Trainer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Saves the run's fully resolved config as {@code config.yaml} in the trainer's log directory at setup, so the run
 * can be repeated with {@code fit --config <log_dir>/config.yaml}. Lightning: {@code lightning.pytorch.cli.SaveConfigCallback}
 * with its rules: rank zero writes; an existing file is an error unless {@code overwrite} is set (so that a second
 * run into the same directory cannot silently replace the record of the first); saved once per process.
 */
public final class SaveConfigCallback implements Callback {
    private final String yaml;
    private final String filename;
    private final boolean overwrite;
    private boolean alreadySaved;

    /**
     * @param yaml the resolved config, as {@code --print_config} prints it
     * @param filename the file's name in the log directory, {@code config.yaml} by default in LightningCLI
     * @param overwrite whether an existing file may be replaced
     */
    public SaveConfigCallback(String yaml, String filename, boolean overwrite) {
        this.yaml = Objects.requireNonNull(yaml, "yaml");
        this.filename = Objects.requireNonNull(filename, "filename");
        this.overwrite = overwrite;
    }

    @Override
    public void setup(Trainer trainer, LightningModule module, String stage) {
        if (alreadySaved) {
            return;
        }
        Path path = trainer.logDir().resolve(filename);
        if (trainer.isGlobalZero()) {
            if (!overwrite && Files.exists(path)) {
                throw new IllegalStateException("SaveConfigCallback expected " + path + " to NOT exist. Aborting to"
                        + " avoid overwriting results of a previous run. You can delete the previous config file,"
                        + " set LightningCLI.builder().saveConfig(false) to disable config saving, or set"
                        + " LightningCLI.builder().saveConfigOverwrite(true) to overwrite the config file.");
            }
            try {
                Files.createDirectories(path.getParent());
                Files.writeString(path, yaml, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write " + path, e);
            }
        }
        alreadySaved = true;
    }

    /** Where the config goes, for a trainer. */
    public Path configPath(Trainer trainer) {
        return trainer.logDir().resolve(filename);
    }
}
