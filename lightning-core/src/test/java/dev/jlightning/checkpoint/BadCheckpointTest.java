package dev.jlightning.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.jlightning.optim.Interval;
import dev.jlightning.optim.LRSchedulerConfig;
import dev.jlightning.optim.OneCycleLR;
import dev.jlightning.optim.Optimizers;
import dev.jlightning.optim.StepLR;
import dev.jlightning.testing.ResumableNet;
import dev.jlightning.testing.ResumeHarness;
import dev.jlightning.trainer.Trainer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;
import java.util.zip.CRC32C;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.bytedeco.pytorch.SGD;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Files that are not usable checkpoints are refused with a message that says what is wrong, before anything is
 * changed: the module keeps its weights, nothing trains, and neither the refused file nor the good checkpoint next to
 * it is modified.
 */
class BadCheckpointTest {

    @TempDir
    Path dir;
    private Path good;
    private byte[] goodBytes;

    static Object sgdStepLr(ResumableNet m) {
        SGD sgd = Optimizers.sgd(0.1).momentum(0.9).params(m.parameters()).build();
        return Map.of("optimizer", sgd, "lr_scheduler", new StepLR(sgd, 1, 0.5));
    }

    @BeforeEach
    void saveAGoodCheckpoint() throws IOException {
        Trainer.seedEverything(1);
        Trainer t = Trainer.builder().maxEpochs(1).logger(false).numSanityValSteps(0).build();
        t.fit(new ResumableNet(4, 16, BadCheckpointTest::sgdStepLr), ResumeHarness.train(), ResumeHarness.val());
        good = dir.resolve("good.ckpt");
        t.saveCheckpoint(good);
        goodBytes = Files.readAllBytes(good);
    }

    /** Resumes from {@code file} and expects a refusal mentioning {@code expected}; checks nothing changed. */
    private CheckpointException assertRefused(Path file, Function<ResumableNet, Object> optimizers,
            ResumableNet module, String... expected) throws IOException {
        byte[] before = Files.readAllBytes(file);
        double[] weights = module.weights();
        Trainer t = Trainer.builder().maxEpochs(2).logger(false).numSanityValSteps(0).build();
        CheckpointException e = assertThrows(CheckpointException.class,
                () -> t.fit(module, ResumeHarness.train(), ResumeHarness.val(), file.toString()));
        for (String s : expected) {
            assertTrue(e.getMessage().contains(s), "expected '" + s + "' in: " + e.getMessage());
        }
        assertTrue(e.getMessage().contains(file.getFileName().toString()), e.getMessage());
        assertEquals(0, t.globalStep(), "nothing trained");
        assertArrayEquals(weights, module.weights(), "the module is unchanged");
        assertArrayEquals(before, Files.readAllBytes(file), "the refused file is unchanged");
        assertArrayEquals(goodBytes, Files.readAllBytes(good), "the previous checkpoint is unchanged");
        return e;
    }

    private CheckpointException assertRefused(Path file, String... expected) throws IOException {
        return assertRefused(file, BadCheckpointTest::sgdStepLr, new ResumableNet(4, 16, BadCheckpointTest::sgdStepLr),
                expected);
    }

    private Path write(String name, byte[] bytes) throws IOException {
        return Files.write(dir.resolve(name), bytes);
    }

    @Test
    void theGoodCheckpointResumes() {
        Trainer t = Trainer.builder().maxEpochs(2).logger(false).numSanityValSteps(0).build();
        t.fit(new ResumableNet(4, 16, BadCheckpointTest::sgdStepLr), ResumeHarness.train(), ResumeHarness.val(),
                good.toString());
        assertEquals(18, t.globalStep());
    }

    @Test
    void truncatedFilesAreRefused() throws IOException {
        for (int length : new int[] {goodBytes.length - 1, goodBytes.length / 2, 40, 20}) {
            byte[] cut = java.util.Arrays.copyOf(goodBytes, length);
            assertRefused(write("cut" + length + ".ckpt", cut), "is truncated");
        }
    }

    @Test
    void corruptedFilesAreRefusedByTheirChecksum() throws IOException {
        int jsonByte = CheckpointFormat.HEADER_SIZE + 10;
        int archiveByte = goodBytes.length - 2000;
        for (int at : new int[] {jsonByte, archiveByte}) {
            byte[] bad = goodBytes.clone();
            bad[at] ^= 0x20;
            assertRefused(write("flip" + at + ".ckpt", bad), "is corrupted", "checksum mismatch");
        }
        byte[] extra = java.util.Arrays.copyOf(goodBytes, goodBytes.length + 3);
        assertRefused(write("extra.ckpt", extra), "unexpected bytes");
    }

