package dev.jlightning.examples;

import dev.jlightning.callbacks.LearningRateMonitor;
import dev.jlightning.core.LightningModule;
import dev.jlightning.core.LightningOptimizer;
import dev.jlightning.data.Batch;
import dev.jlightning.data.DataLoader;
import dev.jlightning.data.TensorDataset;
import dev.jlightning.logging.CSVLogger;
import dev.jlightning.optim.LRScheduler;
import dev.jlightning.optim.Optimizers;
import dev.jlightning.optim.ParamGroups;
import dev.jlightning.optim.StepLR;
import dev.jlightning.trainer.Trainer;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Adam;
import org.bytedeco.pytorch.LinearImpl;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;

import static org.bytedeco.pytorch.global.torch.binary_cross_entropy_with_logits;
import static org.bytedeco.pytorch.global.torch.leaky_relu;
import static org.bytedeco.pytorch.global.torch.ones_like;
import static org.bytedeco.pytorch.global.torch.randn;
import static org.bytedeco.pytorch.global.torch.zeros_like;

/**
 * Two optimizers with a scheduler each, as in a GAN (the scheduler tutorial's "multiple optimizers" section):
 * {@code opt_g = Adam(generator)}, {@code opt_d = Adam(discriminator)}, {@code StepLR(step_size=10, gamma=0.9)} for
 * each, stepped once per epoch. Lightning (and JLightning) supports several optimizers only with manual optimization,
 * where the module steps optimizers and schedulers itself; the Trainer never steps them. The generator learns to turn
 * noise into samples of N(3, 0.5). The tutorial's lr of 0.0002 is meant for image GANs trained for hours; this
 * one-dimensional toy uses 0.002 so that 60 short epochs are enough.
 */
public final class GanExample implements Scenario {

    static final double LR = 2e-3;
    static final int NOISE = 4;
    static final double REAL_MEAN = 3.0;
    static final double REAL_STD = 0.5;
    static final int EPOCHS = 60;

    /** Generator and discriminator, both small MLPs, trained adversarially with manual optimization. */
    public static final class Gan extends LightningModule {
        final LinearImpl g1;
        final LinearImpl g2;
        final LinearImpl d1;
        final LinearImpl d2;
        final LinearImpl d3;

        public Gan() {
            g1 = register_module("g1", new LinearImpl(NOISE, 16));
            g2 = register_module("g2", new LinearImpl(16, 1));
            d1 = register_module("d1", new LinearImpl(1, 32));
            d2 = register_module("d2", new LinearImpl(32, 32));
            d3 = register_module("d3", new LinearImpl(32, 1));
            automaticOptimization(false);
        }

        Tensor generate(long n) {
            return g2.forward(leaky_relu(g1.forward(randn(n, NOISE))));
        }

        /** Logits: real (high) or generated (low). */
        Tensor discriminate(Tensor x) {
            return d3.forward(leaky_relu(d2.forward(leaky_relu(d1.forward(x)))));
        }

        @Override
        public Tensor trainingStep(Batch batch, int batchIdx) {
            List<LightningOptimizer> opts = optimizers();
            LightningOptimizer optG = opts.get(0);
            LightningOptimizer optD = opts.get(1);
            Tensor real = batch.x();
            Tensor fake = generate(real.size(0));

            // discriminator: real -> 1, generated (detached, so the generator is not updated) -> 0
            Tensor dReal = discriminate(real);
            Tensor dFake = discriminate(fake.detach());
            Tensor dLoss = binary_cross_entropy_with_logits(dReal, ones_like(dReal))
                    .add(binary_cross_entropy_with_logits(dFake, zeros_like(dFake)));
            optD.zeroGrad();
            manualBackward(dLoss);
            optD.step();

            // generator: make the discriminator call its samples real
            Tensor gOut = discriminate(fake);
            Tensor gLoss = binary_cross_entropy_with_logits(gOut, ones_like(gOut));
            optG.zeroGrad();
            manualBackward(gLoss);
            optG.step();

            log("d_loss", dLoss);
            log("g_loss", gLoss);
            log("fake_mean", fake.mean());
            return null;
        }

