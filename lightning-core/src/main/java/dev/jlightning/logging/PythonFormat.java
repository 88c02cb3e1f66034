package dev.jlightning.logging;

import com.fasterxml.jackson.core.io.NumberOutput;
import java.math.BigDecimal;

/**
 * Formats numbers the way Python's {@code str()} does, so files JLightning writes match Lightning's byte for byte.
 *
 * <p>Python prints a float as the shortest decimal that reads back as the same double ({@code 0.1},
 * {@code 0.09000000000000001}), the one closest to the double when several of that length do, in positional
 * notation when the decimal exponent is in {@code [-4, 16)} and in scientific notation otherwise with at least two
 * exponent digits ({@code 1e-05}, {@code 1e+16}); an integral float keeps {@code .0}. Java's {@code Double.toString}
 * differs in notation and, before JDK 19, is not always shortest. The digits come from jackson-core's Schubfach
 * writer, the algorithm of JDK 19's {@code Double.toString}, which makes the same choice except where one digit
 * would do (see {@link #shortest(double)}); loggers format every value they write, so this is on the logging path of
 * every step.
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
        Decimal d = shortest(Math.abs(v));
        String digits = d.digits();
        int decpt = d.decpt();
        StringBuilder sb = new StringBuilder(24);
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
     * Significant digits without leading or trailing zeros, and the decimal exponent of the first one: the value is
     * {@code 0.d1d2... * 10^decpt}.
     */
    record Decimal(String digits, int decpt) {
        /** The value as {@code <digits>e<exponent>}, which {@code Double.parseDouble} and {@code BigDecimal} read. */
        String scientific() {
            return digits + "e" + (decpt - digits.length());
        }
    }

    /**
     * Python's digits for {@code a} (positive, finite).
     *
     * <p>Schubfach and Python's {@code repr} both take, among the decimals of the fewest digits that read back as
     * {@code a}, the one closest to it (the rounding interval of a power of two is narrower below it, so that is not
     * always the nearest decimal of that length). Where one digit would do, Schubfach returns the closest two-digit
     * decimal instead ({@code 4.9E-324} where Python prints {@code 5e-324}), so a two-digit result is checked against
     * the one-digit decimals on either side of {@code a}.
     */
    static Decimal shortest(double a) {
        Decimal d = schubfach(a);
        if (d.digits().length() != 2) {
            return d;
        }
        int first = d.digits().charAt(0) - '0';
        Decimal below = new Decimal(Integer.toString(first), d.decpt());
        Decimal above = first == 9 ? new Decimal("1", d.decpt() + 1)
                : new Decimal(Integer.toString(first + 1), d.decpt());
        boolean belowReads = readsBackAs(below, a);
        boolean aboveReads = readsBackAs(above, a);
        if (belowReads && aboveReads) {
            BigDecimal exact = new BigDecimal(a);
            int cmp = exact.subtract(new BigDecimal(below.scientific()))
                    .compareTo(new BigDecimal(above.scientific()).subtract(exact));
            // a tie goes to the even digit, as in Python's dtoa
            return cmp < 0 || (cmp == 0 && first % 2 == 0) ? below : above;
        }
        return belowReads ? below : aboveReads ? above : d;
    }

    private static boolean readsBackAs(Decimal d, double a) {
        return Double.parseDouble(d.scientific()) == a;
    }

    /** Schubfach's shortest digits of {@code a}, parsed from jackson-core's {@code Double.toString}-style output. */
    private static Decimal schubfach(double a) {
        String s = NumberOutput.toString(a, true);
        int e = s.indexOf('E');
        int end = e < 0 ? s.length() : e;
        int point = s.indexOf('.');
        int intLen = point < 0 || point > end ? end : point;
        StringBuilder digits = new StringBuilder(end);
        int leadingZeros = 0;
        for (int i = 0; i < end; i++) {
            char c = s.charAt(i);
            if (c == '.') {
                continue;
            }
            if (c == '0' && digits.length() == 0) {
                leadingZeros++;
            } else {
                digits.append(c);
            }
        }
        int len = digits.length();
        while (len > 1 && digits.charAt(len - 1) == '0') {
            len--;
        }
        digits.setLength(len);
        int exp = e < 0 ? 0 : Integer.parseInt(s, e + 1, s.length(), 10);
        return new Decimal(digits.toString(), intLen - leadingZeros + exp);
    }
}
