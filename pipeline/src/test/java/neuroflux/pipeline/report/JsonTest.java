package neuroflux.pipeline.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import neuroflux.onnx.BadInputException;
import org.junit.jupiter.api.Test;

class JsonTest {
    @Test
    void writtenObjectsParseBackWithTheirFieldsInOrder() {
        ObjectNode o = Json.object();
        o.put("name", "unit0");
        o.set("shape", Json.array(32, 14, 14));
        o.set("ops", Json.array(List.of("Conv", "Relu")));
        o.put("diff", 2.5e-7);
        JsonNode back = Json.parse(Json.write(o), "test");
        assertEquals(Json.write(o), Json.write(back));
        assertEquals(List.of("name", "shape", "ops", "diff"), iterable(back));
        assertEquals(14, back.get("shape").get(2).asLong());
    }

    @Test
    void nonFiniteNumbersStayValidJson() {
        ObjectNode o = Json.object();
        o.put("diff", Double.NaN);
        JsonNode back = Json.parse(Json.write(o), "test");
        assertEquals("NaN", back.get("diff").asText());
    }

    @Test
    void malformedOrEmptyTextIsBadInput() {
        BadInputException e = assertThrows(BadInputException.class, () -> Json.parse("{\"a\": ", "report.json"));
        assertTrue(e.getMessage().startsWith("report.json is not valid JSON"), e.getMessage());
        assertThrows(BadInputException.class, () -> Json.parse("", "report.json"));
    }

    private static List<String> iterable(JsonNode n) {
        List<String> names = new java.util.ArrayList<>();
        n.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
