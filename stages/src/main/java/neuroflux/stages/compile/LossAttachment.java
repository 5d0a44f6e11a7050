package neuroflux.stages.compile;

/**
 * A mean softmax cross-entropy loss on a value of logits [N, classes] against an int64 labels input [N]. A step
 * may have several (one per auxiliary head in local learning); its total loss is their sum.
 */
public record LossAttachment(String logits, String labels) {
    public LossAttachment {
        if (logits == null || logits.isEmpty() || labels == null || labels.isEmpty()) {
            throw new IllegalArgumentException("a loss attachment needs a logits value and a labels input");
        }
    }
}