    @Test
    void filesThatAreNotCheckpointsAreRefused() throws IOException {
        assertRefused(write("empty.ckpt", new byte[0]), "is not a JLightning checkpoint", "empty");
        assertRefused(write("text.ckpt", "epoch: 3\n".getBytes(StandardCharsets.UTF_8)),
                "is not a JLightning checkpoint");
        assertRefused(write("torch.ckpt", zip("archive/data.pkl", new byte[] {(byte) 0x80, 2})), "a zip archive");
        assertRefused(write("pickle.ckpt", new byte[] {(byte) 0x80, 4, (byte) 0x95, 0, 0, 0, 0, 0, 0, 0, 0, 0}),
                "Python pickle");
        CheckpointException missing = assertThrows(CheckpointException.class,
                () -> new AtomicCheckpointIO().load(dir.resolve("nope.ckpt")));
        assertTrue(missing.getMessage().contains("does not exist"), missing.getMessage());
    }

    @Test
    void checkpointsFromANewerFormatVersionAreRefused() throws IOException {
        byte[] newer = goodBytes.clone();
        ByteBuffer.wrap(newer).putInt(8, CheckpointFormat.VERSION + 1);
        CheckpointException e = assertRefused(write("newer.ckpt", newer), "newer JLightning",
                "format version " + (CheckpointFormat.VERSION + 1));
        assertTrue(e.getMessage().contains("Upgrade JLightning"), e.getMessage());
    }

    /** A module with another layout: fc1 is 4 -> 8, and a third layer "head" exists. */
    static final class OtherNet extends ResumableNet {
        OtherNet() {
            super(4, 8, BadCheckpointTest::sgdStepLr);
            register_module("head", new org.bytedeco.pytorch.LinearImpl(1, 1));
        }
    }

    @Test
    void checkpointsFromAnotherModelListTheDifferingNames() throws IOException {
        CheckpointException e = assertRefused(good, BadCheckpointTest::sgdStepLr, new OtherNet(),
                "does not fit OtherNet", "Missing key(s) in the checkpoint: [head.weight, head.bias]",
                "fc1.weight: shape [16, 4] in the checkpoint, [8, 4] in the module",
                "fc2.weight: shape [1, 16] in the checkpoint, [1, 8] in the module");
        // the reverse: the checkpoint has keys the module lacks
        Trainer.seedEverything(1);
        Trainer t = Trainer.builder().maxEpochs(1).logger(false).numSanityValSteps(0).build();
        t.fit(new OtherNet(), ResumeHarness.train());
        Path other = dir.resolve("other.ckpt");
        t.saveCheckpoint(other);
        assertRefused(other, "Unexpected key(s) in the checkpoint: [head.weight, head.bias]");
        assertTrue(e.getMessage().contains("another model"), e.getMessage());
    }

    @Test
    void checkpointsWhoseOptimizersNoLongerMatchSayWhich() throws IOException {
        Function<ResumableNet, Object> adamw = m -> Optimizers.adamW(0.01).params(m.parameters()).build();
        assertRefused(good, adamw, new ResumableNet(4, 16, adamw), "optimizer 0 is SGD in the checkpoint but AdamW",
                "configureOptimizers");
        Function<ResumableNet, Object> groups = m -> Optimizers.sgd(0.1).momentum(0.9)
                .group("first", m.fc1.parameters()).group("second", m.fc2.parameters()).build();
        assertRefused(good, groups, new ResumableNet(4, 16, groups), "has 1 param group(s) in the checkpoint but 2");
    }

    @Test
    void checkpointsWhoseSchedulersNoLongerMatchSayWhich() throws IOException {
        Function<ResumableNet, Object> oneCycle = m -> {
            SGD sgd = Optimizers.sgd(0.1).momentum(0.9).params(m.parameters()).build();
            return Map.of("optimizer", sgd, "lr_scheduler", LRSchedulerConfig.builder(
                    OneCycleLR.builder(sgd).maxLr(0.1).totalSteps(100).build()).interval(Interval.STEP).build());
        };
        assertRefused(good, oneCycle, new ResumableNet(4, 16, oneCycle),
                "lr scheduler 0 (StepLR in the checkpoint, OneCycleLR now): scheduler StepLR -> OneCycleLR,"
                        + " interval epoch -> step");
        Function<ResumableNet, Object> none = m -> Optimizers.sgd(0.1).momentum(0.9).params(m.parameters()).build();
        assertRefused(good, none, new ResumableNet(4, 16, none), "holds 1 lr scheduler(s), but configureOptimizers"
                + " returned 0");
    }

