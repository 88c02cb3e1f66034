package dev.jlightning.trainer;

/**
 * Thrown when {@code Trainer.builder().detectAnomaly(true)} is set and a training step produces a NaN or infinite
 * loss: training stops before that step's backward pass, so the weights stay finite.
 *
 * <p>Counterpart of the {@code RuntimeError} PyTorch's anomaly mode raises under Lightning's
 * {@code Trainer(detect_anomaly=True)} ("Function 'XBackward0' returned nan values"); JLightning checks the loss
 * itself rather than every backward function.
 */
public class AnomalyDetectedException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** An exception with {@code message}, which names the step. */
    public AnomalyDetectedException(String message) {
        super(message);
    }
}
