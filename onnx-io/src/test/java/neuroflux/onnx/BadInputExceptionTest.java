package neuroflux.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class BadInputExceptionTest {
    @Test
    void controlCharactersFromAFileCannotBreakTheLine() {
        BadInputException e = new BadInputException("node 'a\nb\r\u001b[31m\tc' is broken");
        assertEquals("node 'a\\nb\\r\\u001b[31m c' is broken", e.getMessage());
    }

    @Test
    void aRunawayNameIsElidedInTheMiddle() {
        String m = new BadInputException("node '" + "x".repeat(100_000) + "' (Relu): the end").getMessage();
        assertTrue(m.length() <= BadInputException.MAX_LENGTH + 3, "length " + m.length());
        assertTrue(m.startsWith("node 'xxx") && m.endsWith("' (Relu): the end") && m.contains(" … "), m);
    }

    @Test
    void elisionNeverSplitsACharacter() {
        for (String prefix : new String[] {"", "a"}) {
            String m = new BadInputException(prefix + "\uD83D\uDE00".repeat(5000)).getMessage();
            assertTrue(m.codePoints().noneMatch(c -> Character.isSurrogate((char) c) && c <= 0xFFFF), m);
        }
    }

    @Test
    void aMissingMessageStillSaysSomething() {
        assertEquals("(no details)", new BadInputException(null).getMessage());
    }
}
