package dev.jlightning.io;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A weight file, opened and checked: its tensors by key (memory-mapped, not yet copied), and whatever else the file
 * carries as plain data.
 *
 * <p>Counterpart of the object {@code torch.load(path, weights_only=True)} or {@code safetensors.torch.load_file}
 * returns. {@link #open(Path)} recognises the format from the file's first bytes: a zip written by
 * {@code torch.save} ({@code .pt}, {@code .pth}, {@code .bin}, Lightning {@code .ckpt}) or safetensors. Everything
 * is checked in Java while opening (zip structure, the pickle through {@link RestrictedUnpickler}, every tensor's
 * bounds), so a file that opens can be copied from safely. Keep the object open while you use {@link
 * StoredTensor#view()}s; the mappings are released by the garbage collector after {@link #close()}.
 */
public final class StateDictFile implements AutoCloseable {

    private final Path path;
    private final WeightsFormat format;
    private final Map<String, StoredTensor> tensors;
    private final Map<String, Object> extras;
    private final Map<String, String> metadata;
    private boolean closed;

    StateDictFile(Path path, WeightsFormat format, Map<String, StoredTensor> tensors, Map<String, Object> extras,
            Map<String, String> metadata) {
        this.path = path;
        this.format = format;
        this.tensors = Collections.unmodifiableMap(new LinkedHashMap<>(tensors));
        this.extras = Collections.unmodifiableMap(new LinkedHashMap<>(extras));
        this.metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
    }

    /** Opens a weight file; a {@code torch.save} file holding a dict finds its state dict by the usual keys. */
    public static StateDictFile open(Path path) {
        return open(path, Optional.empty());
    }

    /**
     * Opens a weight file.
     *
     * @param stateDictKey for a {@code torch.save} file holding a dict: the key of the state dict inside it; when
     *     empty, the file's top-level object is used if it maps names to tensors, else the first of
     *     {@code state_dict}, {@code model_state_dict}, {@code model}, {@code module} that does
     * @throws WeightsFileException if the file is malformed, unsafe or not a weight file; the message says why
     */
    public static StateDictFile open(Path path, Optional<String> stateDictKey) {
        try (MappedFile file = new MappedFile(path)) {
            ByteBuffer head = file.read(0, (int) Math.min(16, file.size()), "the first bytes");
            if (TorchZip.sniff(head)) {
                return TorchZip.read(file, stateDictKey);
            }
            if (Safetensors.sniff(head, file.size())) {
                return Safetensors.read(file);
            }
            throw new WeightsFileException(path + " is not a weight file JLightning reads: " + describe(head));
        }
    }

    private static String describe(ByteBuffer head) {
        if (head.remaining() >= 2 && (head.get(0) & 0xFF) == 0x80 && head.get(1) <= 5) {
            return "it is a bare pickle, PyTorch's legacy non-zip torch.save format (before PyTorch 1.6, or"
                    + " _use_new_zipfile_serialization=False); re-save it in Python with torch.save(torch.load(f), g)";
        }
        byte[] b = new byte[Math.min(6, head.remaining())];
        head.get(0, b);
        if (new String(b, StandardCharsets.ISO_8859_1).equals("JLCKPT")) {
            return "it is a JLightning checkpoint; open it with LightningModule.loadFromCheckpoint";
        }
        return "neither a torch.save zip nor safetensors";
    }

    public Path path() {
        return path;
    }

    public WeightsFormat format() {
        return format;
    }

    /** The tensors by key, in the file's order. */
    public Map<String, StoredTensor> tensors() {
        requireOpen();
        return tensors;
    }

    /**
     * For a {@code torch.save} dict, its other entries as plain data: numbers ({@code Long}, {@code Double}),
     * strings, booleans, lists, maps, and {@link StoredTensor}s; for a Lightning checkpoint {@code epoch},
     * {@code global_step}, {@code hyper_parameters}, {@code pytorch-lightning_version} among them. Empty otherwise.
     */
    public Map<String, Object> extras() {
        return extras;
    }

    /** The safetensors {@code __metadata__}; empty for other formats. */
    public Map<String, String> metadata() {
        return metadata;
    }

    /**
     * The hyperparameters the file carries: a checkpoint's {@code hyper_parameters}, or the JSON held by a
     * safetensors file's {@code "hyper_parameters"} metadata entry (how JLightning writes them); empty if none.
     */
    public Map<String, Object> hyperParameters() {
        Object hp = extras.get("hyper_parameters");
        if (hp instanceof Map<?, ?> m) {
            Map<String, Object> out = new LinkedHashMap<>();
            m.forEach((k, v) -> out.put(String.valueOf(k), v));
            return out;
        }
        String json = metadata.get("hyper_parameters");
        if (json != null) {
            return HyperParameters.fromJson(path + ": __metadata__ hyper_parameters", json);
        }
        return Map.of();
    }

    private void requireOpen() {
        if (closed) {
            throw new IllegalStateException(path + " was closed");
        }
    }

    @Override
    public void close() {
        closed = true;
    }
}
