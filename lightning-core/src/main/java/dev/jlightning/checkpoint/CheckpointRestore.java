package dev.jlightning.checkpoint;

import dev.jlightning.optim.ParamGroups;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.InputArchive;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Optimizer;
import org.bytedeco.pytorch.StringTensorDict;
import org.bytedeco.pytorch.Tensor;

/**
 * Restores a {@link Checkpoint} into a module, its optimizers and LibTorch's generator, all-or-nothing.
 *
 * <p>Plays the part of Lightning's {@code CheckpointConnector.restore_model} / {@code restore_optimizers}, with a
 * stricter order: {@link #verifyModule} and {@link #verifyOptimizers} compare the JSON manifests with the live objects
 * without touching native code; {@link #stage} then opens the archive (whose storages {@link ArchiveInspector}
 * bounds-checked when the file was read) and reads every tensor into fresh tensors, checking each one's actual shape
 * and dtype; {@link #verifyOptimizerArchive} checks the archived optimizer states; only {@code apply*} change
 * anything.
 */
public final class CheckpointRestore implements AutoCloseable {

    private final Checkpoint checkpoint;
    private final BytePointer bytes;
    private final InputArchive root;
    private final Map<String, Tensor> staged = new LinkedHashMap<>();
    private Tensor rng;

    private CheckpointRestore(Checkpoint checkpoint) {
        this.checkpoint = checkpoint;
        byte[] archive = checkpoint.archiveBytes();
        this.bytes = new BytePointer(archive.length);
        InputArchive opened;
        try {
            opened = TorchArchives.fromBytes(archive, bytes);
        } catch (RuntimeException e) {
            bytes.close();
            throw new CheckpointException(checkpoint.source() + " is corrupted: LibTorch cannot open its tensor"
                    + " archive (" + firstLine(e) + ")", e);
        }
        this.root = opened;
    }

    /**
     * Refuses a checkpoint whose parameters and buffers differ from {@code module}'s, listing the missing,
     * unexpected and mismatched names. Lightning: {@code load_state_dict(strict=True)}'s error.
     */
    public static void verifyModule(Checkpoint checkpoint, Module module) {
        Map<String, Object> saved = CheckpointJson.toMap(checkpoint.json().get("state_dict"),
                checkpoint.source() + ": entry 'state_dict'");
        String report = TensorStates.compareModule(saved, TensorStates.moduleManifest(module), checkpoint.source());
        if (!report.isEmpty()) {
            throw new CheckpointException(checkpoint.source() + " does not fit " + module.getClass().getSimpleName()
                    + " (was it saved from another model?):" + report);
        }
    }

    /**
     * Refuses a checkpoint whose optimizers differ from the ones {@code configureOptimizers} returned now: their
     * number, classes, param groups or parameter shapes.
     */
    public static void verifyOptimizers(Checkpoint checkpoint, List<Optimizer> optimizers) {
        String source = checkpoint.source();
        if (checkpoint.weightsOnly() || !checkpoint.json().containsKey("optimizer_states")) {
            throw new CheckpointException(source + " holds only the model's weights (ModelCheckpoint's"
                    + " saveWeightsOnly), so training cannot resume from it: there are no optimizer, scheduler or"
                    + " loop states. Load it with LightningModule.loadFromCheckpoint, or resume from a full"
                    + " checkpoint.");
        }
        List<Object> saved = CheckpointJson.toList(checkpoint.json().get("optimizer_states"),
                source + ": entry 'optimizer_states'");
        if (saved.size() != optimizers.size()) {
            throw new CheckpointException(source + " holds " + saved.size() + " optimizer state(s), but"
                    + " configureOptimizers returned " + optimizers.size() + " optimizer(s); the checkpoint was saved"
                    + " with a different configureOptimizers");
        }
        List<String> problems = new ArrayList<>();
        for (int i = 0; i < saved.size(); i++) {
            Map<String, Object> manifest = CheckpointJson.toMap(saved.get(i), source + ": optimizer_states[" + i + "]");
            String p = TensorStates.compareOptimizer(i, manifest, TensorStates.optimizerManifest(optimizers.get(i)),
                    source);
            if (!p.isEmpty()) {
                problems.add(p);
            }
        }
        if (!problems.isEmpty()) {
            throw new CheckpointException(source + " does not match the optimizers configureOptimizers returned: "
                    + String.join("; ", problems));
        }
    }

