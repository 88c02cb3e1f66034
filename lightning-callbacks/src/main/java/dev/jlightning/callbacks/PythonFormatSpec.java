package dev.jlightning.callbacks;

import dev.jlightning.logging.PythonFormat;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Python's format-spec mini-language for numbers ({@code format(value, ".2f")}), as checkpoint filename templates
 * such as {@code "{epoch:02d}-{val_loss:.2f}"} use it.
 *
 * <p>Supports {@code [[fill]align][sign][0][width][.precision][type]} with the types {@code f F e E g G d %} and none.
 * Rounding is Python's: the exact binary value rounded half-to-even, which {@code String.format} does not do
 * ({@code format(0.125, ".2f")} is {@code "0.12"} in Python, {@code "0.13"} in Java).
 */
final class PythonFormatSpec {

    private static final Pattern SPEC = Pattern.compile(
            "(?:(.)?([<>^=]))?([+\\- ])?(0)?(\\d+)?(?:\\.(\\d+))?([fFeEgGd%])?");

    private PythonFormatSpec() {
    }

    /** Formats {@code value} (a whole number for {@code Long}/{@code Integer}) with {@code spec}. */
    static String format(Number value, String spec) {
        boolean integral = value instanceof Long || value instanceof Integer;
        if (spec.isEmpty()) {
            return integral ? String.valueOf(value.longValue()) : PythonFormat.str(value.doubleValue());
        }
        Matcher m = SPEC.matcher(spec);
        if (!m.matches()) {
            throw new IllegalArgumentException("unsupported format spec ':" + spec + "'; supported:"
                    + " [[fill]align][sign][0][width][.precision][type] with type f, e, g, d or %");
        }
        char fill = m.group(1) != null ? m.group(1).charAt(0) : (m.group(4) != null ? '0' : ' ');
        char align = m.group(2) != null ? m.group(2).charAt(0) : (m.group(4) != null ? '=' : '>');
        String sign = m.group(3) == null ? "-" : m.group(3);
        int width = m.group(5) == null ? 0 : Integer.parseInt(m.group(5));
        int precision = m.group(6) == null ? -1 : Integer.parseInt(m.group(6));
        char type = m.group(7) == null ? (integral ? 'd' : 'r') : m.group(7).charAt(0);
        double d = value.doubleValue();
        boolean negative = d < 0 || (d == 0 && 1 / d < 0) || (integral && value.longValue() < 0);
        String body;
        if (type == 'd') {
            if (!integral) {
                throw new IllegalArgumentException("format spec ':" + spec + "' needs an integer, got " + value);
            }
            body = String.valueOf(Math.abs(value.longValue()));
        } else if (!Double.isFinite(d)) {
            body = Double.isNaN(d) ? "nan" : "inf";
            if (Character.isUpperCase(type)) {
                body = body.toUpperCase(java.util.Locale.ROOT);
            }
        } else {
            BigDecimal x = new BigDecimal(Math.abs(d));
            switch (type) {
                case 'f', 'F' -> body = x.setScale(precision < 0 ? 6 : precision, RoundingMode.HALF_EVEN)
                        .toPlainString();
                case '%' -> body = x.movePointRight(2).setScale(precision < 0 ? 6 : precision, RoundingMode.HALF_EVEN)
                        .toPlainString() + "%";
                case 'e', 'E' -> body = scientific(x, precision < 0 ? 6 : precision, type == 'E', false);
                case 'g', 'G' -> body = general(x, precision < 0 ? 6 : Math.max(precision, 1), type == 'G');
                default -> body = precision < 0 ? PythonFormat.str(Math.abs(d))
                        : general(x, Math.max(precision, 1), false);
            }
        }
        String signText = negative ? "-" : ("+".equals(sign) ? "+" : (" ".equals(sign) ? " " : ""));
        int pad = width - signText.length() - body.length();
        if (pad <= 0) {
            return signText + body;
        }
        String padding = String.valueOf(fill).repeat(pad);
        return switch (align) {
            case '<' -> signText + body + padding;
            case '^' -> padding.substring(0, pad / 2) + signText + body + padding.substring(pad / 2);
            case '=' -> signText + padding + body;
            default -> padding + signText + body;
        };
    }

    private static String scientific(BigDecimal x, int precision, boolean upper, boolean stripZeros) {
        int exponent;
        String digits;
        if (x.signum() == 0) {
            exponent = 0;
            digits = "0".repeat(precision + 1);
        } else {
            BigDecimal r = x.round(new MathContext(precision + 1, RoundingMode.HALF_EVEN));
            exponent = r.precision() - r.scale() - 1;
            digits = r.unscaledValue().toString();
            digits = (digits + "0".repeat(precision + 1)).substring(0, precision + 1);
        }
        String mantissa = digits.substring(0, 1) + (precision > 0 ? "." + digits.substring(1) : "");
        if (stripZeros && mantissa.contains(".")) {
            mantissa = mantissa.replaceAll("0+$", "").replaceAll("\\.$", "");
        }
        String exp = String.format("%02d", Math.abs(exponent));
        return mantissa + (upper ? "E" : "e") + (exponent < 0 ? "-" : "+") + exp;
    }

    private static String general(BigDecimal x, int precision, boolean upper) {
        if (x.signum() == 0) {
            return "0";
        }
        BigDecimal r = x.round(new MathContext(precision, RoundingMode.HALF_EVEN));
        int exponent = r.precision() - r.scale() - 1;
        if (exponent >= -4 && exponent < precision) {
            String plain = r.setScale(Math.max(0, precision - 1 - exponent), RoundingMode.HALF_EVEN).toPlainString();
            return plain.contains(".") ? plain.replaceAll("0+$", "").replaceAll("\\.$", "") : plain;
        }
        return scientific(x, precision - 1, upper, true);
    }
}
