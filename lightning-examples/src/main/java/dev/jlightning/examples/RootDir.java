package dev.jlightning.examples;

import java.nio.file.Path;

/**
 * The directory an example writes under: {@code --root-dir DIR} (or {@code --root-dir=DIR}, or DIR as the first
 * argument), else the working directory, so that logs land in {@code ./lightning_logs/...} as with Lightning's
 * default {@code default_root_dir}.
 */
public final class RootDir {

    /** The option naming the directory, as Lightning's {@code --trainer.default_root_dir} would in a CLI. */
    public static final String OPTION = "--root-dir";

    private RootDir() {
    }

    /**
     * The root directory the arguments name; the working directory when they name none.
     *
     * @throws IllegalArgumentException if {@code --root-dir} has no value or an argument is not understood
     */
    public static Path parse(String[] args) {
        Path root = Path.of(".");
        boolean given = false;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            String value;
            if (a.equals(OPTION)) {
                if (i + 1 >= args.length || args[i + 1].startsWith("--")) {
                    throw new IllegalArgumentException(OPTION + " needs a directory, e.g. " + OPTION + " /tmp/runs");
                }
                value = args[++i];
            } else if (a.startsWith(OPTION + "=")) {
                value = a.substring(OPTION.length() + 1);
            } else if (!a.startsWith("--") && !given) {
                value = a;
            } else {
                throw new IllegalArgumentException("unknown argument '" + a + "'; the examples take " + OPTION
                        + " DIR (default: the working directory)");
            }
            if (value.isEmpty()) {
                throw new IllegalArgumentException(OPTION + " needs a directory, got an empty value");
            }
            if (given) {
                throw new IllegalArgumentException("the root directory was given twice: " + root + " and " + value);
            }
            root = Path.of(value);
            given = true;
        }
        return root;
    }

    /** Where Lightning's loggers write by default under {@code root}: {@code <root>/lightning_logs}. */
    public static Path lightningLogs(Path root) {
        return root.resolve("lightning_logs");
    }
}
