package dev.jlightning.logging;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Resolves a logger's run directory the way Lightning does: {@code <save_dir>/<name>/version_<n>}.
 *
 * <p>Counterpart of Lightning's {@code _get_next_version} and the {@code root_dir}/{@code log_dir} properties
 * shared by {@code CSVLogger} and {@code TensorBoardLogger}: an empty name puts versions straight under the save
 * directory, an int version becomes {@code version_<n>}, a string version is used verbatim, and no version means
 * one more than the largest existing {@code version_<digits>} directory (0 if none).
 */
public final class LogDirectory {

    private static final Pattern VERSION_DIR = Pattern.compile("version_(\\d+)");

    private LogDirectory() {
    }

    /** {@code save_dir/name}, or {@code save_dir} itself when the name is empty. */
    public static Path rootDir(Path saveDir, String name) {
        return name.isEmpty() ? saveDir : saveDir.resolve(name);
    }

    /** The next free version number under {@code rootDir}: the largest {@code version_<n>} plus one, or 0. */
    public static int nextVersion(Path rootDir) {
        if (!Files.isDirectory(rootDir)) {
            return 0;
        }
        try (Stream<Path> children = Files.list(rootDir)) {
            return children.filter(Files::isDirectory)
                    .map(p -> VERSION_DIR.matcher(p.getFileName().toString()))
                    .filter(Matcher::matches)
                    .mapToInt(m -> Integer.parseInt(m.group(1)))
                    .max()
                    .orElse(-1) + 1;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list log directory " + rootDir, e);
        }
    }

    /**
     * The version's directory name: {@code version_<n>} for a number, the text itself otherwise.
     *
     * @param version an explicit version, or empty for the next free number under {@code rootDir}
     */
    public static String versionDirName(Path rootDir, Optional<String> version) {
        if (version.isEmpty()) {
            return "version_" + nextVersion(rootDir);
        }
        String v = version.get();
        return v.matches("\\d+") ? "version_" + v : v;
    }
}
