package dev.jlightning.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jlightning.core.LightningModule;
import dev.jlightning.data.DataLoader;
import dev.jlightning.data.TensorDataset;
import dev.jlightning.trainer.Trainer;
import java.io.File;
import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import org.bytedeco.javacpp.PointerScope;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.bytedeco.pytorch.global.torch.randn;

/**
 * The README's Java is real code: every {@code ```java} block is compiled, as written, against the modules (a user
 * copies it into a project whose class path has lightning-core and lightning-callbacks), and the quick start's module
 * trains for a few steps. A name clash such as {@code TensorDataset} in both {@code dev.jlightning.data.*} and
 * {@code org.bytedeco.pytorch.*} fails here rather than in a new user's first build.
 */
class ReadmeCodeTest {
    private static final Path README = Path.of("..", "README.md");
    private static final Pattern JAVA_BLOCK = Pattern.compile("(?ms)^```java\\s*\\n(.*?)^```");
    private static final Pattern PUBLIC_CLASS = Pattern.compile("(?m)^public\\s+(?:final\\s+)?class\\s+(\\w+)");

    @TempDir
    Path tmp;

    @Test
    void everyJavaBlockCompilesAsWritten() throws IOException {
        List<String> blocks = javaBlocks();
        assertFalse(blocks.isEmpty(), "the README has Java blocks");
        for (int i = 0; i < blocks.size(); i++) {
            compile(blocks.get(i), tmp.resolve("block" + i));
        }
    }

    @Test
    void quickStartTrainsForAFewSteps() throws Exception {
        String quickStart = javaBlocks().stream().filter(b -> b.contains("configureOptimizers")).findFirst()
                .orElseThrow(() -> new AssertionError("no quick start block with configureOptimizers in the README"));
        Path classes = compile(quickStart, tmp.resolve("classes"));
        try (URLClassLoader loader = new URLClassLoader(new URL[] {classes.toUri().toURL()},
                getClass().getClassLoader());
                PointerScope scope = new PointerScope()) {
            LightningModule module = (LightningModule) loader.loadClass(className(quickStart))
                    .getDeclaredConstructor().newInstance();
            Trainer.seedEverything(42);
            DataLoader train = DataLoader.builder(new TensorDataset(randn(64, 8), randn(64, 1))).batchSize(16).build();
            Trainer trainer = Trainer.builder().maxSteps(3).logEveryNSteps(1).defaultRootDir(tmp.resolve("run"))
                    .enableProgressBar(false).enableModelSummary(false).build();
            trainer.fit(module, train);
            assertEquals(3, trainer.globalStep());
            Path csv = trainer.logDir().resolve("metrics.csv");
            List<String> lines = Files.readAllLines(csv);
            assertTrue(lines.get(0).contains("train_loss"), "train_loss column in " + lines.get(0));
        }
    }

    private static List<String> javaBlocks() throws IOException {
        String readme = Files.readString(README, StandardCharsets.UTF_8);
        List<String> blocks = new ArrayList<>();
        Matcher m = JAVA_BLOCK.matcher(readme);
        while (m.find()) {
            blocks.add(m.group(1));
        }
        return blocks;
    }

    private static String className(String block) {
        Matcher m = PUBLIC_CLASS.matcher(block);
        if (!m.find()) {
            throw new AssertionError("a README Java block must be a whole compilation unit with a public class:\n"
                    + block);
        }
        return m.group(1);
    }

    /** Compiles one block into {@code out} with the test class path, failing with javac's messages. */
    private static Path compile(String block, Path out) throws IOException {
        Path src = out.resolve("src");
        Files.createDirectories(src);
        Path file = src.resolve(className(block) + ".java");
        Files.writeString(file, block, StandardCharsets.UTF_8);
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        try (StandardJavaFileManager files = javac.getStandardFileManager(diagnostics, Locale.ROOT,
                StandardCharsets.UTF_8)) {
            List<String> options = List.of("-classpath", testClassPath(), "-d", out.toString(), "--release", "17",
                    "-proc:none", "-Xlint:all", "-Werror");
            boolean ok = javac.getTask(null, files, diagnostics, options, null,
                    files.getJavaFileObjectsFromPaths(List.of(file))).call();
            String messages = diagnostics.getDiagnostics().stream()
                    .map(d -> d.getKind() + " line " + d.getLineNumber() + ": " + d.getMessage(Locale.ROOT))
                    .collect(Collectors.joining("\n"));
            assertTrue(ok && diagnostics.getDiagnostics().stream().noneMatch(d -> d.getKind() == Diagnostic.Kind.ERROR),
                    "README block " + className(block) + " does not compile:\n" + messages);
        }
        return out;
    }

    /** Surefire runs the tests from a manifest-only jar; the real class path is in its own property. */
    private static String testClassPath() {
        String cp = System.getProperty("surefire.test.class.path");
        return cp != null && !cp.isBlank() ? cp : System.getProperty("java.class.path", "")
                .replace(File.pathSeparator + File.pathSeparator, File.pathSeparator);
    }
}
