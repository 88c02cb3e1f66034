package dev.jlightning.checkpoint;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One checkpoint in memory: its JSON part and LibTorch's tensor archive, as read from or written to one file.
 *
 * <p>Counterpart of the dictionary Lightning's {@code CheckpointConnector.dump_checkpoint} builds. The JSON part keeps
 * Lightning's top-level keys: {@code epoch}, {@code global_step}, {@code state_dict} (here the manifest of parameter
 * and buffer names, shapes and dtypes; the values are in the archive), {@code loops}, {@code callbacks},
 * {@code optimizer_states}, {@code lr_schedulers}, {@code hyper_parameters}, plus {@code format},
 * {@code format_version}, {@code jlightning_version}, {@code weights_only}, {@code lr_scheduler_configs} and
 * {@code rng_states}. The archive is kept as the bytes LibTorch wrote; it is only handed to LibTorch after the JSON
 * part has been checked against the module and optimizers it is loaded into.
 */
public final class Checkpoint {

    private final Map<String, Object> json;
    private final byte[] archive;
    private final String source;
    private ArchiveInspector.Contents contents;

    Checkpoint(Map<String, Object> json, byte[] archive, String source) {
        this(json, archive, source, null);
    }

    Checkpoint(Map<String, Object> json, byte[] archive, String source, ArchiveInspector.Contents contents) {
        this.json = Collections.unmodifiableMap(Objects.requireNonNull(json, "json"));
        this.archive = Objects.requireNonNull(archive, "archive");
        this.source = Objects.requireNonNull(source, "source");
        this.contents = contents;
    }

    /** The archive as {@link ArchiveInspector} read it; inspected now if this checkpoint was built in memory. */
    ArchiveInspector.Contents contents() {
        if (contents == null) {
            contents = ArchiveInspector.check(source, archive);
        }
        return contents;
    }

    /** Where the checkpoint came from (its file), for messages. */
    public String source() {
        return source;
    }

    /** The JSON part (read-only). */
    public Map<String, Object> json() {
        return json;
    }

    /** The format version the file was written with. */
    public int formatVersion() {
        return ((Number) json.get(CheckpointFormat.KEY_FORMAT_VERSION)).intValue();
    }

    /** Lightning's {@code checkpoint["epoch"]}: the epoch being trained when the checkpoint was saved. */
    public int epoch() {
        return ((Number) json.get("epoch")).intValue();
    }

    /** Lightning's {@code checkpoint["global_step"]}. */
    public long globalStep() {
        return ((Number) json.get("global_step")).longValue();
    }

    /** Whether only the module's weights were saved (ModelCheckpoint's {@code save_weights_only}). */
    public boolean weightsOnly() {
        return Boolean.TRUE.equals(json.get("weights_only"));
    }

    /** Lightning's {@code checkpoint["hyper_parameters"]}; empty when the module saved none. */
    @SuppressWarnings("unchecked")
    public Map<String, Object> hyperParameters() {
        Object hp = json.get("hyper_parameters");
        return hp instanceof Map ? Collections.unmodifiableMap((Map<String, Object>) hp) : Map.of();
    }

    /** A callback's saved state, by its state key. */
    @SuppressWarnings("unchecked")
    public Optional<Map<String, Object>> callbackState(String stateKey) {
        Object callbacks = json.get("callbacks");
        if (callbacks instanceof Map && ((Map<?, ?>) callbacks).get(stateKey) instanceof Map) {
            return Optional.of(Collections.unmodifiableMap((Map<String, Object>) ((Map<?, ?>) callbacks).get(stateKey)));
        }
        return Optional.empty();
    }

    /** The names of the module's parameters and buffers the checkpoint holds, in the module's order. */
    public List<String> stateDictKeys() {
        Object sd = json.get("state_dict");
        return sd instanceof Map ? List.copyOf(((Map<?, ?>) sd).keySet().stream().map(String::valueOf).toList())
                : List.of();
    }

    /** Size in bytes of LibTorch's tensor archive. */
    public long archiveSize() {
        return archive.length;
    }

    /** The archive bytes themselves; not copied, never to be modified. */
    byte[] archiveBytes() {
        return archive;
    }
}
