package dev.jlightning.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PythonFormatTest {

    /** Expected strings are what CPython's str(float) prints. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "0.1|0.1",
        "0.09000000000000001|0.09000000000000001",
        "0.0|0.0",
        "1e-05|1e-05",
        "9.765625e-05|9.765625e-05",
        "4e-07|4e-07",
        "0.0001|0.0001",
        "1.0|1.0",
        "100.0|100.0",
        "1e16|1e+16",
        "1e15|1000000000000000.0",
        "123456789012345678|1.2345678901234568e+17",
        "-2.5|-2.5",
        "31.96720314025879|31.96720314025879",
        "0.30000000000000004|0.30000000000000004",
        "1.5e-300|1.5e-300",
        "5e-324|5e-324",
        "1.7976931348623157e308|1.7976931348623157e+308",
        "0.001|0.001",
        "0.00025|0.00025",
        "12345.678|12345.678",
        "7.120236347223045e-307|7.120236347223045e-307",
        "0.5|0.5",
        "9.5|9.5",
        "95|95.0"
    })
    void floatsPrintLikeCPython(double value, String expected) {
        assertEquals(expected, PythonFormat.str(value));
    }

    /**
     * Every double in {@code fixtures/format/float_repr.txt} (all powers of two, random bit patterns, float32 values,
     * one- and two-digit decimals of every magnitude and their neighbours) prints as CPython's {@code repr}, which
     * {@code make_float_repr.py} wrote next to it; negated, with a leading minus.
     */
    @org.junit.jupiter.api.Test
    void everyFixtureDoublePrintsAsCPythonRepr() throws java.io.IOException {
        int checked = 0;
        try (var in = PythonFormatTest.class.getResourceAsStream("/fixtures/format/float_repr.txt");
                var reader = new java.io.BufferedReader(new java.io.InputStreamReader(in,
                        java.nio.charset.StandardCharsets.US_ASCII))) {
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                int space = line.indexOf(' ');
                double v = Double.longBitsToDouble(Long.parseUnsignedLong(line.substring(0, space), 16));
                String expected = line.substring(space + 1);
                assertEquals(expected, PythonFormat.str(v), line);
                assertEquals("-" + expected, PythonFormat.str(-v), line);
                checked++;
            }
        }
        assertEquals(16103, checked);
    }

    @org.junit.jupiter.api.Test
    void intsAndSpecialValues() {
        assertEquals("0", PythonFormat.str(Integer.valueOf(0)));
        assertEquals("5", PythonFormat.str(Long.valueOf(5L)));
        assertEquals("nan", PythonFormat.str(Double.NaN));
        assertEquals("inf", PythonFormat.str(Double.POSITIVE_INFINITY));
        assertEquals("-inf", PythonFormat.str(Double.NEGATIVE_INFINITY));
        assertEquals("-0.0", PythonFormat.str(-0.0));
        // a float32 value logged by Lightning, printed as the double it widens to
        assertEquals("0.10000000149011612", PythonFormat.str((double) 0.1f));
    }
}
