package neuroflux.stages.memory;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * Decides a value's {@link MemoryCategory} from its name, where the name says it: the step compiler's naming
 * convention. The default convention is the compiler's: a gradient is named {@code grad.<value>}, the updated
 * value of {@code p} is {@code p.next}. Rules added with {@link #withRule} are tried first, in the order added, so a
 * compiler with other names can adjust the classifier without touching the plan. Names no rule matches are
 * classified by the graph's structure (see {@link StaticMemoryPlan}).
 */
public final class ValueClassifier {
    private record Rule(Predicate<String> matches, MemoryCategory category) {}

    private final List<Rule> rules;

    private ValueClassifier(List<Rule> rules) {
        this.rules = List.copyOf(rules);
    }

    /** No name rules at all: every category comes from the structure of the graph. */
    public static ValueClassifier none() {
        return new ValueClassifier(List.of());
    }

    /**
     * The compiler's convention: {@code grad.} prefix for gradients, {@code .next} suffix for updated state; and
     * batch-norm statistics named as PyTorch exports them ({@code ...running_mean}, {@code ...running_var}).
     */
    public static ValueClassifier defaults() {
        return convention("grad.", ".next")
                .withRule(name -> name.endsWith("running_mean") || name.endsWith("running_var"),
                        MemoryCategory.RUNNING_STATISTICS);
    }

    public static ValueClassifier convention(String gradientPrefix, String updateSuffix) {
        return none()
                .withRule(name -> name.startsWith(gradientPrefix), MemoryCategory.GRADIENTS)
                .withRule(name -> name.endsWith(updateSuffix), MemoryCategory.UPDATES);
    }

    /** A classifier that tries the given rule before this one's rules. */
    public ValueClassifier withRule(Predicate<String> matches, MemoryCategory category) {
        List<Rule> more = new ArrayList<>();
        more.add(new Rule(matches, category));
        more.addAll(rules);
        return new ValueClassifier(more);
    }

    /** The category the name alone decides, if any. */
    public Optional<MemoryCategory> byName(String valueName) {
        for (Rule r : rules) if (r.matches.test(valueName)) return Optional.of(r.category);
        return Optional.empty();
    }
}
