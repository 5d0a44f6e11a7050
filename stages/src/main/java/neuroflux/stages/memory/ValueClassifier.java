package neuroflux.stages.memory;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * Decides a value's {@link MemoryCategory} from its name, where the name says it: the step compiler's naming
 * convention. By default that is the compiler's: a gradient is named {@code grad.<value>}, the updated value of
 * {@code p} is {@code p.next}, the losses are {@code loss} and {@code loss.<i>}. A rule added with {@link #withRule}
 * is tried before the rules already there, so a compiler with other names can adjust or override the classifier
 * without touching the plan. Names no rule matches are classified by the graph's structure (see
 * {@link StaticMemoryPlan}), for which the plan needs to know which values are losses.
 */
public final class ValueClassifier {
    private record Rule(Predicate<String> matches, MemoryCategory category) {}

    private final List<Rule> rules;
    private final Predicate<String> loss;

    private ValueClassifier(List<Rule> rules, Predicate<String> loss) {
        this.rules = List.copyOf(rules);
        this.loss = loss;
    }

    /** No name rules and no loss names: every category comes from the structure of the graph. */
    public static ValueClassifier none() {
        return new ValueClassifier(List.of(), name -> false);
    }

    /**
     * The compiler's convention: {@code grad.} prefix for gradients, {@code .next} suffix for updated state, losses
     * {@code loss} and {@code loss.<i>}; and batch-norm statistics named as PyTorch exports them
     * ({@code ...running_mean}, {@code ...running_var}).
     */
    public static ValueClassifier defaults() {
        return none()
                .withRule(name -> name.endsWith("running_mean") || name.endsWith("running_var"),
                        MemoryCategory.RUNNING_STATISTICS)
                .withRule(name -> name.endsWith(".next"), MemoryCategory.UPDATES)
                .withRule(name -> name.startsWith("grad."), MemoryCategory.GRADIENTS)
                .withLoss(name -> name.equals("loss") || name.startsWith("loss."));
    }

    /** A classifier that tries the given rule before this one's rules. */
    public ValueClassifier withRule(Predicate<String> matches, MemoryCategory category) {
        List<Rule> more = new ArrayList<>();
        more.add(new Rule(matches, category));
        more.addAll(rules);
        return new ValueClassifier(more, loss);
    }

    /** A classifier that takes the values matching {@code isLoss} (and only those) as the step's losses. */
    public ValueClassifier withLoss(Predicate<String> isLoss) {
        return new ValueClassifier(rules, isLoss);
    }

    /** The category the name alone decides, if any. */
    public Optional<MemoryCategory> byName(String valueName) {
        for (Rule r : rules) if (r.matches.test(valueName)) return Optional.of(r.category);
        return Optional.empty();
    }

    /** Whether the value is one of the step's losses, whose ancestors are the forward pass. */
    public boolean isLoss(String valueName) {
        return loss.test(valueName);
    }
}
