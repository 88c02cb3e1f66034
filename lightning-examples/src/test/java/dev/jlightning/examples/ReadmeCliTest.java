package dev.jlightning.examples;

import dev.jlightning.cli.LightningCLI;
import dev.jlightning.core.LightningDataModule;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every {@code bin/jlightning ...} command of the README runs: its arguments go to LightningCLI as the launcher passes
 * them (paths from the repository's root), training commands shortened to one epoch and logged under a temporary
 * directory by appended overrides.
 */
class ReadmeCliTest {
    @TempDir
    Path tmp;

    @Test
    void everyReadmeCliCommandRuns() throws Exception {
        List<String> commands = Files.readAllLines(Path.of("..", "README.md")).stream()
                .filter(l -> l.startsWith("bin/jlightning ")).toList();
        assertFalse(commands.isEmpty());
        int n = 0;
        for (String command : commands) {
            List<String> args = new ArrayList<>();
            for (String token : command.substring("bin/jlightning ".length()).trim().split("\\s+")) {
                args.add(token.startsWith("lightning-examples/") ? Path.of("..", token).toString() : token);
            }
            boolean printsOnly = args.contains("--print_config") || args.contains("--help");
            if (!printsOnly) {
                args.addAll(List.of("--trainer.max_epochs=1", "--trainer.enable_progress_bar=false",
                        "--trainer.logger.init_args.save_dir=" + tmp.resolve("run" + n++)));
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            LightningCLI.Result r = LightningCLI.builder().out(new PrintStream(out, true, StandardCharsets.UTF_8))
                    .build().run(args.toArray(new String[0]));
            if (printsOnly) {
                assertTrue(out.toString(StandardCharsets.UTF_8).contains("trainer"), command);
            } else {
                assertEquals(1, r.trainer().orElseThrow().currentEpoch(), command + " " + Arrays.toString(
                        args.toArray()));
                r.model().orElseThrow().close();
                LightningDataModule data = r.datamodule().orElseThrow();
                if (data instanceof AutoCloseable) {
                    ((AutoCloseable) data).close();
                }
            }
        }
    }
}
