package dev.jlightning.checkpoint;

import dev.jlightning.core.Callback;
import dev.jlightning.core.LightningModule;
import dev.jlightning.data.Batch;
import dev.jlightning.io.DType;
import dev.jlightning.io.RestrictedUnpickler;
import dev.jlightning.io.RestrictedUnpickler.PickledTensor;
import dev.jlightning.optim.Optimizers;
import dev.jlightning.optim.ParamGroups;
import dev.jlightning.optim.StepLR;
import dev.jlightning.testing.ResumableNet;
import dev.jlightning.testing.ResumeHarness;
import dev.jlightning.trainer.Trainer;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.function.Supplier;
import org.bytedeco.pytorch.OutputArchive;
import org.bytedeco.pytorch.SGD;
import org.bytedeco.pytorch.Tensor;

/**
 * Runs in a child JVM (so that a native crash fails {@link CheckpointFuzzTest} instead of killing the build): saves
 * a real checkpoint, then loads named and seeded-random variants of it, every checksum recomputed, through both
 * {@code Trainer.fit(ckptPath)} and {@code LightningModule.loadFromCheckpoint}. Each variant must be refused with a
 * {@link CheckpointException} leaving module, optimizer, scheduler and callback state exactly as they were, or be
 * loaded with the very values its archive holds. Prints one line per variant and exits 1 if any variant failed.
 *
 * <p>Arguments: working directory, seed, number of random variants.
 */
public final class CheckpointFuzzMain {

    private static final List<String> PARAMS = List.of("fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias");
    private static final Object[] VALUES = {-5L, -1L, 0L, 1L, 2L, 3L, 100L, -100L, 1L << 31, Long.MAX_VALUE,
        Long.MIN_VALUE, 0.5, -0.5, 1e-300, "@raw:1e999", "@raw:-1e999", "nan", "inf", "x", "", null, true, false,
        List.of(), List.of("x"), List.of(1L, 2L, 3L), List.of(0.1, 0.2), Map.of(), Map.of("name", "x")};

    private final Path dir;
    private final PrintStream out;
    private final byte[] good;
    private final Map<String, Object> goodJson;
    private final LinkedHashMap<String, byte[]> goodEntries;
    private int refused;
    private int loaded;
    private int failed;

    private CheckpointFuzzMain(Path dir, PrintStream out, byte[] good) {
        this.dir = dir;
        this.out = out;
        this.good = good;
        this.goodJson = CheckpointSurgery.json(good);
        this.goodEntries = CheckpointSurgery.entries(CheckpointSurgery.archive(good));
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        long seed = Long.parseLong(args[1]);
        int count = Integer.parseInt(args[2]);
        Files.createDirectories(dir);
        Trainer.seedEverything(1);
        Trainer t = Trainer.builder().maxEpochs(1).logger(false).numSanityValSteps(0).enableProgressBar(false)
                .callbacks(new StrictCounter()).build();
        t.fit(new ResumableNet(4, 16, Snapshots::sgdStepLr), ResumeHarness.train(), ResumeHarness.val());
        Path goodPath = dir.resolve("good.ckpt");
        t.saveCheckpoint(goodPath);
        CheckpointFuzzMain fuzz = new CheckpointFuzzMain(dir, System.out, Files.readAllBytes(goodPath));
        fuzz.named();
        Random random = new Random(seed);
        for (int i = 0; i < count; i++) {
            fuzz.random(i, random);
        }
        System.out.println("SUMMARY variants=" + (fuzz.refused + fuzz.loaded + fuzz.failed) + " refused="
                + fuzz.refused + " loaded=" + fuzz.loaded + " failed=" + fuzz.failed);
        System.out.flush();
        System.exit(fuzz.failed == 0 ? 0 : 1);
    }

    // ---------------------------------------------------------------- the variants

