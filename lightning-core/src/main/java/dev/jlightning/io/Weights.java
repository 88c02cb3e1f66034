package dev.jlightning.io;

import java.lang.ref.Reference;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.StringTensorDict;
import org.bytedeco.pytorch.Tensor;

/**
 * Loads weight files into a module by parameter name, and writes a module's weights as files PyTorch, Lightning and
 * Hugging Face tools open.
 *
 * <p>Counterpart of PyTorch's {@code module.load_state_dict(torch.load(f))} and {@code torch.save(module.state_dict(),
 * f)}, of Lightning's checkpoint dict, and of {@code safetensors.torch.load_model} / {@code save_model}. Loading is
 * all-or-nothing: every key, shape and dtype is matched and every tensor's bounds checked before the first value is
 * copied, so a failed load leaves the module as it was. The copy goes straight from the file's memory mapping into
 * the parameter ({@code copy_}, which also converts dtype), without an intermediate heap or native copy.
 */
public final class Weights {

    /** The Lightning version a written checkpoint claims, for tools that look at {@code pytorch-lightning_version}. */
    public static final String LIGHTNING_VERSION = "2.4.0";

    private Weights() {
    }

    /**
     * Loads a weight file into a module. Lightning: {@code model.load_state_dict(torch.load(path)["state_dict"])}.
     *
     * @throws WeightsFileException if the file is malformed or unsafe, or it does not fit the module; the message
     *     follows PyTorch's ({@code Missing key(s) in state_dict: ...}, {@code size mismatch for ...})
     */
    public static LoadResult load(Module module, Path path, LoadOptions options) {
        try (StateDictFile file = StateDictFile.open(path, options.stateDictKey())) {
            return load(module, file, options);
        }
    }

    /** Loads an open weight file into a module; see {@link #load(Module, Path, LoadOptions)}. */
    public static LoadResult load(Module module, StateDictFile file, LoadOptions options) {
        try (PointerScope scope = new PointerScope();
                StringTensorDict params = module.named_parameters(true);
                StringTensorDict buffers = module.named_buffers(true)) {
            Map<String, Tensor> targets = new LinkedHashMap<>();
            collect(params, targets);
            collect(buffers, targets);
            Map<String, StoredTensor> sources = new LinkedHashMap<>();
            Map<String, String> origin = new LinkedHashMap<>();
            for (StoredTensor t : file.tensors().values()) {
                String key = options.mapKey(t.key());
                String before = origin.put(key, t.key());
                if (before != null) {
                    throw new WeightsFileException(file.path() + ": keys '" + before + "' and '" + t.key()
                            + "' both map to '" + key + "'");
                }
                sources.put(key, t);
            }
            List<String> missing = targets.keySet().stream().filter(k -> !sources.containsKey(k)).toList();
            List<String> unexpected = sources.keySet().stream().filter(k -> !targets.containsKey(k)).toList();
            List<String> errors = new ArrayList<>();
            if (options.strict()) {
                if (!unexpected.isEmpty()) {
                    errors.add("Unexpected key(s) in state_dict: " + quoted(unexpected) + ". ");
                }
                if (!missing.isEmpty()) {
                    errors.add("Missing key(s) in state_dict: " + quoted(missing) + ". ");
                }
            }
            for (Map.Entry<String, StoredTensor> e : sources.entrySet()) {
                Tensor target = targets.get(e.getKey());
                if (target == null) {
                    continue;
                }
                StoredTensor source = e.getValue();
                long[] live = target.sizes().vec().get();
                if (!Arrays.equals(live, source.shape())) {
                    errors.add("size mismatch for " + e.getKey() + ": copying a param with shape "
                            + torchSize(source.shape()) + " from checkpoint, the shape in current model is "
                            + torchSize(live) + ".");
                } else if (!options.convertDtype()
                        && DType.fromScalarType(target.scalar_type()).orElse(null) != source.dtype()) {
                    // String.valueOf(scalar_type()) is LibTorch's name; intern() gives the Java constant's
                    errors.add("dtype mismatch for " + e.getKey() + ": the file holds " + source.dtype().torchName()
                            + ", the current model " + DType.fromScalarType(target.scalar_type())
                                    .map(DType::torchName).orElse(String.valueOf(target.scalar_type().intern())) + ".");
                }
            }
            if (!errors.isEmpty()) {
                throw new WeightsFileException("Error(s) in loading state_dict for " + module.getClass().getSimpleName()
                        + " from " + file.path() + ":\n\t" + String.join("\n\t", errors));
            }
            int loaded = 0;
            try (NoGradGuard guard = new NoGradGuard()) {
                for (Map.Entry<String, StoredTensor> e : sources.entrySet()) {
                    Tensor target = targets.get(e.getKey());
                    if (target != null) {
                        target.copy_(e.getValue().view());
                        loaded++;
                    }
                }
            }
            // the views point into mappings the file object owns: keep it alive until every copy is done
            Reference.reachabilityFence(file);
            return new LoadResult(missing, unexpected, loaded, file.format(), file.extras(), file.metadata(),
                    file.hyperParameters());
        }
    }

