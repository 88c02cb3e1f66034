package dev.jlightning.examples;

import org.bytedeco.pytorch.global.torch;

/**
 * Loads LibTorch's natives and prints what LibTorch sees: the number of intra-op threads and whether CUDA is usable
 * (with the device count). Scripts run it once before the real work, because JavaCPP 1.5.13 can crash the first time
 * it unpacks LibTorch into an empty cache directory, and a second start then finds the cache complete.
 */
public final class NativesExample implements Scenario {

    @Override
    public String name() {
        return "natives";
    }

    @Override
    public String description() {
        return "load LibTorch's natives and print the intra-op threads and the CUDA devices it sees";
    }

    @Override
    public void run(String[] args) {
        boolean cuda = torch.cuda_is_available();
        System.out.printf("RESULT natives threads=%d cuda_available=%s cuda_devices=%d%n", torch.get_num_threads(),
                cuda, cuda ? torch.cuda_device_count() : 0);
    }
}
