package dev.jlightning.callbacks;

import dev.jlightning.core.Callback;
import dev.jlightning.core.LightningModule;
import dev.jlightning.data.Batch;
import dev.jlightning.trainer.Trainer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;

/**
 * The child JVM of {@link CrashSafetyTest}: trains with {@code ModelCheckpoint(saveLast, everyNTrainSteps=1)},
 * resuming from {@code last.ckpt} when there is one, prints {@code step <n>} after every checkpoint and, when
 * training completes, {@code weights <hex float bits...>}.
 */
public final class KilledTrainingMain {

    private KilledTrainingMain() {
    }

    public static void main(String[] args) {
        Path dir = Path.of(args[0]);
        int epochs = Integer.parseInt(args[1]);
        Trainer.seedEverything(1234);
        TinyNet net = new TinyNet();
        ModelCheckpoint mc = ModelCheckpoint.builder().dirpath(dir).saveLast(true).saveTopK(0).everyNTrainSteps(1)
                .build();
        Callback progress = new Callback() {
            @Override
            public void onTrainBatchEnd(Trainer trainer, LightningModule module, Optional<Tensor> loss, Batch batch,
                    int batchIdx) {
                System.out.println("step " + trainer.globalStep());
                System.out.flush();
            }
        };
        Trainer trainer = Trainer.builder().maxEpochs(epochs).logger(false).numSanityValSteps(0)
                .callbacks(mc, progress).build();
        if (Files.exists(dir.resolve("last.ckpt"))) {
            trainer.fit(net, TinyNet.data(120, 4, 9), "last");
        } else {
            trainer.fit(net, TinyNet.data(120, 4, 9));
        }
        StringBuilder sb = new StringBuilder("weights");
        try (TensorVector params = net.parameters()) {
            for (long i = 0; i < params.size(); i++) {
                Tensor flat = params.get(i).detach().reshape(-1).contiguous();
                org.bytedeco.javacpp.FloatPointer p = new org.bytedeco.javacpp.FloatPointer(flat.data_ptr());
                for (long j = 0; j < flat.numel(); j++) {
                    sb.append(' ').append(Integer.toHexString(Float.floatToRawIntBits(p.get(j))));
                }
            }
        }
        System.out.println(sb);
        System.out.flush();
    }
}
