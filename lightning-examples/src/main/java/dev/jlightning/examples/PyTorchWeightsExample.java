package dev.jlightning.examples;

import dev.jlightning.core.LightningModule;
import dev.jlightning.data.Batch;
import dev.jlightning.data.DataLoader;
import dev.jlightning.data.TensorDataset;
import dev.jlightning.io.LoadOptions;
import dev.jlightning.io.LoadResult;
import dev.jlightning.io.StateDictFile;
import dev.jlightning.optim.LRSchedulers;
import dev.jlightning.trainer.Trainer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.LinearImpl;
import org.bytedeco.pytorch.SGD;
import org.bytedeco.pytorch.SGDOptions;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;

import static org.bytedeco.pytorch.global.torch.mse_loss;
import static org.bytedeco.pytorch.global.torch.randn;
import static org.bytedeco.pytorch.global.torch.relu;
import static org.bytedeco.pytorch.global.torch.tanh;

/**
 * Fine-tunes weights a colleague trained in PyTorch and hands them back: loads {@code pretrained_mlp.pt} (made by
 * {@code make_pretrained.py} with {@code torch.save(model.state_dict())}, an {@code nn.Sequential} whose keys are
 * {@code 0.weight} ... {@code 2.bias}) into named layers, fine-tunes on a shifted task with SGD and
 * {@code StepLR}, and exports safetensors that {@code safetensors.torch.load_file} (or the committed numpy checker)
 * reads. Python's side: {@code model.load_state_dict(load_file("finetuned.safetensors"))}.
 */
public final class PyTorchWeightsExample implements Scenario {

    /** The Python model's architecture with named layers; the keys are renamed on load. */
    public static final class Mlp extends LightningModule {
        final LinearImpl fc1 = register_module("fc1", new LinearImpl(8, 16));
        final LinearImpl fc2 = register_module("fc2", new LinearImpl(16, 4));

        Tensor forward(Tensor x) {
            return fc2.forward(relu(fc1.forward(x)));
        }

        @Override
        public Tensor trainingStep(Batch batch, int batchIdx) {
            Tensor loss = mse_loss(forward(batch.x()), batch.y());
            log("train_loss", loss);
            return loss;
        }

        @Override
        public Object configureOptimizers() {
            SGD sgd = new SGD(parameters(), new SGDOptions(0.05));
            return Map.of("optimizer", sgd, "lr_scheduler",
                    LRSchedulers.create(sgd, Map.of("name", "StepLR", "step_size", 4, "gamma", 0.5)));
        }

        double loss(Tensor x, Tensor y) {
            try (PointerScope scope = new PointerScope()) {
                return mse_loss(forward(x), y).item_double();
            }
        }
    }

    /** The losses before and after fine-tuning, and where the export went. */
    public record Result(int loadedKeys, double pretrainedLoss, double finetunedLoss, Path exported,
            double reloadedLoss) {
    }

    @Override
    public String name() {
        return "pytorch-weights";
    }

    @Override
    public String description() {
        return "load a PyTorch state_dict, fine-tune with StepLR, export safetensors for Python";
    }

    @Override
    public void run(String[] args) throws Exception {
        Path out = RootDir.lightningLogs(RootDir.parse(args)).resolve("pytorch-weights");
        Files.createDirectories(out);
        Result r = run(out);
        System.out.printf("loaded %d tensors from PyTorch's pretrained_mlp.pt%n", r.loadedKeys());
        System.out.printf("loss on the shifted task: %.5f pretrained, %.5f fine-tuned%n", r.pretrainedLoss(),
                r.finetunedLoss());
        System.out.printf("exported %s (loss after reloading: %.5f)%n", r.exported(), r.reloadedLoss());
        System.out.println("In Python: from safetensors.torch import load_file;"
                + " model.load_state_dict({k.replace('fc1', '0').replace('fc2', '2'): v"
                + " for k, v in load_file('" + r.exported() + "').items()})");
    }

    /** Loads, fine-tunes and exports under {@code out}. */
    public static Result run(Path out) {
        Path pretrained = resource(out, "pretrained_mlp.pt");
        Path task = resource(out, "task.pt");
        Trainer.seedEverything(3);
        Tensor x;
        Tensor y;
        try (StateDictFile taskFile = StateDictFile.open(task)) {
            Tensor a = taskFile.tensors().get("A").toTensor();
            x = randn(256, 8);
            // the shifted task: the same function, scaled and offset, which the pretrained net has not seen
            y = tanh(x.matmul(a)).mul(new Scalar(0.8)).add(new Scalar(0.1));
        }
        Mlp model = new Mlp();
        LoadResult loaded = model.loadStateDict(pretrained, LoadOptions.builder()
                .rename(k -> k.replaceFirst("^0\\.", "fc1.").replaceFirst("^2\\.", "fc2.")).build());
        double before = model.loss(x, y);
        DataLoader data = DataLoader.builder(new TensorDataset(x, y)).batchSize(32).shuffle(true).build();
        Trainer.builder().maxEpochs(12).logger(false).enableProgressBar(false).enableModelSummary(false)
                .defaultRootDir(out).build()
                .fit(model, data);
        double after = model.loss(x, y);
        Path exported = out.resolve("finetuned.safetensors");
        model.saveHyperparameters(Map.of("base", "pretrained_mlp.pt", "epochs", 12));
        model.saveSafetensors(exported);
        Mlp reloaded = new Mlp();
        reloaded.loadStateDict(exported, LoadOptions.DEFAULT);
        return new Result(loaded.loadedKeys(), before, after, exported, reloaded.loss(x, y));
    }

    private static Path resource(Path dir, String name) {
        try (InputStream in = PyTorchWeightsExample.class.getResourceAsStream("pytorch/" + name)) {
            if (in == null) {
                throw new IllegalStateException("missing example resource pytorch/" + name);
            }
            Files.createDirectories(dir);
            Path file = dir.resolve(name);
            Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
