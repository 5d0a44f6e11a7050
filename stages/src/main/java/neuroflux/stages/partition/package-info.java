/**
 * Cutting a CNN into trainable units: {@link neuroflux.stages.partition.Partitioner#partition} gives a
 * {@link neuroflux.stages.partition.Partition}, an ordered list of {@link neuroflux.stages.partition.Unit}s (conv
 * groups and residual blocks, each from one tensor to one tensor) and the model's own
 * {@link neuroflux.stages.partition.Classifier}. Units, ranges of units ({@code prefix(k)}, {@code range(i, j)})
 * and the classifier are {@link neuroflux.stages.partition.Segment}s that become standalone graphs:
 *
 * <pre>{@code
 * ImportedModel model = ModelImporter.load(file);
 * Graph g = model.atBatch(64);                       // shapes inferred at the training batch
 * Partition p = Partitioner.partition(g);
 * Graph unit = p.unit(2).toGraph(g);                 // input: unit 1's output, output: unit 2's
 * Graph body = p.prefix(3).toGraph(g);               // units 0..2, the body of an exit after unit 2
 * }</pre>
 *
 * Partitioning is deterministic and depends on structure only, so the same model at another batch size gives the
 * same units with the same value names.
 */
package neuroflux.stages.partition;
