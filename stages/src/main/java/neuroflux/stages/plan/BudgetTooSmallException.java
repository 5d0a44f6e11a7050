package neuroflux.stages.plan;

import neuroflux.onnx.BadInputException;

/** The budget is below what training at batch size 1 needs; the message states the smallest budget that works. */
public final class BudgetTooSmallException extends BadInputException {
    private final long smallestBudgetBytes;

    public BudgetTooSmallException(String message, long smallestBudgetBytes) {
        super(message);
        this.smallestBudgetBytes = smallestBudgetBytes;
    }

    /** A budget that cannot be met is its own exit status (3), so a workflow can tell it from other bad input. */
    @Override
    public int exitStatus() {
        return BUDGET_TOO_SMALL;
    }

    /** The smallest budget at which a plan exists (with the same margin and units). */
    public long smallestBudgetBytes() {
        return smallestBudgetBytes;
    }
}
