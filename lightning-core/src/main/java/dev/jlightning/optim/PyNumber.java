package dev.jlightning.optim;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import java.math.RoundingMode;

/**
 * A Python number as {@link Formula} computes with it: an {@code int} of unbounded size or a {@code float}
 * (an IEEE double), with CPython's rules for mixing them.
 *
 * <p>Counterpart of CPython's {@code int}/{@code float} arithmetic ({@code Objects/longobject.c},
 * {@code Objects/floatobject.c}) and the few {@code math} functions formulas may call. Failures become
 * {@link PyNumber.PyError}, carrying the name of the Python exception CPython would raise, so that
 * {@link Formula} can report them with the expression that caused them.
 */
final class PyNumber {

    private static final long MAX_EXACT_DOUBLE_INT = 1L << 53;
    private static final BigInteger LONG_MIN = BigInteger.valueOf(Long.MIN_VALUE);
    private static final BigInteger LONG_MAX = BigInteger.valueOf(Long.MAX_VALUE);
    /** Refuse ints beyond this many bits: CPython would grind for minutes, a schedule formula never needs them. */
    private static final int MAX_INT_BITS = 1 << 20;

    /** A failure CPython reports with the exception named by {@link #pythonType()}. */
    static final class PyError extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final String pythonType;

        PyError(String pythonType, String message) {
            super(message);
            this.pythonType = pythonType;
        }