    private void named() {
        byte[] pkl = goodEntries.get("archive/data.pkl");
        // fc1.weight: storage offset 0, size (16, 4), stride (4, 1)
        byte[] view = {'K', 0, '(', 'K', 16, 'K', 4, 't', '(', 'K', 4, 'K', 1, 't'};
        byte[] offset = view.clone();
        offset[1] = 1;
        byte[] strides = view.clone();
        strides[10] = 127;
        run("empty-data-record", entries(Map.of("archive/data/0", new byte[0])), goodJson);
        run("storage-offset-raised", entries(Map.of("archive/data.pkl",
                CheckpointSurgery.replaceFirst(pkl, view, offset))), goodJson);
        run("strides-raised", entries(Map.of("archive/data.pkl", CheckpointSurgery.replaceFirst(pkl, view, strides))),
                goodJson);
        run("data-record-cut-in-half", entries(Map.of("archive/data/1",
                Arrays.copyOf(goodEntries.get("archive/data/1"), 32))), goodJson);
        run("generator-state-cut-short", entries(Map.of("archive/data/10",
                Arrays.copyOf(goodEntries.get("archive/data/10"), 100))), goodJson);
        byte[] flipped = goodEntries.get("archive/data/0").clone();
        flipped[5] ^= 0x10;
        LinkedHashMap<String, byte[]> stale = new LinkedHashMap<>(goodEntries);
        stale.put("archive/data/0", flipped);
        run("weight-byte-flipped-crc-stale", CheckpointSurgery.zip(stale,
                Map.of("archive/data/0", goodEntries.get("archive/data/0"))), goodJson);
        runJson("global-step-negative", "global_step", -5L);
        runJson("global-step-max-long", "global_step", Long.MAX_VALUE);
        runJson("loop-global-step-negative", "loops.fit_loop.global_step", -5L);
        runJson("scheduler-last-epoch-negative", "lr_schedulers.0.last_epoch", -100L);
        runJson("scheduler-gamma-infinite", "lr_schedulers.0.gamma", "@raw:1e999");
        runJson("scheduler-gamma-nan", "lr_schedulers.0.gamma", "nan");
        runJson("scheduler-three-base-lrs", "lr_schedulers.0.base_lrs", List.of(0.1, 0.1, 0.1));
        runJson("extras-initial-lr-text", "optimizer_states.0.extras.param_groups.0.initial_lr", "x");
        runJson("scheduler-step-size-text", "lr_schedulers.0.step_size", "x");
        runJson("scheduler-last-lr-text", "lr_schedulers.0._last_lr", List.of("x"));
        runJson("callback-refuses-its-state", "callbacks.StrictCounter.count", -1L);
    }

    private void random(int i, Random random) {
        int kind = random.nextInt(6);
        LinkedHashMap<String, byte[]> entries = new LinkedHashMap<>(goodEntries);
        List<String> names = new ArrayList<>(entries.keySet());
        String name = random.nextInt(3) == 0 ? "archive/data.pkl" : names.get(random.nextInt(names.size()));
        byte[] data = entries.get(name);
        switch (kind) {
            case 0 -> { // truncate an entry
                entries.put(name, Arrays.copyOf(data, data.length == 0 ? 0 : random.nextInt(data.length)));
                run("random-" + i + "-truncate-" + name, CheckpointSurgery.zip(entries), goodJson);
            }
            case 1 -> { // flip bits, checksums recomputed
                byte[] d = data.clone();
                for (int n = 1 + random.nextInt(3); n > 0 && d.length > 0; n--) {
                    d[random.nextInt(d.length)] ^= (byte) (1 << random.nextInt(8));
                }
                entries.put(name, d);
                run("random-" + i + "-flip-" + name, CheckpointSurgery.zip(entries), goodJson);
            }
            case 2 -> { // rewrite one small integer of the pickle (offsets, sizes, strides, numels)
                byte[] pkl = entries.get("archive/data.pkl").clone();
                List<Integer> ints = new ArrayList<>();
                for (int p = 0; p + 1 < pkl.length; p++) {
                    if (pkl[p] == 'K') {
                        ints.add(p + 1);
                    }
                }
                int at = ints.get(random.nextInt(ints.size()));
                int[] choices = {0, 1, 2, 3, 4, 15, 16, 17, 63, 64, 65, 127, 128, 255};
                pkl[at] = (byte) (random.nextBoolean() ? choices[random.nextInt(choices.length)] : random.nextInt(256));
                entries.put("archive/data.pkl", pkl);
                run("random-" + i + "-pickle-int-at-" + at, CheckpointSurgery.zip(entries), goodJson);
            }
            case 3 -> { // a changed byte whose CRC is left stale must fail the CRC check
                if (data.length == 0) {
                    runJson("random-" + i + "-json", randomPath(random), VALUES[random.nextInt(VALUES.length)]);
                    return;
                }
                byte[] d = data.clone();
                d[random.nextInt(d.length)] ^= (byte) (1 << random.nextInt(8));
                entries.put(name, d);
                run("random-" + i + "-stale-crc-" + name, CheckpointSurgery.zip(entries, Map.of(name, data)),
                        goodJson);
            }
            default -> runJson("random-" + i + "-json", randomPath(random), VALUES[random.nextInt(VALUES.length)]);
        }
    }