    // ---------------------------------------------------------------- crafted files with valid checksums

    private static byte[] zip(String name, byte[] content) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipOutputStream z = new ZipOutputStream(out)) {
            z.putNextEntry(new ZipEntry(name));
            z.write(content);
            z.closeEntry();
        }
        return out.toByteArray();
    }

    private Path craft(String name, Map<String, Object> json, byte[] archive) throws IOException {
        Checkpoint c = new Checkpoint(json, archive, name);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (ByteBuffer b : CheckpointFormat.encode(c)) {
            byte[] bytes = new byte[b.remaining()];
            b.get(bytes);
            out.write(bytes);
        }
        return write(name, out.toByteArray());
    }

    private Map<String, Object> goodJson() {
        return new LinkedHashMap<>(new AtomicCheckpointIO().load(good).json());
    }

    @Test
    void archivesCarryingTorchScriptCodeAreRefusedBeforeLibTorchSeesThem() throws IOException {
        byte[] evil = zip("archive/code/__torch__.py",
                "class Module(Module):\n  def __setstate__(self, state):\n    return None\n"
                        .getBytes(StandardCharsets.UTF_8));
        assertRefused(craft("code.ckpt", goodJson(), evil), "carries TorchScript code", "def __setstate__");
    }

    @Test
    void malformedArchivesAndJsonAreRefused() throws IOException {
        byte[] garbage = new byte[4096];
        new java.util.Random(3).nextBytes(garbage);
        assertRefused(craft("garbage.ckpt", goodJson(), garbage), "not a well-formed LibTorch archive");
        assertRefused(craft("escape.ckpt", goodJson(), zip("../../etc/passwd", new byte[1])), "unexpected entry");
        Map<String, Object> json = goodJson();
        json.put("global_step", "many");
        assertRefused(craft("json.ckpt", json, new AtomicCheckpointIO().load(good).archiveBytes()),
                "'global_step' must be an integer");
        // a JSON part nested deeper than any checkpoint is refused by the parser's limits
        byte[] deep = ("{" + "\"a\":[".repeat(200) + "]".repeat(200) + "}").getBytes(StandardCharsets.UTF_8);
        assertRefused(rawContainer("deep.ckpt", deep, new byte[0]), "its JSON part does not parse");
    }

    @Test
    void aManifestThatLiesAboutTheArchiveIsCaughtWhenTensorsAreRead() throws IOException {
        ResumableNet small = new ResumableNet(4, 8, BadCheckpointTest::sgdStepLr);
        Checkpoint other = CheckpointBuilder.create(0, 0, false).module(small).build();
        Map<String, Object> json = goodJson();
        assertRefused(craft("lying.ckpt", json, other.archiveBytes()), "tensor 'fc1.weight' in its archive has shape"
                + " [8, 4]");
    }

    @Test
    @SuppressWarnings("unchecked")
    void aSchedulerStateThatIsRefusedLeavesTheModuleAndEverythingElseUnchanged() throws IOException {
        // the weights are staged first; the scheduler refusing its state must not leave them applied
        for (Object bad : new Object[] {"x", -3L}) {
            Map<String, Object> json = goodJson();
            java.util.List<Object> schedulers = new java.util.ArrayList<>((java.util.List<?>) json.get("lr_schedulers"));
            Map<String, Object> state = new LinkedHashMap<>((Map<String, Object>) schedulers.get(0));
            state.put("step_size", bad);
            schedulers.set(0, state);
            json.put("lr_schedulers", schedulers);
            assertRefused(craft("sched" + bad + ".ckpt", json, new AtomicCheckpointIO().load(good).archiveBytes()),
                    "lr scheduler 0 (StepLR) cannot take the saved state", "step_size");
        }
    }

    private Path rawContainer(String name, byte[] json, byte[] archive) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(CheckpointFormat.HEADER_SIZE + json.length + archive.length
                + CheckpointFormat.TRAILER_SIZE);
        b.put(CheckpointFormat.SIGNATURE).putInt(CheckpointFormat.VERSION).putLong(json.length)
                .putLong(archive.length).put(json).put(archive);
        CRC32C crc = new CRC32C();
        crc.update(b.array(), 0, b.position());
        b.putInt((int) crc.getValue()).put(CheckpointFormat.END_MARKER);
        return write(name, b.array());
    }
}
