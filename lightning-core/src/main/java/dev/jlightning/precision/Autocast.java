package dev.jlightning.precision;

import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.DeviceType;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * LibTorch's autocast switched on for one device type on the calling thread, and restored on {@link #close()}.
 *
 * <p>Counterpart of {@code torch.autocast(device_type, dtype)} used as a context manager, with its exact enter and
 * exit: the previous enabled flag, dtype and cast-cache flag are saved and put back, the nesting count is raised and
 * lowered, and leaving the outermost region clears the cache of casted weights (otherwise the next step would reuse
 * low-precision copies of weights the optimizer has since changed). Autocast state is thread-local in LibTorch: open
 * and close it on the same thread, with try-with-resources.
 */
public final class Autocast implements ForwardContext {

    private final DeviceType deviceType;
    private final boolean previousEnabled;
    private final ScalarType previousDtype;
    private final boolean previousCacheEnabled;
    private boolean closed;

    private Autocast(DeviceType deviceType, ScalarType dtype) {
        this.deviceType = deviceType;
        this.previousEnabled = torch.is_autocast_enabled(deviceType);
        this.previousDtype = torch.get_autocast_dtype(deviceType).intern();
        this.previousCacheEnabled = torch.is_autocast_cache_enabled();
        torch.set_autocast_enabled(deviceType, true);
        torch.set_autocast_dtype(deviceType, dtype);
        torch.increment_nesting();
        torch.set_autocast_cache_enabled(true);
    }

    /**
     * Enters autocast for {@code deviceType} ({@code CPU} or {@code CUDA}) with {@code dtype} ({@code BFloat16} or
     * {@code Half}).
     *
     * @throws IllegalArgumentException if LibTorch has no autocast for that device type
     */
    public static Autocast enter(DeviceType deviceType, ScalarType dtype) {
        if (!torch.is_autocast_available(deviceType)) {
            throw new IllegalArgumentException("autocast is not available for device type " + deviceType);
        }
        return new Autocast(deviceType, dtype);
    }

    /** Whether autocast is on for {@code deviceType} on this thread: {@code torch.is_autocast_enabled(device_type)}. */
    public static boolean isEnabled(DeviceType deviceType) {
        return torch.is_autocast_enabled(deviceType);
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (torch.decrement_nesting() == 0) {
            torch.clear_cache();
        }
        torch.set_autocast_enabled(deviceType, previousEnabled);
        torch.set_autocast_dtype(deviceType, previousDtype);
        torch.set_autocast_cache_enabled(previousCacheEnabled);
    }
}
