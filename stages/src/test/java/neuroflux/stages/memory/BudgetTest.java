package neuroflux.stages.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import neuroflux.onnx.BadInputException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class BudgetTest {
    @ParameterizedTest
    @CsvSource({
            "512KiB, 524288",
            "64MiB, 67108864",
            "64 MiB, 67108864",
            "1.5GB, 1500000000",
            "2G, 2147483648",
            "100MB, 100000000",
            "1048576, 1048576",
            "1048576B, 1048576",
            "8kB, 8000",
            "8k, 8192",
            "1.5KiB, 1536",
            "0.3KiB, 307",
            "1TiB, 1099511627776",
    })
    void parsesHumanSizes(String text, long bytes) {
        assertEquals(bytes, Budget.parse(text).bytes());
    }

    @Test
    void unitsIgnoreCaseButKeepBinaryAndDecimalApart() {
        assertEquals(3L << 20, Budget.parse("3mib").bytes());
        assertEquals(3_000_000L, Budget.parse("3mb").bytes());
        assertEquals(3L << 20, Budget.parse("3m").bytes());
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "0MiB", "-5MiB", "-1", "", "   ", "NaN", "Infinity", "12XB", "MiB", "1e6", "0.1B",
            "1.2.3MB", "99999999999EiB", "9999999999999TiB"})
    void refusesWhatIsNotAPositiveSize(String text) {
        BadInputException e = assertThrows(BadInputException.class, () -> Budget.parse(text));
        assertTrue(e.getMessage().contains("KiB") && e.getMessage().contains("MB"),
                "the message names the accepted forms: " + e.getMessage());
        assertTrue(!e.getMessage().contains("\n"), "one line");
    }

    @Test
    void refusesNull() {
        assertThrows(BadInputException.class, () -> Budget.parse(null));
    }

    @Test
    void formatsForPeople() {
        assertEquals("512 B", Budget.format(512));
        assertEquals("1 KiB", Budget.format(1024));
        assertEquals("1.5 KiB", Budget.format(1536));
        assertEquals("63.5 MiB", Budget.format(63L * (1 << 20) + (1 << 19)));
        assertEquals("2 GiB", Budget.format(2L << 30));
        assertEquals("-1.5 MiB", Budget.format(-(3L << 19)));
        assertEquals("0 B", Budget.format(0));
    }

    @Test
    void formatRoundTripsThroughParseForWholeUnits() {
        for (long b : new long[] {7L << 10, 12L << 20, 3L << 30}) {
            assertEquals(b, Budget.parse(Budget.format(b).replace(" ", "")).bytes());
        }
    }
}
