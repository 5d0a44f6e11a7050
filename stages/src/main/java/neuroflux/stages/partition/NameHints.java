package neuroflux.stages.partition;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import neuroflux.onnx.Node;

/**
 * A short, readable hint at where a unit lies in the source network, taken from its nodes' names. Exporters name
 * nodes by module path ("/layers/layers.1/c1/Conv"): a unit inside one numbered module is named by it
 * ("layers.1"), one spanning several numbered modules by their range ("features.0-3"), one inside a named module by
 * its name ("stem"). Names carry no meaning for partitioning.
 */
final class NameHints {
    private NameHints() {}

    static String of(List<Node> nodes) {
        List<List<String>> paths = new ArrayList<>();
        for (Node n : nodes) {
            List<String> path = modulePath(n.name());
            if (!path.isEmpty()) paths.add(path);
        }
        if (paths.isEmpty()) {
            // names that are not module paths ("Conv_0") still locate the unit
            List<String> names = nodes.stream().map(Node::name).filter(s -> !s.isEmpty()).toList();
            if (names.isEmpty()) return "";
            return names.size() == 1 ? names.getFirst() : range(names.getFirst(), names.getLast());
        }
        int common = commonPrefixLength(paths);
        List<String> shared = paths.getFirst().subList(0, common);
        for (int i = common - 1; i >= 0; i--) {
            if (isNumbered(shared.get(i))) return shared.get(i);
        }
        String first = componentAt(paths.getFirst(), common);
        String last = componentAt(paths.getLast(), common);
        boolean numbered = first != null && last != null && isNumbered(first) && isNumbered(last);
        if (numbered || common == 0) return first == null || first.equals(last) ? first : range(first, last);
        return shared.getLast();
    }

    /**
     * The module path of a node: its name's components without the last, which names the operator itself; empty
     * for an operator at the top level ("/Flatten") or a name that is no path.
     */
    private static List<String> modulePath(String name) {
        List<String> parts = new ArrayList<>(Arrays.stream(name.split("/")).filter(s -> !s.isEmpty()).toList());
        if (!parts.isEmpty()) parts.removeLast();
        return parts;
    }

    /** Whether a path component is a numbered module: "layers.1", "features.1.0" or "3", not "features.1.conv". */
    private static boolean isNumbered(String component) {
        String last = component.substring(component.lastIndexOf('.') + 1);
        return !last.isEmpty() && last.chars().allMatch(Character::isDigit);
    }

    private static int commonPrefixLength(List<List<String>> paths) {
        int n = paths.getFirst().size();
        for (List<String> p : paths) {
            int i = 0;
            while (i < n && i < p.size() && p.get(i).equals(paths.getFirst().get(i))) i++;
            n = i;
        }
        return n;
    }

    private static String componentAt(List<String> path, int i) {
        return i < path.size() ? path.get(i) : null;
    }

    /** "features.0" and "features.3" give "features.0-3"; names with no shared stem give "a-b". */
    private static String range(String first, String last) {
        int dot = first.lastIndexOf('.');
        if (dot >= 0 && last.startsWith(first.substring(0, dot + 1))) {
            return first + "-" + last.substring(dot + 1);
        }
        return first + "-" + last;
    }
}