    private byte[] entries(Map<String, byte[]> changes) {
        LinkedHashMap<String, byte[]> e = new LinkedHashMap<>(goodEntries);
        e.putAll(changes);
        return CheckpointSurgery.zip(e);
    }

    /** A dotted path to a random node of the good checkpoint's JSON part, or to a new key in a random map. */
    private String randomPath(Random random) {
        List<String> paths = new ArrayList<>();
        collectPaths("", goodJson, paths);
        String p = paths.get(random.nextInt(paths.size()));
        return random.nextInt(8) == 0 ? p + ".extra" : p;
    }

    private static void collectPaths(String prefix, Object node, List<String> paths) {
        if (node instanceof Map<?, ?> m) {
            m.forEach((k, v) -> {
                String p = prefix.isEmpty() ? String.valueOf(k) : prefix + "." + k;
                paths.add(p);
                collectPaths(p, v, paths);
            });
        } else if (node instanceof List<?> l) {
            for (int i = 0; i < l.size(); i++) {
                String p = prefix + "." + i;
                paths.add(p);
                collectPaths(p, l.get(i), paths);
            }
        }
    }

    private void runJson(String name, String path, Object value) {
        Map<String, Object> json = deepCopy(goodJson);
        set(json, path.split("\\."), value);
        run(name + " " + path + "=" + value, CheckpointSurgery.archive(good), json);
    }

    @SuppressWarnings("unchecked")
    private static void set(Object node, String[] path, Object value) {
        for (int i = 0; i < path.length - 1; i++) {
            node = node instanceof Map ? ((Map<String, Object>) node).get(path[i])
                    : ((List<Object>) node).get(Integer.parseInt(path[i]));
            if (!(node instanceof Map) && !(node instanceof List)) {
                return;
            }
        }
        String last = path[path.length - 1];
        if (node instanceof Map) {
            ((Map<String, Object>) node).put(last, value);
        } else if (last.matches("[0-9]+") && Integer.parseInt(last) < ((List<Object>) node).size()) {
            ((List<Object>) node).set(Integer.parseInt(last), value);
        }
    }

    @SuppressWarnings("unchecked")
    private static <T> T deepCopy(T value) {
        if (value instanceof Map<?, ?> m) {
            Map<Object, Object> c = new LinkedHashMap<>();
            m.forEach((k, v) -> c.put(k, deepCopy(v)));
            return (T) c;
        }
        if (value instanceof List<?> l) {
            List<Object> c = new ArrayList<>();
            l.forEach(v -> c.add(deepCopy(v)));
            return (T) c;
        }
        return value;
    }

    // ---------------------------------------------------------------- loading one variant

