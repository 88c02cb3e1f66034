package dev.jlightning.logging;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;

/**
 * Formats numbers the way Python's {@code str()} does, so files JLightning writes match Lightning's byte for byte.
 *
 * <p>Python prints a float as the shortest decimal that reads back as the same double ({@code 0.1},
 * {@code 0.09000000000000001}), in positional notation when the decimal exponent is in {@code [-4, 16)} and in
 * scientific notation otherwise with at least two exponent digits ({@code 1e-05}, {@code 1e+16}); an integral float
 * keeps {@code .0}. Java's {@code Double.toString} differs in notation and, before JDK 19, is not always shortest,
 * so the digits are found here with exact decimal arithmetic.
 */
public final class PythonFormat {

    private PythonFormat() {
    }

    /** Python's {@code str(value)} for a number: ints as ints, everything else as a Python float. */
    public static String str(Number value) {
        if (value instanceof Integer || value instanceof Long || value instanceof Short || value instanceof Byte) {
            return Long.toString(value.longValue());
        }
        return str(value.doubleValue());
    }

    /** Python's {@code repr(float)} / {@code str(float)}. */
    public static String str(double v) {
        if (Double.isNaN(v)) {
            return "nan";
        }
        if (Double.isInfinite(v)) {
            return v > 0 ? "inf" : "-inf";
        }
        if (v == 0) {
            return (Double.doubleToRawLongBits(v) < 0) ? "-0.0" : "0.0";
        }
        BigDecimal stripped = shortestDigits(Math.abs(v)).stripTrailingZeros();
        String digits = stripped.unscaledValue().toString();
        // decimal exponent of the first digit: value = 0.d1d2... * 10^decpt
        int decpt = digits.length() - stripped.scale();
        StringBuilder sb = new StringBuilder();
        if (v < 0) {
            sb.append('-');
        }
        if (decpt > -4 && decpt <= 16) {
            if (decpt <= 0) {
                sb.append("0.");
                for (int i = 0; i < -decpt; i++) {
                    sb.append('0');
                }
                sb.append(digits);
            } else if (decpt >= digits.length()) {
                sb.append(digits);
                for (int i = digits.length(); i < decpt; i++) {
                    sb.append('0');
                }
                sb.append(".0");
            } else {
                sb.append(digits, 0, decpt).append('.').append(digits, decpt, digits.length());
            }
        } else {
            sb.append(digits.charAt(0));
            if (digits.length() > 1) {
                sb.append('.').append(digits, 1, digits.length());
            }
            int exp = decpt - 1;
            sb.append('e').append(exp < 0 ? '-' : '+');
            int abs = Math.abs(exp);
            if (abs < 10) {
                sb.append('0');
            }
            sb.append(abs);
        }
        return sb.toString();
    }

    /**
     * The correctly rounded decimal with the fewest significant digits that reads back as {@code a} (positive,
     * finite): the smallest {@code k} for which {@code a}'s exact value rounded half-even to {@code k} digits
     * round-trips.
     *
     * <p>Where the interval of decimals that read back as {@code a} is symmetric around it (every double but the
     * powers of two), some k-digit decimal lies in it exactly when the nearest one does, and then so does one of
     * every longer length. So the answer is found by walking down from the length of {@code Double.toString(a)}
     * (which round-trips, though before JDK 19 it is not always the shortest) until a length fails: usually two
     * roundings instead of up to seventeen, which matters because loggers format every value they write.
     */
    static BigDecimal shortestDigits(double a) {
        BigDecimal exact = new BigDecimal(a);
        long bits = Double.doubleToRawLongBits(a);
        boolean powerOfTwo = (bits & 0x000F_FFFF_FFFF_FFFFL) == 0;
        if (!powerOfTwo) {
            int n = significantDigits(Double.toString(a));
            BigDecimal shortest = round(exact, n);
            if (shortest.doubleValue() == a) {
                for (int k = n - 1; k >= 1; k--) {
                    BigDecimal candidate = round(exact, k);
                    if (candidate.doubleValue() != a) {
                        break;
                    }
                    shortest = candidate;
                }
                return shortest;
            }
        }
        // the asymmetric interval of a power of two: try every length from the shortest, as Python's dtoa does
        for (int digits = 1; digits <= 17; digits++) {
            BigDecimal candidate = round(exact, digits);
            if (candidate.doubleValue() == a) {
                return candidate;
            }
        }
        return round(exact, 17);
    }

    private static BigDecimal round(BigDecimal exact, int digits) {
        return exact.round(new MathContext(digits, RoundingMode.HALF_EVEN));
    }

    /** The number of significant digits of a {@code Double.toString} result, trailing zeros not counted. */
    private static int significantDigits(String javaRepr) {
        int end = javaRepr.indexOf('E');
        if (end < 0) {
            end = javaRepr.length();
        }
        int first = -1;
        int last = -1;
        int count = 0;
        int lastNonZeroCount = 0;
        for (int i = 0; i < end; i++) {
            char c = javaRepr.charAt(i);
            if (c < '0' || c > '9') {
                continue;
            }
            if (first < 0 && c == '0') {
                continue;
            }
            if (first < 0) {
                first = i;
            }
            count++;
            if (c != '0') {
                last = i;
                lastNonZeroCount = count;
            }
        }
        return Math.max(1, Math.min(17, last < 0 ? 1 : lastNonZeroCount));
    }
}