        String pythonType() {
            return pythonType;
        }
    }

    private final boolean isInt;
    private final long small;
    /** Set only for ints outside the long range. */
    private final BigInteger big;
    private final double value;

    private PyNumber(boolean isInt, long small, BigInteger big, double value) {
        this.isInt = isInt;
        this.small = small;
        this.big = big;
        this.value = value;
    }

    static PyNumber ofInt(long v) {
        return new PyNumber(true, v, null, 0.0);
    }

    static PyNumber ofInt(BigInteger v) {
        if (v.compareTo(LONG_MIN) >= 0 && v.compareTo(LONG_MAX) <= 0) {
            return ofInt(v.longValue());
        }
        if (v.bitLength() > MAX_INT_BITS) {
            throw new PyError("OverflowError", "integer result has more than " + MAX_INT_BITS + " bits");
        }
        return new PyNumber(true, 0L, v, 0.0);
    }

    static PyNumber ofFloat(double v) {
        return new PyNumber(false, 0L, null, v);
    }

    boolean isInt() {
        return isInt;
    }

    private boolean isBig() {
        return big != null;
    }

    private BigInteger bigValue() {
        return big != null ? big : BigInteger.valueOf(small);
    }

    private int intSignum() {
        return big != null ? big.signum() : Long.signum(small);
    }

    /** Python's {@code float(x)}: exact rounding to nearest, OverflowError when an int is too large. */
    double toDouble() {
        if (!isInt) {
            return value;
        }
        if (big == null) {
            return small;
        }
        double d = big.doubleValue();
        if (Double.isInfinite(d)) {
            throw new PyError("OverflowError", "int too large to convert to float");
        }
        return d;
    }

    @Override
    public String toString() {
        if (isInt) {
            return bigValue().toString();
        }
        return Double.toString(value);
    }

    // ---- arithmetic -------------------------------------------------------------------------------------------

    static PyNumber add(PyNumber a, PyNumber b) {
        if (a.isInt && b.isInt) {
            if (!a.isBig() && !b.isBig()) {
                long r = a.small + b.small;
                if (((a.small ^ r) & (b.small ^ r)) >= 0) {
                    return ofInt(r);
                }
            }
            return ofInt(a.bigValue().add(b.bigValue()));
        }
        return ofFloat(a.toDouble() + b.toDouble());
    }

    static PyNumber subtract(PyNumber a, PyNumber b) {
        if (a.isInt && b.isInt) {
            if (!a.isBig() && !b.isBig()) {
                long r = a.small - b.small;
                if (((a.small ^ b.small) & (a.small ^ r)) >= 0) {
                    return ofInt(r);
                }
            }
            return ofInt(a.bigValue().subtract(b.bigValue()));
        }
        return ofFloat(a.toDouble() - b.toDouble());
    }

    static PyNumber multiply(PyNumber a, PyNumber b) {
        if (a.isInt && b.isInt) {
            if (!a.isBig() && !b.isBig()) {
                long hi = Math.multiplyHigh(a.small, b.small);
                long lo = a.small * b.small;
                if ((hi == 0 && lo >= 0) || (hi == -1 && lo < 0)) {
                    return ofInt(lo);
                }
            }
            return ofInt(a.bigValue().multiply(b.bigValue()));
        }
        return ofFloat(a.toDouble() * b.toDouble());
    }

    /** Python's {@code /}: always a float; int / int is rounded once from the exact quotient, as CPython does. */
    static PyNumber trueDivide(PyNumber a, PyNumber b) {
        if (a.isInt && b.isInt) {
            if (b.intSignum() == 0) {
                throw new PyError("ZeroDivisionError", "division by zero");
            }
            if (!a.isBig() && !b.isBig() && Math.abs(a.small) <= MAX_EXACT_DOUBLE_INT
                    && Math.abs(b.small) <= MAX_EXACT_DOUBLE_INT) {
                return ofFloat((double) a.small / (double) b.small);
            }
            double q = new BigDecimal(a.bigValue())
                    .divide(new BigDecimal(b.bigValue()), new MathContext(60, RoundingMode.HALF_EVEN))
                    .doubleValue();
            if (Double.isInfinite(q)) {
                throw new PyError("OverflowError", "integer division result too large for a float");
            }
            return ofFloat(q);
        }
        double divisor = b.toDouble();
        double dividend = a.toDouble();
        if (divisor == 0.0) {
            throw new PyError("ZeroDivisionError", "float division by zero");
        }
        return ofFloat(dividend / divisor);
    }

    /** Python's {@code //}: floor division, rounding towards negative infinity for ints and floats alike. */
    static PyNumber floorDivide(PyNumber a, PyNumber b) {
        if (a.isInt && b.isInt) {
            if (b.intSignum() == 0) {
                throw new PyError("ZeroDivisionError", "integer division or modulo by zero");
            }
            if (!a.isBig() && !b.isBig() && !(a.small == Long.MIN_VALUE && b.small == -1)) {
                return ofInt(Math.floorDiv(a.small, b.small));
            }
            BigInteger[] qr = a.bigValue().divideAndRemainder(b.bigValue());
            BigInteger q = qr[0];
            if (qr[1].signum() != 0 && qr[1].signum() != b.intSignum()) {
                q = q.subtract(BigInteger.ONE);
            }
            return ofInt(q);
        }
        double w = b.toDouble();
        double v = a.toDouble();
        if (w == 0.0) {
            throw new PyError("ZeroDivisionError", "float floor division by zero");
        }
        return ofFloat(floatDivMod(v, w)[0]);
    }

    /** Python's {@code %}: the result takes the divisor's sign ({@code -7 % 3 == 2}). */
    static PyNumber modulo(PyNumber a, PyNumber b) {
        if (a.isInt && b.isInt) {
            if (b.intSignum() == 0) {
                throw new PyError("ZeroDivisionError", "integer division or modulo by zero");
            }
            if (!a.isBig() && !b.isBig()) {
                return ofInt(Math.floorMod(a.small, b.small));
            }
            BigInteger r = a.bigValue().mod(b.bigValue().abs());
            if (b.intSignum() < 0 && r.signum() != 0) {
                r = r.add(b.bigValue());
            }
            return ofInt(r);
        }
        double w = b.toDouble();
        double v = a.toDouble();
        if (w == 0.0) {
            throw new PyError("ZeroDivisionError", "float modulo");
        }
        return ofFloat(floatDivMod(v, w)[1]);
    }

    /** CPython's {@code _float_div_mod}: fmod first, then the quotient from it, so both agree bit for bit. */
    private static double[] floatDivMod(double vx, double wx) {
        double mod = vx % wx; // Java's % on doubles is C's fmod
        double div = (vx - mod) / wx;
        if (mod != 0.0) {
            if ((wx < 0) != (mod < 0)) {
                mod += wx;
                div -= 1.0;
            }
        } else {
            mod = Math.copySign(0.0, wx);
        }
        double floordiv;
        if (div != 0.0) {
            floordiv = Math.floor(div);
            if (div - floordiv > 0.5) {
                floordiv += 1.0;
            }
        } else {
            floordiv = Math.copySign(0.0, vx / wx);
        }
        return new double[] {floordiv, mod};
    }

    /** Python's {@code **}: int ** non-negative int stays an int, everything else is CPython's float power. */
    static PyNumber power(PyNumber a, PyNumber b) {
        if (a.isInt && b.isInt) {
            if (b.intSignum() >= 0) {
                return intPower(a, b);
            }
            if (a.intSignum() == 0) {
                throw new PyError("ZeroDivisionError", "0.0 cannot be raised to a negative power");
            }
        }
        return ofFloat(floatPower(a.toDouble(), b.toDouble()));
    }

    private static PyNumber intPower(PyNumber a, PyNumber b) {
        BigInteger base = a.bigValue();
        if (base.signum() == 0 || base.equals(BigInteger.ONE)) {
            return b.intSignum() == 0 ? ofInt(1) : a;
        }
        if (base.equals(BigInteger.ONE.negate())) {
            return b.bigValue().testBit(0) ? a : ofInt(1);
        }
        if (b.isBig() || (long) base.abs().bitLength() * b.small > 2L * MAX_INT_BITS) {
            throw new PyError("OverflowError", "integer power result has more than " + MAX_INT_BITS + " bits");
        }
        int exponent = (int) b.small;
        if (!a.isBig()) {
            long result = 1;
            long x = a.small;
            int e = exponent;
            boolean exact = true;
            while (e > 0) {
                if ((e & 1) != 0) {
                    long hi = Math.multiplyHigh(result, x);
                    long lo = result * x;
                    if (!((hi == 0 && lo >= 0) || (hi == -1 && lo < 0))) {
                        exact = false;
                        break;
                    }
                    result = lo;
                }
                e >>= 1;
                if (e > 0) {
                    long hi = Math.multiplyHigh(x, x);
                    long lo = x * x;
                    if (!((hi == 0 && lo >= 0) || (hi == -1 && lo < 0))) {
                        exact = false;
                        break;
                    }
                    x = lo;
                }
            }
            if (exact) {
                return ofInt(result);
            }
        }
        return ofInt(base.pow(exponent));
    }

    /** CPython's {@code float_pow}, special cases included, over the platform {@code pow}. */
    private static double floatPower(double iv, double iw) {
        if (iw == 0.0) {
            return 1.0;
        }
        if (Double.isNaN(iv)) {
            return iv;
        }
        if (Double.isNaN(iw)) {
            return iv == 1.0 ? 1.0 : iw;
        }
        if (Double.isInfinite(iw)) {
            double absV = Math.abs(iv);
            if (absV == 1.0) {
                return 1.0;
            }
            return (iw > 0) == (absV > 1.0) ? Math.abs(iw) : 0.0;
        }
        if (Double.isInfinite(iv)) {
            boolean odd = isOddInteger(iw);
            if (iw > 0) {
                return odd ? iv : Math.abs(iv);
            }
            return odd ? Math.copySign(0.0, iv) : 0.0;
        }
        if (iv == 0.0) {
            if (iw < 0.0) {
                throw new PyError("ZeroDivisionError", "0.0 cannot be raised to a negative power");
            }
            return isOddInteger(iw) ? iv : 0.0;
        }
        boolean negate = false;
        if (iv < 0.0) {
            if (iw != Math.floor(iw)) {
                // CPython returns a complex number here; a learning-rate formula has no use for one.
                throw new PyError("ValueError", "negative number cannot be raised to a fractional power");
            }
            iv = -iv;
            negate = isOddInteger(iw);
        }
        if (iv == 1.0) {
            return negate ? -1.0 : 1.0;
        }
        double ix = Math.pow(iv, iw);
        if (negate) {
            ix = -ix;
        }
        if (Double.isInfinite(ix)) {
            throw new PyError("OverflowError", "(34, 'Numerical result out of range')");
        }
        return ix;
    }

    private static boolean isOddInteger(double x) {
        return Math.abs(x % 2.0) == 1.0;
    }

    static PyNumber negate(PyNumber a) {
        if (a.isInt) {
            if (!a.isBig() && a.small != Long.MIN_VALUE) {
                return ofInt(-a.small);
            }
            return ofInt(a.bigValue().negate());
        }
        return ofFloat(-a.value);
    }

    // ---- comparison (min / max) -------------------------------------------------------------------------------

    /** Python's {@code a < b}, exact between ints and floats as CPython compares them; false when NaN is involved. */
    static boolean lessThan(PyNumber a, PyNumber b) {
        return compare(a, b) < 0;
    }

    /** Python's {@code a > b}. */
    static boolean greaterThan(PyNumber a, PyNumber b) {
        return compare(b, a) < 0 && !(a.isNaN() || b.isNaN());
    }

    private boolean isNaN() {
        return !isInt && Double.isNaN(value);
    }

    /** Negative, zero or positive; NaN compares as "not less" both ways, which is all min/max need. */
    private static int compare(PyNumber a, PyNumber b) {
        if (a.isNaN() || b.isNaN()) {
            return 0;
        }
        if (a.isInt && b.isInt) {
            if (!a.isBig() && !b.isBig()) {
                return Long.compare(a.small, b.small);
            }
            return a.bigValue().compareTo(b.bigValue());
        }
        if (!a.isInt && !b.isInt) {
            return Double.compare(a.value == 0.0 ? 0.0 : a.value, b.value == 0.0 ? 0.0 : b.value);
        }
        // Mixed int/float: compare exactly, as CPython does, rather than through a rounded conversion.
        PyNumber i = a.isInt ? a : b;
        double f = a.isInt ? b.value : a.value;
        int sign;
        if (Double.isInfinite(f)) {
            sign = f > 0 ? -1 : 1;
        } else if (!i.isBig() && Math.abs(i.small) <= MAX_EXACT_DOUBLE_INT) {
            sign = Double.compare((double) i.small, f == 0.0 ? 0.0 : f);
        } else {
            sign = new BigDecimal(i.bigValue()).compareTo(new BigDecimal(f));
        }
        return a.isInt ? sign : -sign;
    }

    // ---- math module --------------------------------------------------------------------------------------------

    /** Python's built-in {@code abs}. */
    static PyNumber abs(PyNumber a) {
        if (a.isInt) {
            return a.intSignum() < 0 ? negate(a) : a;
        }
        return ofFloat(Math.abs(a.value));
    }

    /** {@code math.floor}: an int, for ints and floats alike. */
    static PyNumber floor(PyNumber a) {
        if (a.isInt) {
            return a;
        }
        double v = a.value;
        if (Double.isNaN(v)) {
            throw new PyError("ValueError", "cannot convert float NaN to integer");
        }
        if (Double.isInfinite(v)) {
            throw new PyError("OverflowError", "cannot convert float infinity to integer");
        }
        double f = Math.floor(v);
        if (Math.abs(f) < 0x1p62) {
            return ofInt((long) f);
        }
        return ofInt(new BigDecimal(f).toBigIntegerExact());
    }

    /** {@code math.exp}. */
    static PyNumber exp(PyNumber a) {
        double x = a.toDouble();
        double r = Math.exp(x);
        if (Double.isInfinite(r) && !Double.isInfinite(x)) {
            throw new PyError("OverflowError", "math range error");
        }
        return ofFloat(r);
    }

    /** {@code math.log(x)}; huge ints are handled as CPython's {@code loghelper} does, via their bit length. */
    static PyNumber log(PyNumber a) {
        return ofFloat(logHelper(a));
    }

    /** {@code math.log(x, base)}: {@code log(x) / log(base)}. */
    static PyNumber log(PyNumber a, PyNumber base) {
        double num = logHelper(a);
        double den = logHelper(base);
        if (den == 0.0) {
            throw new PyError("ZeroDivisionError", "float division by zero");
        }
        return ofFloat(num / den);
    }

    private static double logHelper(PyNumber a) {
        if (a.isInt) {
            if (a.intSignum() <= 0) {
                throw new PyError("ValueError", "math domain error");
            }
            if (a.isBig() && Double.isInfinite(a.big.doubleValue())) {
                int e = a.big.bitLength() - 60;
                double mantissa = a.big.shiftRight(e).doubleValue();
                return Math.log(mantissa) + Math.log(2.0) * e;
            }
        }
        double x = a.toDouble();
        if (Double.isNaN(x)) {
            return x;
        }
        if (x <= 0.0) {
            throw new PyError("ValueError", "math domain error");
        }
        return Math.log(x);
    }

    /** {@code math.cos}. */
    static PyNumber cos(PyNumber a) {
        double x = a.toDouble();
        if (Double.isInfinite(x)) {
            throw new PyError("ValueError", "math domain error");
        }
        return ofFloat(Math.cos(x));
    }

    /** {@code math.sin}. */
    static PyNumber sin(PyNumber a) {
        double x = a.toDouble();
        if (Double.isInfinite(x)) {
            throw new PyError("ValueError", "math domain error");
        }
        return ofFloat(Math.sin(x));
    }

    /** {@code math.sqrt}. */
    static PyNumber sqrt(PyNumber a) {
        double x = a.toDouble();
        if (x < 0.0) {
            throw new PyError("ValueError", "math domain error");
        }
        return ofFloat(Math.sqrt(x));
    }
}