    /**
     * Writes the module's parameters and buffers as safetensors with {@code __metadata__} {@code {"format": "pt"}}
     * (what {@code safetensors.torch} writes) and, when there are any, {@code "hyper_parameters"} as JSON text.
     */
    public static void saveSafetensors(Module module, Path path, Map<String, ?> hyperParameters) {
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put("format", "pt");
        if (!hyperParameters.isEmpty()) {
            metadata.put("hyper_parameters", HyperParameters.toJson(new LinkedHashMap<>(hyperParameters)));
        }
        try (PointerScope scope = new PointerScope();
                StringTensorDict params = module.named_parameters(true);
                StringTensorDict buffers = module.named_buffers(true)) {
            Safetensors.write(path, stateDict(params, buffers), metadata);
        }
    }

    /** Writes tensors by name as safetensors; {@code metadata} becomes {@code __metadata__}. */
    public static void saveSafetensors(Map<String, Tensor> tensors, Path path, Map<String, String> metadata) {
        Safetensors.write(path, tensors, metadata);
    }

    /** Writes {@code torch.save(module.state_dict())}: an {@code OrderedDict} of tensors in a zip. */
    public static void saveTorch(Module module, Path path) {
        try (PointerScope scope = new PointerScope();
                StringTensorDict params = module.named_parameters(true);
                StringTensorDict buffers = module.named_buffers(true)) {
            TorchZip.write(path, stateDict(params, buffers), Optional.empty());
        }
    }

    /**
     * Writes a Lightning-shaped checkpoint dict with {@code torch.save}'s format: {@code state_dict}, {@code epoch},
     * {@code global_step}, {@code pytorch-lightning_version} and {@code hyper_parameters}. Python loads it with
     * {@code torch.load(path)} and {@code model.load_state_dict(ckpt["state_dict"], strict=True)}.
     */
    public static void saveLightningCheckpoint(Module module, Path path, Map<String, ?> hyperParameters, long epoch,
            long globalStep) {
        Map<String, Object> rest = new LinkedHashMap<>();
        rest.put("epoch", epoch);
        rest.put("global_step", globalStep);
        rest.put("pytorch-lightning_version", LIGHTNING_VERSION);
        rest.put("hyper_parameters", new LinkedHashMap<>(hyperParameters));
        try (PointerScope scope = new PointerScope();
                StringTensorDict params = module.named_parameters(true);
                StringTensorDict buffers = module.named_buffers(true)) {
            TorchZip.write(path, stateDict(params, buffers), Optional.of(rest));
        }
    }

    /** Writes a module's weights in {@code format}; epoch and step are used by the checkpoint format only. */
    public static void save(Module module, Path path, WeightsFormat format, Map<String, ?> hyperParameters,
            long epoch, long globalStep) {
        switch (format) {
            case SAFETENSORS -> saveSafetensors(module, path, hyperParameters);
            case TORCH_STATE_DICT -> saveTorch(module, path);
            case LIGHTNING_CHECKPOINT -> saveLightningCheckpoint(module, path, hyperParameters, epoch, globalStep);
            default -> throw new IllegalArgumentException("unknown format " + format);
        }
    }

    private static Map<String, Tensor> stateDict(StringTensorDict params, StringTensorDict buffers) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        collect(params, out);
        collect(buffers, out);
        return out;
    }

    private static void collect(StringTensorDict dict, Map<String, Tensor> into) {
        for (long i = 0; i < dict.size(); i++) {
            // the dict stays open for the whole operation, so the by-reference values stay valid
            into.put(dict.get(i).key().getString(), dict.get(i).value());
        }
    }

    private static String quoted(List<String> keys) {
        return keys.stream().map(k -> "\"" + k + "\"").collect(Collectors.joining(", "));
    }

    private static String torchSize(long[] shape) {
        return "torch.Size(" + Arrays.toString(shape) + ")";
    }
}
