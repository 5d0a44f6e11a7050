package neuroflux.stages.compile;

/**
 * How the float32 forward of a training step rounds its sums.
 *
 * <ul>
 *   <li>{@link #NATIVE}: ONNX Runtime's own kernels, in whatever order they sum (the fast form, for training).</li>
 *   <li>{@link #PYTORCH_CPU}: PyTorch's CPU kernels' order and accumulation types, reproduced with standard
 *   operators: batch-norm statistics accumulated in float64 and applied with a fused multiply-add (aten's CPU
 *   batch norm), depthwise convolutions and convolutions of up to 8 input channels summed bias first and then tap
 *   by tap with fused multiply-adds (oneDNN's direct convolutions). Other convolutions already sum as PyTorch does
 *   or are left to ONNX Runtime. For comparisons with PyTorch's float32 values: on a network whose batch norms
 *   normalise a few values with a standard deviation far below sqrt(eps) (the mobilenetv2-w025-cifar fixture at
 *   batch 4), one ulp anywhere in the forward moves the gradients by many times the fixtures' tolerance. It costs
 *   about 8% more time per step on the vgg-small-fmnist fixture at batch 128 (the float64 statistics).</li>
 * </ul>
 *
 * The backward is the same in both.
 */
public enum Rounding {
    NATIVE,
    PYTORCH_CPU
}
