package dev.jlightning.tuner;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.pytorch.ArchiveWriter;
import org.bytedeco.pytorch.InputArchive;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Optimizer;
import org.bytedeco.pytorch.OutputArchive;

/**
 * The state of a module (parameters and buffers) and of optimizers, held in memory as LibTorch archives, to be put
 * back exactly.
 *
 * <p>Counterpart of the temporary checkpoint Lightning's {@code lr_find} writes before the search and restores after
 * it. bytedeco modules cannot be cloned (a Java module is no {@code Cloneable}), so the state goes through
 * {@link OutputArchive} into a byte array and back through {@link InputArchive}; loading copies into the existing
 * tensors, so the parameters the optimizers hold stay the same objects.
 */
final class StateSnapshot {

    private final Module module;
    private final byte[] moduleState;
    private final List<Optimizer> optimizers;
    private final List<byte[]> optimizerStates;

    private StateSnapshot(Module module, byte[] moduleState, List<Optimizer> optimizers, List<byte[]> states) {
        this.module = module;
        this.moduleState = moduleState;
        this.optimizers = optimizers;
        this.optimizerStates = states;
    }

    static StateSnapshot take(Module module, List<Optimizer> optimizers) {
        OutputArchive archive = new OutputArchive();
        module.save(archive);
        byte[] moduleState = bytes(archive);
        List<byte[]> states = new ArrayList<>();
        for (Optimizer o : optimizers) {
            OutputArchive oa = new OutputArchive();
            o.save(oa);
            states.add(bytes(oa));
        }
        return new StateSnapshot(module, moduleState, List.copyOf(optimizers), states);
    }

    void restore() {
        load(moduleState, module::load);
        for (int i = 0; i < optimizers.size(); i++) {
            load(optimizerStates.get(i), optimizers.get(i)::load);
        }
    }

    private static byte[] bytes(OutputArchive archive) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ArchiveWriter writer = new ArchiveWriter() {
            @Override
            public long call(Pointer data, long size) {
                byte[] chunk = new byte[(int) size];
                new BytePointer(data).capacity(size).get(chunk);
                out.write(chunk, 0, chunk.length);
                return size;
            }
        };
        try {
            archive.save_to(writer);
        } finally {
            writer.close();
            archive.close();
        }
        return out.toByteArray();
    }

    private static void load(byte[] state, java.util.function.Consumer<InputArchive> into) {
        try (InputArchive archive = new InputArchive(); BytePointer data = new BytePointer(state)) {
            archive.load_from(data, (long) state.length);
            into.accept(archive);
        }
    }
}
