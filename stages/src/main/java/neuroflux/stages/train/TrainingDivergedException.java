package neuroflux.stages.train;

import neuroflux.onnx.ExitStatus;

/** Training stopped because the loss became NaN or infinite; the command line exits with status 4. */
public final class TrainingDivergedException extends RuntimeException implements ExitStatus {
    public TrainingDivergedException(String message) {
        super(message);
    }

    @Override
    public int exitStatus() {
        return DIVERGED;
    }
}
