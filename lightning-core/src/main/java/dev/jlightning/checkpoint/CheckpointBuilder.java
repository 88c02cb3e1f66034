package dev.jlightning.checkpoint;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Optimizer;
import org.bytedeco.pytorch.OutputArchive;
import org.bytedeco.pytorch.StringTensorDict;
import org.bytedeco.pytorch.Tensor;

/**
 * Assembles a {@link Checkpoint}: JSON entries in the order they are added, tensors into one LibTorch archive.
 *
 * <p>Plays the part of Lightning's {@code dump_checkpoint}. The module's parameters and buffers go to the archive's
 * {@code state_dict} archive under their dotted names, each optimizer's own {@code Optimizer::save} output to
 * {@code optimizer_states/<i>} (LibTorch's per-parameter state, such as momentum buffers and Adam moments, is not
 * reachable from Java any other way), LibTorch's CPU generator state to {@code rng_torch_cpu}; the JSON part gets a
 * manifest of each so that loading can check them first.
 */
public final class CheckpointBuilder {

    static final String ARCHIVE_STATE_DICT = "state_dict";
    static final String ARCHIVE_OPTIMIZER_PREFIX = "optimizer_states/";
    static final String ARCHIVE_RNG = "rng_torch_cpu";

    private final Map<String, Object> json = new LinkedHashMap<>();
    private final OutputArchive archive = new OutputArchive();
    private boolean built;

    private CheckpointBuilder(int epoch, long globalStep, boolean weightsOnly) {
        json.put(CheckpointFormat.KEY_FORMAT, CheckpointFormat.FORMAT_NAME);
        json.put(CheckpointFormat.KEY_FORMAT_VERSION, CheckpointFormat.VERSION);
        json.put("jlightning_version", version());
        json.put("epoch", epoch);
        json.put("global_step", globalStep);
        json.put("weights_only", weightsOnly);
    }

    /** Starts a checkpoint with Lightning's {@code epoch} and {@code global_step}. */
    public static CheckpointBuilder create(int epoch, long globalStep, boolean weightsOnly) {
        return new CheckpointBuilder(epoch, globalStep, weightsOnly);
    }

    /** Adds a JSON entry; {@code value} must be plain JSON data (maps, lists, strings, numbers, booleans). */
    public CheckpointBuilder put(String key, Object value) {
        json.put(Objects.requireNonNull(key, "key"), value);
        return this;
    }

    /** Adds every parameter and buffer of {@code module}: the manifest under {@code state_dict}, values to the archive. */
    public CheckpointBuilder module(Module module) {
        json.put("state_dict", TensorStates.moduleManifest(module));
        try (OutputArchive sub = new OutputArchive();
                StringTensorDict params = module.named_parameters(true);
                StringTensorDict buffers = module.named_buffers(true)) {
            for (long i = 0; i < params.size(); i++) {
                sub.write(params.get(i).key().getString(), params.get(i).value(), false);
            }
            for (long i = 0; i < buffers.size(); i++) {
                sub.write(buffers.get(i).key().getString(), buffers.get(i).value(), true);
            }
            archive.write(ARCHIVE_STATE_DICT, sub);
        }
        return this;
    }

    /** Adds each optimizer's LibTorch state and the manifests under {@code optimizer_states}, in order. */
    public CheckpointBuilder optimizers(List<Optimizer> optimizers) {
        List<Object> manifests = new ArrayList<>();
        for (int i = 0; i < optimizers.size(); i++) {
            Optimizer o = optimizers.get(i);
            manifests.add(TensorStates.optimizerManifest(o));
            try (OutputArchive sub = new OutputArchive()) {
                o.save(sub);
                archive.write(ARCHIVE_OPTIMIZER_PREFIX + i, sub);
            }
        }
        json.put("optimizer_states", manifests);
        return this;
    }

    /**
     * Adds LibTorch's CPU generator state (to the archive) and {@code rngStates} (to the JSON part, under
     * {@code rng_states}).
     */
    public CheckpointBuilder rngStates(Map<String, Object> rngStates) {
        org.bytedeco.pytorch.Generator cpu = torch.getDefaultCPUGenerator();
        try (Tensor state = cpu.get_state()) {
            archive.write(ARCHIVE_RNG, state);
        }
        Map<String, Object> entry = new LinkedHashMap<>(rngStates);
        entry.put("torch_cpu", "archive:" + ARCHIVE_RNG);
        json.put("rng_states", entry);
        return this;
    }

    /** Serialises the archive and returns the checkpoint; the builder cannot be used afterwards. */
    public Checkpoint build() {
        if (built) {
            throw new IllegalStateException("build() was already called");
        }
        built = true;
        try {
            byte[] bytes = TorchArchives.toBytes(archive);
            return new Checkpoint(json, bytes, "<checkpoint of epoch " + json.get("epoch") + ", global step "
                    + json.get("global_step") + ">");
        } finally {
            archive.close();
        }
    }

    private static String version() {
        String v = CheckpointBuilder.class.getPackage().getImplementationVersion();
        return v == null ? "0.1.0-SNAPSHOT" : v;
    }
}
