package neuroflux.stages.heads;

/**
 * What one unit costs per sample, which a head's width is kept a fraction of.
 *
 * @param activationBytesPerSample what training keeps of the unit's forward pass per sample (float32 outputs of
 *        its nodes, reshapes not counted)
 * @param multiplyAddsPerSample the multiply-adds of the unit's forward pass per sample (its convolutions and matrix
 *        products; element-wise work not counted)
 */
public record UnitCost(long activationBytesPerSample, long multiplyAddsPerSample) {
    public UnitCost {
        if (activationBytesPerSample < 0 || multiplyAddsPerSample < 0) {
            throw new IllegalArgumentException("a unit's cost cannot be negative: " + activationBytesPerSample
                    + " B, " + multiplyAddsPerSample + " multiply-adds");
        }
    }
}
