package dev.jlightning.callbacks;

import dev.jlightning.logging.PythonFormat;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;

/** Python's number formatting where the callbacks' messages and tables reproduce Lightning's text. */
final class PyText {

    private PyText() {
    }

    /** Python's {@code f"{x:.Nf}"}: the exact binary value rounded half-even, {@code inf}/{@code nan} spelled out. */
    static String fixed(double x, int decimals) {
        if (Double.isNaN(x)) {
            return "nan";
        }
        if (Double.isInfinite(x)) {
            return x > 0 ? "inf" : "-inf";
        }
        return new BigDecimal(x).setScale(decimals, RoundingMode.HALF_EVEN).toPlainString();
    }

    /** Python's {@code f"{x:,.Nf}"}: as {@link #fixed} with thousands separated by commas. */
    static String fixedGrouped(double x, int decimals) {
        String s = fixed(x, decimals);
        if (!Double.isFinite(x)) {
            return s;
        }
        boolean negative = s.startsWith("-");
        String body = negative ? s.substring(1) : s;
        int dot = body.indexOf('.');
        String intPart = dot < 0 ? body : body.substring(0, dot);
        String frac = dot < 0 ? "" : body.substring(dot);
        return (negative ? "-" : "") + group(intPart) + frac;
    }

    /** Python's {@code f"{n:,d}"}. */
    static String grouped(long n) {
        return n < 0 ? "-" + group(Long.toString(-n)) : group(Long.toString(n));
    }

    private static String group(String digits) {
        StringBuilder sb = new StringBuilder();
        int first = digits.length() % 3 == 0 ? 3 : digits.length() % 3;
        sb.append(digits, 0, first);
        for (int i = first; i < digits.length(); i += 3) {
            sb.append(',').append(digits, i, i + 3);
        }
        return sb.toString();
    }

    /**
     * A float32 value as PyTorch prints a 0-dim tensor's number: the shortest decimal that reads back as the same
     * float32 (so {@code 0.0125f} is {@code 0.0125}, not its double expansion).
     */
    static String float32(float v) {
        if (Float.isNaN(v)) {
            return "nan";
        }
        if (Float.isInfinite(v)) {
            return v > 0 ? "inf" : "-inf";
        }
        if (v == 0f) {
            return PythonFormat.str((double) v);
        }
        BigDecimal exact = new BigDecimal(v);
        for (int digits = 1; digits < 9; digits++) {
            BigDecimal candidate = exact.round(new MathContext(digits, RoundingMode.HALF_EVEN));
            if (candidate.floatValue() == v) {
                // at most 9 significant digits, so the double nearest to it prints as exactly these digits
                return PythonFormat.str(candidate.doubleValue());
            }
        }
        return PythonFormat.str(exact.round(new MathContext(9, RoundingMode.HALF_EVEN)).doubleValue());
    }

    /** Python's {@code repr(str)} for plain text: single quotes unless the text holds one and no double quote. */
    static String repr(String s) {
        char quote = s.indexOf('\'') >= 0 && s.indexOf('"') < 0 ? '"' : '\'';
        StringBuilder sb = new StringBuilder().append(quote);
        for (char c : s.toCharArray()) {
            if (c == '\\' || c == quote) {
                sb.append('\\');
            }
            sb.append(c);
        }
        return sb.append(quote).toString();
    }
}
