package dev.jlightning.callbacks.progress;

import dev.jlightning.logging.PythonFormat;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.Map;

/**
 * tqdm's text formats, as Lightning's {@code TQDMProgressBar} shows them: the meter line
 * ({@code Epoch 0:  50%|█████     | 5/10 [00:01<00:01,  4.50it/s, v_num=0, loss=0.123]}), times, rates and the
 * padded numbers of the metrics.
 *
 * <p>Counterpart of {@code tqdm.std.tqdm.format_meter}, {@code format_interval}, {@code format_num} and Lightning's
 * {@code Tqdm.format_num}. The bar is tqdm's 10-character one (its width when the terminal width is not known), drawn
 * with the eighth-block characters.
 */
public final class TqdmFormat {

    private static final int BAR_WIDTH = 10;
    private static final String BAR_CHARS = " \u258F\u258E\u258D\u258C\u258B\u258A\u2589\u2588";
    /** Lightning's {@code _PAD_SIZE}. */
    private static final int PAD_SIZE = 5;

    private TqdmFormat() {
    }

    /** tqdm's {@code format_interval}: {@code 05:07}, or {@code 1:05:07} past an hour. */
    public static String interval(double seconds) {
        long t = (long) seconds;
        long mins = t / 60;
        long s = t % 60;
        long h = mins / 60;
        long m = mins % 60;
        return h > 0 ? String.format("%d:%02d:%02d", h, m, s) : String.format("%02d:%02d", m, s);
    }

    /** tqdm's rate: {@code  4.50it/s}, {@code  2.50s/it} when slower than one per second, {@code ?it/s} unknown. */
    public static String rate(double rate) {
        if (!(rate > 0)) {
            return "?it/s";
        }
        double inverse = 1 / rate;
        return inverse > 1 ? pad5(inverse) + "s/it" : pad5(rate) + "it/s";
    }

    private static String pad5(double v) {
        String s = fixed(v, 2);
        return s.length() >= 5 ? s : " ".repeat(5 - s.length()) + s;
    }

    /** The meter line; {@code withBar} false leaves out the block characters (for logs). */
    public static String meter(BarState s, boolean withBar) {
        StringBuilder sb = new StringBuilder();
        String prefix = s.description().isEmpty() ? "" : s.description() + ": ";
        double rate = s.rate();
        String postfix = postfix(s.postfix());
        if (s.total().isPresent() && s.total().getAsLong() > 0) {
            long total = s.total().getAsLong();
            double frac = Math.min(1.0, (double) s.n() / total);
            String pct = fixed(frac * 100, 0);
            sb.append(prefix).append(" ".repeat(Math.max(0, 3 - pct.length()))).append(pct).append('%');
            if (withBar) {
                sb.append('|').append(bar(frac)).append("| ");
            } else {
                sb.append(' ');
            }
            String remaining = rate > 0 ? interval((total - s.n()) / rate) : "?";
            sb.append(s.n()).append('/').append(total).append(" [").append(interval(s.elapsedSeconds())).append('<')
                    .append(remaining).append(", ").append(rate(rate)).append(postfix).append(']');
        } else {
            sb.append(prefix).append(s.n()).append("it [").append(interval(s.elapsedSeconds())).append(", ")
                    .append(rate(rate)).append(postfix).append(']');
        }
        return sb.toString();
    }

    /** tqdm's unicode bar of {@value #BAR_WIDTH} characters for a fraction done. */
    static String bar(double frac) {
        int symbols = BAR_CHARS.length() - 1;
        int units = (int) (frac * BAR_WIDTH * symbols);
        int full = units / symbols;
        int partial = units % symbols;
        StringBuilder sb = new StringBuilder();
        sb.append(String.valueOf(BAR_CHARS.charAt(symbols)).repeat(full));
        if (full < BAR_WIDTH) {
            sb.append(BAR_CHARS.charAt(partial)).append(" ".repeat(BAR_WIDTH - full - 1));
        }
        return sb.toString();
    }

    private static String postfix(Map<String, String> values) {
        if (values.isEmpty()) {
            return "";
        }
        StringBuilder sb = new StringBuilder();
        values.forEach((k, v) -> sb.append(", ").append(k).append('=').append(v.strip()));
        return sb.toString();
    }

    /**
     * A metric value as Lightning's progress bar shows it: tqdm's {@code format_num} (3 significant digits unless
     * the plain text is shorter), then, for floats, padded with zeros to 5 characters ({@code 1.5} shows as
     * {@code 1.500}). Integers ({@link Integer}, {@link Long}) are not padded.
     */
    public static String num(Number value) {
        boolean isFloat = !(value instanceof Integer || value instanceof Long || value instanceof Short
                || value instanceof Byte);
        String n = isFloat ? tqdmNum(value.doubleValue()) : tqdmNum(value.longValue());
        if (isFloat && n.indexOf('e') < 0) {
            // Lightning pads "nan" and "inf" too (float() accepts them): nan.0, inf.0
            if (n.indexOf('.') < 0 && n.length() < PAD_SIZE) {
                n += ".";
            }
            if (n.length() < PAD_SIZE) {
                n += "0".repeat(PAD_SIZE - n.length());
            }
        }
        return n;
    }

    /** tqdm's {@code format_num} for a float: {@code '{0:.3g}'} with short exponents, or {@code str(n)} if shorter. */
    static String tqdmNum(double v) {
        String f = general3(v).replace("+0", "+").replace("-0", "-");
        String plain = PythonFormat.str(v);
        return f.length() < plain.length() ? f : plain;
    }

    static String tqdmNum(long v) {
        String f = v == 0 ? "0" : general3(v).replace("+0", "+").replace("-0", "-");
        String plain = Long.toString(v);
        return f.length() < plain.length() ? f : plain;
    }

    /** Python's {@code '{0:.3g}'.format(v)}. */
    static String general3(double v) {
        if (Double.isNaN(v)) {
            return "nan";
        }
        if (Double.isInfinite(v)) {
            return v > 0 ? "inf" : "-inf";
        }
        if (v == 0) {
            return Double.doubleToRawLongBits(v) < 0 ? "-0" : "0";
        }
        BigDecimal rounded = new BigDecimal(v).round(new MathContext(3, RoundingMode.HALF_EVEN));
        int exp = rounded.precision() - rounded.scale() - 1;
        if (exp >= -4 && exp < 3) {
            BigDecimal fixedValue = rounded.setScale(Math.max(0, 2 - exp), RoundingMode.HALF_EVEN);
            return stripZeros(fixedValue.toPlainString());
        }
        BigDecimal mantissa = rounded.movePointLeft(exp);
        String m = stripZeros(mantissa.setScale(2, RoundingMode.HALF_EVEN).toPlainString());
        String e = String.format("%02d", Math.abs(exp));
        return m + "e" + (exp < 0 ? "-" : "+") + e;
    }

    private static String stripZeros(String s) {
        if (s.indexOf('.') < 0) {
            return s;
        }
        s = s.replaceAll("0+$", "");
        return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
    }

    /** Python's {@code f"{v:.Nf}"}: the exact binary value rounded half to even. */
    static String fixed(double v, int decimals) {
        return new BigDecimal(v).setScale(decimals, RoundingMode.HALF_EVEN).toPlainString();
    }
}
