package neuroflux.stages.plan;

/**
 * What the planner needs to know of one unit (with its head) to place it in a block. How the figures were
 * obtained (predicted by a static plan, or measured) is the profiler's business; the planner only combines them.
 *
 * @param name the unit's name, for reports
 * @param fixedBytes memory that does not grow with the batch: parameters, their gradients and optimizer state,
 *        running statistics, and the same for the unit's head
 * @param inputBytesPerSample bytes per sample of the unit's input batch
 * @param activationBytesPerSample memory per sample of the unit's training step at its peak, its own input batch
 *        not included (the planner places that): forward activations of unit and head, gradients of activations,
 *        backward temporaries, labels
 * @param outputBytesPerSample bytes per sample of the unit's output: what the next unit reads, and what the cache
 *        holds when a block ends with this unit
 * @param trainTime time per sample of a training step
 * @param cacheTime time per sample of the caching (inference) pass
 */
public record UnitProfile(String name, long fixedBytes, long inputBytesPerSample, long activationBytesPerSample,
                          long outputBytesPerSample, StepTime trainTime, StepTime cacheTime) {
    public UnitProfile {
        if (fixedBytes < 0 || inputBytesPerSample < 0 || activationBytesPerSample < 0 || outputBytesPerSample < 0) {
            throw new IllegalArgumentException("unit '" + name + "' has a negative memory figure");
        }
        if (trainTime == null || cacheTime == null) {
            throw new IllegalArgumentException("unit '" + name + "' needs its training and caching step times");
        }
    }

    /** The memory of this unit trained alone at batch size {@code batch}. */
    public long aloneBytes(long batch) {
        return fixedBytes + batch * (inputBytesPerSample + activationBytesPerSample);
    }
}
