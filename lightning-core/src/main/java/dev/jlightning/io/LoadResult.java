package dev.jlightning.io;

import java.util.List;
import java.util.Map;

/**
 * What a non-failing {@code loadStateDict} did.
 *
 * <p>Counterpart of the {@code _IncompatibleKeys(missing_keys, unexpected_keys)} PyTorch's {@code load_state_dict}
 * returns, plus what else the file carried.
 *
 * @param missingKeys module keys the file had no value for (only non-empty when not strict)
 * @param unexpectedKeys file keys, after key mapping, that the module does not have (only non-empty when not strict)
 * @param loadedKeys how many parameters and buffers were copied
 * @param format the file's format
 * @param extras a {@code torch.save} dict's other entries ({@code epoch}, {@code global_step}, ...)
 * @param metadata safetensors {@code __metadata__}
 * @param hyperParameters the hyperparameters the file carried, see {@link StateDictFile#hyperParameters()}
 */
public record LoadResult(List<String> missingKeys, List<String> unexpectedKeys, int loadedKeys, WeightsFormat format,
        Map<String, Object> extras, Map<String, String> metadata, Map<String, Object> hyperParameters) {

    public LoadResult {
        missingKeys = List.copyOf(missingKeys);
        unexpectedKeys = List.copyOf(unexpectedKeys);
    }
}
