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
        BigDecimal exact = new BigDecimal(Math.abs(v));
        BigDecimal shortest = null;
        for (int digits = 1; digits <= 17; digits++) {
            BigDecimal candidate = exact.round(new MathContext(digits, RoundingMode.HALF_EVEN));
            if (candidate.doubleValue() == Math.abs(v)) {
                shortest = candidate;
                break;
            }
        }
        if (shortest == null) {
            shortest = exact.round(new MathContext(17, RoundingMode.HALF_EVEN));
        }
        BigDecimal stripped = shortest.stripTrailingZeros();
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
}