    /**
     * Refuses optimizer states in the tensor archive that do not fit the optimizers (group and parameter counts,
     * buffer shapes), before LibTorch's {@code optimizer.load} reads them; see {@link OptimizerArchiveCheck}.
     */
    public static void verifyOptimizerArchive(Checkpoint checkpoint, List<Optimizer> optimizers) {
        List<String> archived = OptimizerArchiveCheck.checkAll(checkpoint, optimizers);
        if (!archived.isEmpty()) {
            throw new CheckpointException(checkpoint.source() + " is corrupted: its tensor archive disagrees with its"
                    + " manifest: " + String.join("; ", archived));
        }
    }

    /**
     * Refuses param-group extras (PyTorch's {@code initial_lr}, OneCycleLR's {@code max_lr} ...) that the optimizers
     * would not take, before anything is restored.
     */
    public static void verifyOptimizerExtras(Checkpoint checkpoint, List<Optimizer> optimizers) {
        List<Object> manifests = CheckpointJson.toList(checkpoint.json().get("optimizer_states"),
                checkpoint.source() + ": entry 'optimizer_states'");
        for (int i = 0; i < optimizers.size() && i < manifests.size(); i++) {
            Map<String, Object> manifest = CheckpointJson.toMap(manifests.get(i), checkpoint.source()
                    + ": optimizer_states[" + i + "]");
            Object extras = manifest.get("extras");
            if (extras == null) {
                continue;
            }
            try {
                ParamGroups.of(optimizers.get(i)).checkExtrasStateDict(CheckpointJson.toMap(extras,
                        checkpoint.source() + ": optimizer_states[" + i + "].extras"));
            } catch (IllegalArgumentException e) {
                throw new CheckpointException(checkpoint.source() + ": optimizer " + i + ": " + e.getMessage(), e);
            }
        }
    }

    /**
     * Opens the archive and reads the module's tensors (and LibTorch's generator state when {@code withRng}) into
     * fresh tensors, checking each against the module. Nothing is changed yet.
     */
    public static CheckpointRestore stage(Checkpoint checkpoint, Module module, boolean withRng) {
        verifyModule(checkpoint, module);
        CheckpointRestore r = new CheckpointRestore(checkpoint);
        try {
            r.readModule(module);
            if (withRng) {
                r.readRng();
            }
            return r;
        } catch (RuntimeException e) {
            r.close();
            throw e;
        }
    }

    private void readModule(Module module) {
        InputArchive sub = new InputArchive();
        readArchive(CheckpointBuilder.ARCHIVE_STATE_DICT, sub);
        Map<String, Object> manifest = TensorStates.moduleManifest(module);
        for (Map.Entry<String, Object> e : manifest.entrySet()) {
            boolean buffer = Boolean.TRUE.equals(((Map<?, ?>) e.getValue()).get("buffer"));
            Tensor t = new Tensor();
            boolean found;
            try {
                found = sub.try_read(e.getKey(), t, buffer);
            } catch (RuntimeException ex) {
                throw archiveError("tensor '" + e.getKey() + "' cannot be read", ex);
            }
            if (!found || !t.defined()) {
                throw new CheckpointException(checkpoint.source() + " is corrupted: its archive lacks the tensor '"
                        + e.getKey() + "' that its manifest lists");
            }
            Map<?, ?> expected = (Map<?, ?>) e.getValue();
            String shape = TensorStates.shapeList(t.shape()).toString();
            if (!shape.equals(String.valueOf(expected.get("shape")))
                    || !String.valueOf(t.scalar_type()).equals(expected.get("dtype"))) {
                throw new CheckpointException(checkpoint.source() + " is corrupted: tensor '" + e.getKey()
                        + "' in its archive has shape " + shape + " and dtype " + t.scalar_type() + ", but the module"
                        + " needs " + expected.get("shape") + " " + expected.get("dtype"));
            }
            staged.put(e.getKey(), t);
        }
    }

