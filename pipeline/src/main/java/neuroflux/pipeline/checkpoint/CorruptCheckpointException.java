package neuroflux.pipeline.checkpoint;

import java.nio.file.Path;
import neuroflux.onnx.BadInputException;

/** A checkpoint whose files do not match their manifest: refused, never used. */
public final class CorruptCheckpointException extends BadInputException {
    public CorruptCheckpointException(Path dir, String why) {
        super("the checkpoint in " + dir + " is damaged (" + why + "); it is not used: rerun with --overwrite to"
                + " start the run again");
    }
}
