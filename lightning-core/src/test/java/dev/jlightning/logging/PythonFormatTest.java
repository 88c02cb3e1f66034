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
        "12345.678|12345.678"
    })
    void floatsPrintLikeCPython(double value, String expected) {
        assertEquals(expected, PythonFormat.str(value));
    }

    /**
     * The digit search that walks down from {@code Double.toString} finds what trying every length from one does
     * (the straightforward search, kept here as the reference), over random doubles of every magnitude, float32
     * values as logged metrics are, and the powers of two whose asymmetric intervals take the long way.
     */
    @org.junit.jupiter.api.Test
    void shortestDigitsEqualTheExhaustiveSearch() {
        java.util.SplittableRandom random = new java.util.SplittableRandom(7);
        for (int i = 0; i < 200_000; i++) {
            double a = switch (i % 4) {
                case 0 -> Double.longBitsToDouble(random.nextLong(1L, 0x7FF0_0000_0000_0000L));
                case 1 -> (double) Float.intBitsToFloat(random.nextInt(1, 0x7F80_0000));
                case 2 -> random.nextDouble() * Math.pow(10, random.nextInt(-8, 9));
                default -> Math.round(random.nextDouble() * 1e6) / 1e4;
            };
            if (a > 0 && Double.isFinite(a)) {
                assertEquals(exhaustive(a), PythonFormat.shortestDigits(a), () -> Double.toString(a));
            }
        }
        for (int e = -1074; e <= 1023; e++) {
            double a = Math.scalb(1.0, e);
            assertEquals(exhaustive(a), PythonFormat.shortestDigits(a), () -> Double.toString(a));
        }
    }

    private static java.math.BigDecimal exhaustive(double a) {
        java.math.BigDecimal exact = new java.math.BigDecimal(a);
        for (int digits = 1; digits <= 17; digits++) {
            java.math.BigDecimal candidate = exact.round(new java.math.MathContext(digits,
                    java.math.RoundingMode.HALF_EVEN));
            if (candidate.doubleValue() == a) {
                return candidate;
            }
        }
        return exact.round(new java.math.MathContext(17, java.math.RoundingMode.HALF_EVEN));
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
