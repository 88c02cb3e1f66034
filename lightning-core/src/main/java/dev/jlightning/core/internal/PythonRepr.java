package dev.jlightning.core.internal;

import java.util.Collection;

/**
 * Python's {@code repr} of string lists and sets, so messages quote names exactly as Lightning's do
 * ({@code ['lr-SGD', 'train_loss']}, {@code {'x'}}). Not part of the public API.
 */
public final class PythonRepr {

    private PythonRepr() {
    }

    /** {@code ['a', 'b']}. */
    public static String list(Collection<String> values) {
        return join(values, '[', ']');
    }

    /** {@code {'a', 'b'}} (in the collection's iteration order). */
    public static String set(Collection<String> values) {
        return values.isEmpty() ? "set()" : join(values, '{', '}');
    }

    private static String join(Collection<String> values, char open, char close) {
        StringBuilder sb = new StringBuilder().append(open);
        for (String v : values) {
            if (sb.length() > 1) {
                sb.append(", ");
            }
            sb.append('\'').append(v).append('\'');
        }
        return sb.append(close).toString();
    }
}