        @Override
        public void onTrainEpochEnd() {
            // the tutorial's "sched_g.step(); sched_d.step()" after each epoch
            for (LRScheduler s : lrSchedulers()) {
                s.step();
            }
        }

        @Override
        public Object configureOptimizers() {
            Adam optG = Optimizers.adam(LR).betas(0.5, 0.999).params(List.of(params(g1), params(g2)).stream()
                    .flatMap(List::stream).toList()).build();
            Adam optD = Optimizers.adam(LR).betas(0.5, 0.999).params(List.of(params(d1), params(d2), params(d3)).stream()
                    .flatMap(List::stream).toList()).build();
            StepLR schedG = new StepLR(optG, 10, 0.9);
            StepLR schedD = new StepLR(optD, 10, 0.9);
            return List.of(List.of(optG, optD), List.of(
                    Map.of("scheduler", schedG, "name", "lr-generator"),
                    Map.of("scheduler", schedD, "name", "lr-discriminator")));
        }

        private static List<Tensor> params(LinearImpl layer) {
            return List.of(new Tensor(layer.weight()), new Tensor(layer.bias()));
        }

        /** Mean and standard deviation of {@code n} generated samples. */
        public double[] sampleStats(int n) {
            try (PointerScope scope = new PointerScope(); NoGradGuard noGrad = new NoGradGuard()) {
                Tensor s = generate(n);
                return new double[] {s.mean().item_double(), s.std().item_double()};
            }
        }
    }

    /** What a run produced. */
    public record Result(Path metricsCsv, double[] lrs, long globalStep, double[] statsBefore, double[] statsAfter) {
    }

    @Override
    public String name() {
        return "gan-two-optimizers";
    }

    @Override
    public String description() {
        return "GAN-style manual optimization: two Adams with a StepLR each, stepped by the module";
    }

    @Override
    public void run(String[] args) throws Exception {
        Path out = RootDir.lightningLogs(RootDir.parse(args));
        Result r = train(out, EPOCHS, 7);
        System.out.printf("generated samples before: mean %.3f std %.3f%n", r.statsBefore()[0], r.statsBefore()[1]);
        System.out.printf("generated samples after : mean %.3f std %.3f (real: mean %.1f std %.1f)%n",
                r.statsAfter()[0], r.statsAfter()[1], REAL_MEAN, REAL_STD);
        System.out.printf("lrs after %d epochs: generator %s, discriminator %s; optimizer steps %d%n", EPOCHS,
                r.lrs()[0], r.lrs()[1], r.globalStep());
        System.out.println("metrics: " + r.metricsCsv().toAbsolutePath().normalize());
    }

    /** Trains for {@code epochs} epochs on 256 real samples in batches of 32. */
    public static Result train(Path out, int epochs, long seed) {
        Trainer.seedEverything(seed);
        TensorDataset data;
        try (PointerScope scope = new PointerScope()) {
            data = new TensorDataset(randn(256, 1).mul(new Scalar(REAL_STD)).add(new Scalar(REAL_MEAN)));
        }
        DataLoader loader = DataLoader.builder(data).batchSize(32).shuffle(true).build();
        Gan gan = new Gan();
        double[] before = gan.sampleStats(2000);
        CSVLogger logger = CSVLogger.builder(out).name("gan").version(0).build();
        Trainer trainer = Trainer.builder().maxEpochs(epochs).logEveryNSteps(1).defaultRootDir(out).logger(logger)
                .callbacks(new LearningRateMonitor()).build();
        trainer.fit(gan, loader);
        double[] lrs = trainer.optimizers().stream().mapToDouble(o -> ParamGroups.of(o).lr(0)).toArray();
        double[] after = gan.sampleStats(2000);
        data.close();
        return new Result(logger.logDir().resolve("metrics.csv"), lrs, trainer.globalStep(), before, after);
    }
}
