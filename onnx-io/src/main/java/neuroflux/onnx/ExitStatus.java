package neuroflux.onnx;

/**
 * The exit statuses of the neuroflux command line, defined here once so that every module can name them, and the
 * interface an exception implements to choose the status the command line exits with when it ends a command.
 * Workflow engines branch on these numbers, so they never change meaning:
 * <ul>
 *   <li>0 {@link #OK}: the command did what was asked;
 *   <li>1 {@link #FAILED}: anything not listed below (a bug, an I/O failure, ONNX Runtime failing);
 *   <li>2 {@link #BAD_INPUT}: a mistake in what a user gave (option, file, model, configuration);
 *   <li>3 {@link #BUDGET_TOO_SMALL}: the memory budget cannot be met by any plan;
 *   <li>4 {@link #DIVERGED}: training diverged (the loss became NaN or infinite).
 * </ul>
 * A more specific kind of bad input overrides {@link BadInputException#exitStatus()} (a budget that cannot be met
 * returns {@link #BUDGET_TOO_SMALL}); an exception that is not bad input implements this interface itself (a
 * divergence returns {@link #DIVERGED}). The command line finds the status also in wrapped causes.
 */
public interface ExitStatus {
    int OK = 0;
    int FAILED = 1;
    int BAD_INPUT = 2;
    int BUDGET_TOO_SMALL = 3;
    int DIVERGED = 4;

    /** The status to exit with when this exception ends a command. */
    int exitStatus();
}