    private void run(String name, byte[] archive, Map<String, Object> json) {
        Path file = dir.resolve("variant.ckpt");
        String verdict;
        try {
            Files.write(file, CheckpointSurgery.container(CheckpointSurgery.jsonText(json), archive));
            Optional<double[]> expected = expectedWeights(archive);
            String a = loadFromCheckpoint(file, expected);
            String b = resume(file, expected);
            // loadFromCheckpoint reads only the weights, so it may load what a resume refuses, never the reverse
            verdict = a.startsWith("FAIL") ? a : b.startsWith("FAIL") ? b
                    : a.startsWith("REFUSED") && !b.startsWith("REFUSED") ? "FAIL loadFromCheckpoint " + a
                            + " but fit " + b : b;
        } catch (Throwable e) {
            verdict = "FAIL " + e;
        }
        if (verdict.startsWith("FAIL")) {
            failed++;
        } else if (verdict.startsWith("REFUSED")) {
            refused++;
        } else {
            loaded++;
        }
        out.println("VARIANT " + name.replace('\n', ' ') + " | " + verdict.replace('\n', ' '));
    }

    private String loadFromCheckpoint(Path file, Optional<double[]> expected) {
        ResumableNet loadedNet;
        try {
            loadedNet = LightningModule.loadFromCheckpoint(file, () -> new ResumableNet(4, 16, Snapshots::sgdStepLr));
        } catch (CheckpointException e) {
            return "REFUSED " + e.getMessage();
        }
        if (expected.isEmpty()) {
            return "FAIL loaded a checkpoint whose weights are not plain float32 views";
        }
        return Arrays.equals(expected.get(), loadedNet.weights()) ? "LOADED"
                : "FAIL loaded weights differ from the archive's";
    }

    /** Resumes into a fresh fit, stopping right after the restore (at onFitStart) to inspect what it restored. */
    private String resume(Path file, Optional<double[]> expected) {
        Trainer.seedEverything(2);
        Snapshots snapshots = new Snapshots();
        ResumableNet net = new ResumableNet(4, 16, snapshots::configure);
        double[] before = net.weights();
        StrictCounter counter = new StrictCounter();
        counter.count = 5;
        Trainer t = Trainer.builder().maxEpochs(2).logger(false).numSanityValSteps(0).enableProgressBar(false)
                .callbacks(counter, new StopAtFitStart()).build();
        try {
            t.fit(net, ResumeHarness.train(), ResumeHarness.val(), file.toString());
            return "FAIL fit did not stop at onFitStart";
        } catch (CheckpointException e) {
            List<String> changed = new ArrayList<>();
            if (!Arrays.equals(before, net.weights())) {
                changed.add("module weights");
            }
            if (!snapshots.optimizerBefore.equals(Snapshots.optimizer(snapshots.sgd))) {
                changed.add("optimizer");
            }
            if (!snapshots.schedulerBefore.equals(snapshots.scheduler.stateDict().toString())) {
                changed.add("scheduler");
            }
            if (counter.count != 5) {
                changed.add("callback");
            }
            if (t.globalStep() != 0) {
                changed.add("global step");
            }
            return changed.isEmpty() ? "REFUSED " + e.getMessage()
                    : "FAIL refused (" + e.getMessage() + ") but changed " + changed;
        } catch (StopAtFitStart.Stop s) {
            if (expected.isEmpty()) {
                return "FAIL resumed from a checkpoint whose weights are not plain float32 views";
            }
            return Arrays.equals(expected.get(), net.weights()) ? "LOADED"
                    : "FAIL resumed weights differ from the archive's";
        }
    }

