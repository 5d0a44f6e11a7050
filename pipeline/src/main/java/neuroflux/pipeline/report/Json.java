package neuroflux.pipeline.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintStream;
import java.util.List;
import neuroflux.onnx.BadInputException;

/**
 * The JSON every command prints with --json: built as Jackson trees (fields keep the order they are put in) and
 * printed as one indented object. Non-finite numbers are written as the strings "NaN" and "Infinity".
 */
public final class Json {
    private static final ObjectMapper MAPPER = JsonMapper.builder().build();

    private Json() {}

    public static ObjectNode object() {
        return MAPPER.createObjectNode();
    }

    public static ArrayNode array() {
        return MAPPER.createArrayNode();
    }

    public static ArrayNode array(long... values) {
        ArrayNode a = array();
        for (long v : values) a.add(v);
        return a;
    }

    public static ArrayNode array(List<String> values) {
        ArrayNode a = array();
        values.forEach(a::add);
        return a;
    }

    /** The node as indented JSON text. */
    public static String write(JsonNode node) {
        try {
            return MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write JSON: " + e.getMessage(), e);
        }
    }

    /** Prints the node and a line break: what a command's --json output is. */
    public static void print(JsonNode node, PrintStream out) {
        out.println(write(node));
    }

    /** Parses JSON text; malformed text is bad input naming {@code what} it was. */
    public static JsonNode parse(String text, String what) {
        try {
            JsonNode node = MAPPER.readTree(text);
            if (node == null || node.isMissingNode()) throw new BadInputException(what + " is empty, not JSON");
            return node;
        } catch (JsonProcessingException e) {
            throw new BadInputException(what + " is not valid JSON: " + e.getOriginalMessage());
        }
    }
}
