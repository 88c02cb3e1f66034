package dev.jlightning.io;

import java.util.Objects;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * How a weight file's keys are matched to a module's parameters and buffers. Immutable; build with
 * {@link #builder()}.
 *
 * <p>Counterpart of the arguments of PyTorch's {@code module.load_state_dict(state_dict, strict=True)} plus the key
 * surgery people do by hand before calling it (stripping Lightning's {@code "model."}, renaming layers). Keys are
 * transformed in this order: {@link Builder#stripPrefix}, {@link Builder#addPrefix}, {@link Builder#rename}.
 *
 * @param strict missing and unexpected keys are an error (PyTorch's default); otherwise they are reported in
 *     {@link LoadResult}
 * @param stripPrefix removed from the start of every file key that has it ("" for none)
 * @param addPrefix put in front of every file key ("" for none)
 * @param rename applied last to every file key
 * @param convertDtype a tensor whose dtype differs from the parameter's is converted, as PyTorch's {@code copy_}
 *     does; when false such a tensor is a mismatch
 * @param stateDictKey for a {@code torch.save} dict: the key holding the state dict (see
 *     {@link StateDictFile#open(java.nio.file.Path, Optional)})
 */
public record LoadOptions(boolean strict, String stripPrefix, String addPrefix, UnaryOperator<String> rename,
        boolean convertDtype, Optional<String> stateDictKey) {

    /** PyTorch's defaults: strict, no key changes, dtype converted. */
    public static final LoadOptions DEFAULT = builder().build();

    public LoadOptions {
        Objects.requireNonNull(stripPrefix, "stripPrefix");
        Objects.requireNonNull(addPrefix, "addPrefix");
        Objects.requireNonNull(rename, "rename");
        Objects.requireNonNull(stateDictKey, "stateDictKey");
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The key a file key becomes in the module. */
    public String mapKey(String fileKey) {
        String k = !stripPrefix.isEmpty() && fileKey.startsWith(stripPrefix)
                ? fileKey.substring(stripPrefix.length()) : fileKey;
        String renamed = rename.apply(addPrefix + k);
        if (renamed == null || renamed.isEmpty()) {
            throw new IllegalArgumentException("the rename function maps '" + fileKey + "' to "
                    + (renamed == null ? "null" : "an empty key"));
        }
        return renamed;
    }

    /** Builder for {@link LoadOptions}. */
    public static final class Builder {
        private boolean strict = true;
        private String stripPrefix = "";
        private String addPrefix = "";
        private UnaryOperator<String> rename = UnaryOperator.identity();
        private boolean convertDtype = true;
        private Optional<String> stateDictKey = Optional.empty();

        private Builder() {
        }

        public Builder strict(boolean strict) {
            this.strict = strict;
            return this;
        }

        /** E.g. {@code "model."} for a Lightning checkpoint whose module holds the network as {@code self.model}. */
        public Builder stripPrefix(String prefix) {
            this.stripPrefix = Objects.requireNonNull(prefix, "prefix");
            return this;
        }

        public Builder addPrefix(String prefix) {
            this.addPrefix = Objects.requireNonNull(prefix, "prefix");
            return this;
        }

        /** A key mapping applied after the prefixes, e.g. {@code k -> k.replace("0.", "fc1.")}. */
        public Builder rename(UnaryOperator<String> rename) {
            this.rename = Objects.requireNonNull(rename, "rename");
            return this;
        }

        public Builder convertDtype(boolean convert) {
            this.convertDtype = convert;
            return this;
        }

        public Builder stateDictKey(String key) {
            this.stateDictKey = Optional.of(Objects.requireNonNull(key, "key"));
            return this;
        }

        public LoadOptions build() {
            return new LoadOptions(strict, stripPrefix, addPrefix, rename, convertDtype, stateDictKey);
        }
    }
}
