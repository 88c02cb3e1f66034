package dev.jlightning.testing;

import dev.jlightning.optim.ReduceLROnPlateau;
import dev.jlightning.optim.StepLR;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.pytorch.Optimizer;

/**
 * Schedulers that count their {@code step} calls, as Lightning's tests patch {@code StepLR.step} and
 * {@code ReduceLROnPlateau.step} with mocks. A PyTorch scheduler steps once in its constructor; the counts include
 * that call, as Lightning's do.
 */
public final class Spies {

    private Spies() {
    }

    /** A {@link StepLR} whose {@code step()} calls are counted, the constructor's included. */
    public static final class CountingStepLR extends StepLR {
        // no initialiser: the count starts in the superclass constructor, before field initialisers would run
        private int calls;

        public CountingStepLR(Optimizer optimizer, int stepSize) {
            super(optimizer, stepSize);
        }

        public CountingStepLR(Optimizer optimizer, int stepSize, double gamma) {
            super(optimizer, stepSize, gamma);
        }

        @Override
        public void step() {
            calls++;
            super.step();
        }

        public int calls() {
            return calls;
        }
    }

    /** A {@link ReduceLROnPlateau} that records every metric it is fed. */
    public static final class CountingPlateau extends ReduceLROnPlateau {
        private final List<Double> fed = new ArrayList<>();

        public CountingPlateau(Optimizer optimizer) {
            super(optimizer);
        }

        @Override
        public void step(double metric) {
            fed.add(metric);
            super.step(metric);
        }

        public int calls() {
            return fed.size();
        }

        public List<Double> fed() {
            return List.copyOf(fed);
        }
    }
}
