package neuroflux.pipeline.checkpoint;

import java.io.IOException;
import neuroflux.onnx.ExitStatus;

/** The disk filled up during a run; the last checkpoint is intact, so the run can continue once space is freed. */
public final class DiskFullException extends RuntimeException implements ExitStatus {
    public DiskFullException(String what, IOException cause) {
        super("the disk filled up while writing " + what + " (" + cause.getMessage() + "); the last checkpoint is"
                + " intact: free some space and run the same command again to continue", cause);
    }

    /** Whether an I/O failure is the disk running out of space (ENOSPC). */
    public static boolean isDiskFull(IOException e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            String m = t.getMessage();
            if (m != null && m.contains("No space left on device")) return true;
        }
        return false;
    }

    @Override
    public int exitStatus() {
        return FAILED;
    }
}
