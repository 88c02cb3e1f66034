package dev.jlightning.benchmarks;

import static org.bytedeco.pytorch.global.torch.ones;

import dev.jlightning.optim.CosineAnnealingLR;
import dev.jlightning.optim.CyclicLR;
import dev.jlightning.optim.LRScheduler;
import dev.jlightning.optim.LRSchedulers;
import dev.jlightning.optim.LambdaLR;
import dev.jlightning.optim.OneCycleLR;
import dev.jlightning.optim.Optimizers;
import dev.jlightning.optim.ReduceLROnPlateau;
import dev.jlightning.optim.StepLR;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import org.bytedeco.pytorch.SGD;
import org.bytedeco.pytorch.Tensor;

/**
 * Microseconds per {@code scheduler.step()} on a LibTorch SGD optimizer with two param groups (momentum 0.9), for
 * the schedulers a training loop steps every batch. Each scheduler is warmed up, then timed over several runs; the
 * median run is reported. Target: under 2 us per step.
 *
 * <p>Run: {@code mvn -B -q -pl lightning-benchmarks -am compile dependency:build-classpath
 * -Dmdep.outputFile=/tmp/bench.cp} then
 * {@code java -Xss4m -cp lightning-benchmarks/target/classes:$(cat /tmp/bench.cp)
 * dev.jlightning.benchmarks.SchedulerStepBench} (LibTorch's native loading needs the larger main-thread stack that
 * the build's surefire argLine also sets).
 * Optional arguments: steps per run (default 200000) and runs (default 9).
 */
public final class SchedulerStepBench {
    private SchedulerStepBench() {
    }

    private static SGD optimizer() {
        Tensor w = ones(64, 64);
        w.requires_grad_(true);
        Tensor b = ones(64);
        b.requires_grad_(true);
        return Optimizers.sgd(0.1).momentum(0.9)
                .group("weights", List.of(w))
                .group("bias", List.of(b), g -> g.lr(0.01))
                .build();
    }

    public static void main(String[] args) {
        int steps = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
        int runs = args.length > 1 ? Integer.parseInt(args[1]) : 9;
        int total = steps * (runs + 2);
        Map<String, Function<SGD, LRScheduler>> cases = new LinkedHashMap<>();
        cases.put("StepLR(step_size=1000, gamma=0.999)", o -> new StepLR(o, 1000, 0.999));
        cases.put("CosineAnnealingLR(T_max=1000)", o -> new CosineAnnealingLR(o, 1000));
        cases.put("LambdaLR(Java lambda)", o -> new LambdaLR(o, e -> 1.0 / (1 + 1e-6 * e)));
        cases.put("LambdaLR(formula \"0.999 ** (epoch // 1000)\")", o -> LRSchedulers.create(o,
                Map.of("name", "LambdaLR", "lr_lambda", "0.999 ** (epoch // 1000)")));
        cases.put("OneCycleLR(cycle_momentum)", o -> OneCycleLR.builder(o).maxLr(0.1).totalSteps(total + 1).build());
        cases.put("CyclicLR(cycle_momentum)", o -> CyclicLR.builder(o).baseLr(0.01).maxLr(0.1).stepSizeUp(500)
                .build());
        System.out.printf(Locale.ROOT, "scheduler.step() on SGD with 2 param groups: %d steps x %d runs, median%n",
                steps, runs);
        for (Map.Entry<String, Function<SGD, LRScheduler>> c : cases.entrySet()) {
            LRScheduler s = c.getValue().apply(optimizer());
            report(c.getKey(), time(steps, runs, s::step));
        }
        ReduceLROnPlateau plateau = ReduceLROnPlateau.builder(optimizer()).patience(5).build();
        double[] metric = {1.0};
        report("ReduceLROnPlateau.step(metric)", time(steps, runs, () -> plateau.step(metric[0] += 1e-9)));
    }

    private static double[] time(int steps, int runs, Runnable step) {
        for (int i = 0; i < 2 * steps; i++) {
            step.run();
        }
        double[] micros = new double[runs];
        for (int r = 0; r < runs; r++) {
            long t0 = System.nanoTime();
            for (int i = 0; i < steps; i++) {
                step.run();
            }
            micros[r] = (System.nanoTime() - t0) / 1e3 / steps;
        }
        Arrays.sort(micros);
        return micros;
    }

    private static void report(String name, double[] sortedMicros) {
        System.out.printf(Locale.ROOT, "  %-48s %6.3f us/step  (min %.3f, max %.3f)%n", name,
                sortedMicros[sortedMicros.length / 2], sortedMicros[0], sortedMicros[sortedMicros.length - 1]);
    }
}
