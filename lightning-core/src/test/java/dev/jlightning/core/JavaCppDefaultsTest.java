package dev.jlightning.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jlightning.trainer.Trainer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;

/**
 * JLightning's JavaCPP default, each case in a fresh JVM because JavaCPP reads its settings once: a program that
 * starts with {@code Trainer.seedEverything} runs without garbage-collector bookkeeping, a value the user set is kept,
 * and a program that creates a tensor first keeps JavaCPP's own default and is told so once by {@code fit}.
 */
class JavaCppDefaultsTest {

    /** The probe program: {@code [tensor-first] [fit]}; prints the property and whether pointer GC runs. */
    public static void main(String[] args) {
        List<String> a = List.of(args);
        if (a.contains("tensor-first")) {
            torch.ones(1).close();
        }
        Trainer.seedEverything(1);
        if (a.contains("fit")) {
            dev.jlightning.testing.Mlp model = new dev.jlightning.testing.Mlp(4, 8, 0.1);
            Trainer.builder().accelerator("cpu").maxSteps(2).logger(false).numSanityValSteps(0).build()
                    .fit(model, dev.jlightning.testing.Data.loader(64, 4, 32));
        }
        System.out.println("PROBE nopointergc=" + System.getProperty(JavaCppDefaults.NO_POINTER_GC)
                + " pointerGc=" + JavaCppDefaults.pointerGcEnabled());
    }

    @Test
    void aProgramStartingWithSeedEverythingRunsWithoutPointerGc() throws Exception {
        String out = run(List.of(), "fit");
        assertTrue(out.contains("PROBE nopointergc=true pointerGc=false"), out);
        assertFalse(out.contains("JavaCPP was initialised before JLightning"), out);
    }

    @Test
    void aValueTheUserSetIsKept() throws Exception {
        String out = run(List.of("-Dorg.bytedeco.javacpp.nopointergc=false"));
        assertTrue(out.contains("PROBE nopointergc=false pointerGc=true"), out);
    }

    @Test
    void aProgramThatCreatesATensorFirstKeepsJavaCppsDefaultAndIsTold() throws Exception {
        String out = run(List.of(), "tensor-first", "fit");
        assertTrue(out.contains("pointerGc=true"), out);
        assertEquals(1, out.split("JavaCPP was initialised before JLightning", -1).length - 1, out);
    }

    private static String run(List<String> jvmArgs, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("--enable-native-access=ALL-UNNAMED");
        cmd.addAll(jvmArgs);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(JavaCppDefaultsTest.class.getName());
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
        return out;
    }
}
