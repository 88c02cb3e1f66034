package dev.jlightning.trainer;

import dev.jlightning.core.MisconfigurationException;
import java.util.List;
import java.util.Locale;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.global.torch;

/**
 * Turns the Trainer's {@code accelerator} and {@code devices} options into the device a run uses.
 *
 * <p>Counterpart of Lightning's {@code _AcceleratorConnector}: "cpu", "cuda" (alias "gpu") or "auto" (CUDA when
 * available, else CPU). The device here is local rank 0's; under DDP each rank's device comes from its strategy.
 * Asking for CUDA without a usable GPU fails when the Trainer is built, before any data is touched.
 */
final class AcceleratorConnector {

    static final List<String> ACCELERATORS = List.of("cpu", "cuda", "gpu", "auto");

    private AcceleratorConnector() {
    }

    static String validateAccelerator(String accelerator) {
        String a = accelerator == null ? "" : accelerator.toLowerCase(Locale.ROOT);
        if (!ACCELERATORS.contains(a)) {
            throw new MisconfigurationException("You selected an invalid accelerator name: `accelerator='"
                    + accelerator + "'`. Available names are: " + ACCELERATORS);
        }
        return a.equals("gpu") ? "cuda" : a;
    }

    /** The device index to use for {@code accelerator} and {@code devices}. */
    static String resolve(String accelerator, int devices, boolean distributed) {
        if (devices < 1) {
            throw new MisconfigurationException("`devices` must be >= 1 (or \"auto\"), got " + devices);
        }
        if (devices > 1 && !distributed) {
            throw new MisconfigurationException("devices=" + devices + " needs a distributed strategy, but"
                    + " strategy='single_device' trains on one device; use strategy(\"ddp\") or devices(1)");
        }
        if (devices > 1 && !"cpu".equals(accelerator) && cudaAvailable() && torch.cuda_device_count() < devices) {
            throw new MisconfigurationException("devices=" + devices + " GPUs were requested, but only "
                    + torch.cuda_device_count() + " are available");
        }
        switch (accelerator) {
            case "cpu":
                return "cpu";
            case "cuda":
                if (!cudaAvailable()) {
                    throw new MisconfigurationException("accelerator='cuda' was requested, but CUDA is not available:"
                            + " torch.cuda_is_available() is false. Build with the Maven profile -Pgpu on a machine"
                            + " with an NVIDIA GPU, CUDA 13 and cuDNN 9, or use accelerator='cpu' or 'auto'.");
                }
                return "cuda:0";
            case "auto":
                return cudaAvailable() ? "cuda:0" : "cpu";
            default:
                throw new IllegalStateException(accelerator);
        }
    }

    static boolean cudaAvailable() {
        try {
            return torch.cuda_is_available() && torch.cuda_device_count() > 0;
        } catch (RuntimeException | UnsatisfiedLinkError e) {
            return false;
        }
    }

    static Device device(String spec) {
        return new Device(spec);
    }
}