    /** The module's weights as the archive's pickle and records say, decoded in Java; empty if not plain float32. */
    private static Optional<double[]> expectedWeights(byte[] archive) {
        try {
            Map<String, byte[]> entries = CheckpointSurgery.entries(archive);
            Object root = RestrictedUnpickler.loadTorchScriptData("variant", entries.get("archive/data.pkl"));
            Map<?, ?> stateDict = (Map<?, ?>) ((Map<?, ?>) root).get("state_dict");
            List<Double> values = new ArrayList<>();
            for (String key : PARAMS) {
                PickledTensor t = (PickledTensor) stateDict.get(key);
                if (t.storage().dtype() != DType.F32) {
                    return Optional.empty();
                }
                ByteBuffer data = ByteBuffer.wrap(entries.get("archive/data/" + t.storage().key()))
                        .order(ByteOrder.LITTLE_ENDIAN);
                long[] shape = t.shape();
                long[] strides = t.strides();
                long n = 1;
                for (long d : shape) {
                    n *= d;
                }
                long[] index = new long[shape.length];
                for (long k = 0; k < n; k++) {
                    long at = t.offset();
                    for (int d = 0; d < shape.length; d++) {
                        at += index[d] * strides[d];
                    }
                    values.add((double) data.getFloat((int) (at * 4)));
                    for (int d = shape.length - 1; d >= 0; d--) {
                        if (++index[d] < shape[d]) {
                            break;
                        }
                        index[d] = 0;
                    }
                }
            }
            return Optional.of(values.stream().mapToDouble(Double::doubleValue).toArray());
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    // ---------------------------------------------------------------- fixtures

    /** Creates SGD + StepLR like the saved run and remembers their state right after configureOptimizers. */
    static final class Snapshots {
        SGD sgd;
        StepLR scheduler;
        Map<String, byte[]> optimizerBefore;
        String schedulerBefore;

        static Object sgdStepLr(ResumableNet m) {
            SGD sgd = Optimizers.sgd(0.1).momentum(0.9).params(m.parameters()).build();
            return Map.of("optimizer", sgd, "lr_scheduler", new StepLR(sgd, 1, 0.5));
        }

        Object configure(ResumableNet m) {
            sgd = Optimizers.sgd(0.1).momentum(0.9).params(m.parameters()).build();
            scheduler = new StepLR(sgd, 1, 0.5);
            optimizerBefore = optimizer(sgd);
            schedulerBefore = scheduler.stateDict().toString();
            return Map.of("optimizer", sgd, "lr_scheduler", scheduler);
        }

        /** LibTorch's archive of the optimizer (minus its random serialization id), and the param-group extras. */
        static Map<String, byte[]> optimizer(SGD sgd) {
            OutputArchive a = new OutputArchive();
            sgd.save(a);
            LinkedHashMap<String, byte[]> e = CheckpointSurgery.entries(TorchArchives.toBytes(a));
            a.close();
            e.keySet().removeIf(k -> k.endsWith("serialization_id"));
            e.put("extras", ParamGroups.of(sgd).extrasStateDict().toString().getBytes(StandardCharsets.UTF_8));
            return new java.util.TreeMap<>(e) {
                @Override
                public boolean equals(Object o) {
                    if (!(o instanceof Map<?, ?> m) || !m.keySet().equals(keySet())) {
                        return false;
                    }
                    return entrySet().stream().allMatch(x -> Arrays.equals(x.getValue(), (byte[]) m.get(x.getKey())));
                }
            };
        }
    }

    /** A stateful callback whose loadStateDict refuses a negative count, as a user's callback might. */
    static final class StrictCounter implements Callback {
        long count;

        @Override
        public void onTrainBatchEnd(Trainer trainer, LightningModule module, Optional<Tensor> loss, Batch batch,
                int batchIdx) {
            count++;
        }

        @Override
        public Map<String, Object> stateDict() {
            return Map.of("count", count);
        }

        @Override
        public void loadStateDict(Map<String, Object> state) {
            if (!(state.get("count") instanceof Long c) || c < 0) {
                throw new IllegalArgumentException("StrictCounter: count must be an integer >= 0, got "
                        + state.get("count"));
            }
            count = c;
        }
    }

    /** Ends the fit right after the restore, so that the restored state can be inspected before any training. */
    static final class StopAtFitStart implements Callback {
        static final class Stop extends RuntimeException {
            Stop() {
                super("stop after restore", null, false, false);
            }
        }

        @Override
        public void onFitStart(Trainer trainer, LightningModule module) {
            throw new Stop();
        }
    }

    static Supplier<ResumableNet> net() {
        return () -> new ResumableNet(4, 16, Snapshots::sgdStepLr);
    }
}