    private void readRng() {
        Tensor t = new Tensor();
        boolean found;
        try {
            found = root.try_read(CheckpointBuilder.ARCHIVE_RNG, t);
        } catch (RuntimeException ex) {
            throw archiveError("the generator state cannot be read", ex);
        }
        if (!found) {
            return;
        }
        try (Tensor current = torch.getDefaultCPUGenerator().get_state()) {
            String got = t.scalar_type() + java.util.Arrays.toString(t.shape());
            String expected = current.scalar_type() + java.util.Arrays.toString(current.shape());
            if (!got.equals(expected)) {
                throw new CheckpointException(checkpoint.source() + " is corrupted: its LibTorch generator state is "
                        + got + ", expected " + expected);
            }
        }
        rng = t;
    }

    /** Copies the staged parameters and buffers into {@code module}. */
    public void applyModule(Module module) {
        try (NoGradGuard guard = new NoGradGuard();
                StringTensorDict params = module.named_parameters(true);
                StringTensorDict buffers = module.named_buffers(true)) {
            copyInto(params);
            copyInto(buffers);
        }
    }

    private void copyInto(StringTensorDict dict) {
        for (long i = 0; i < dict.size(); i++) {
            Tensor source = staged.get(dict.get(i).key().getString());
            dict.get(i).value().copy_(source);
        }
    }

    /** Loads each optimizer's LibTorch state and JLightning's param-group extras; verify them first. */
    public void applyOptimizers(List<Optimizer> optimizers) {
        List<Object> manifests = CheckpointJson.toList(checkpoint.json().get("optimizer_states"), "optimizer_states");
        for (int i = 0; i < optimizers.size(); i++) {
            InputArchive sub = new InputArchive();
            readArchive(CheckpointBuilder.ARCHIVE_OPTIMIZER_PREFIX + i, sub);
            try {
                optimizers.get(i).load(sub);
            } catch (RuntimeException e) {
                throw archiveError("optimizer " + i + "'s state cannot be loaded", e);
            }
            Map<String, Object> manifest = CheckpointJson.toMap(manifests.get(i), "optimizer_states[" + i + "]");
            Object extras = manifest.get("extras");
            if (extras instanceof Map) {
                try {
                    ParamGroups.of(optimizers.get(i)).loadExtrasStateDict(CheckpointJson.toMap(extras, "extras"));
                } catch (IllegalArgumentException e) {
                    throw new CheckpointException(checkpoint.source() + ": optimizer " + i + ": " + e.getMessage(), e);
                }
            }
        }
    }

    /** Restores LibTorch's CPU generator, if the checkpoint has its state and {@link #stage} read it. */
    public void applyRng() {
        if (rng != null) {
            torch.getDefaultCPUGenerator().set_state(rng);
        }
    }

    private void readArchive(String key, InputArchive into) {
        boolean found;
        try {
            found = root.try_read(key, into);
        } catch (RuntimeException e) {
            throw archiveError("'" + key + "' cannot be read", e);
        }
        if (!found) {
            throw new CheckpointException(checkpoint.source() + " is corrupted: its tensor archive lacks '" + key + "'");
        }
    }

    private CheckpointException archiveError(String what, RuntimeException e) {
        return new CheckpointException(checkpoint.source() + " is corrupted: " + what + " (" + firstLine(e) + ")", e);
    }

    private static String firstLine(RuntimeException e) {
        String m = String.valueOf(e.getMessage());
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }

    @Override
    public void close() {
        for (Tensor t : staged.values()) {
            t.close();
        }
        staged.clear();
        if (rng != null) {
            rng.close();
        }
        root.close();
        bytes.close();
    }
}
