package dev.jlightning.optim;

import java.util.Objects;
import java.util.function.DoubleUnaryOperator;
import java.util.function.IntToDoubleFunction;

/**
 * A one-variable arithmetic expression in Python syntax, evaluated with Python's number rules: the text form of
 * the {@code lr_lambda} a PyTorch user passes to {@code LambdaLR}/{@code MultiplicativeLR} and of
 * {@code CyclicLR}'s {@code scale_fn}, so that configuration files can carry them.
 *
 * <p>Grammar: decimal int and float literals ({@code 3}, {@code 0.5}, {@code .5}, {@code 1e-3}, {@code 1_000}),
 * the variable, {@code pi}, {@code + - * / // % **}, unary {@code -} and {@code +}, parentheses, and the calls
 * {@code min(a, b, ...)}, {@code max(a, b, ...)}, {@code abs}, {@code floor}, {@code exp}, {@code log(x)} or
 * {@code log(x, base)}, {@code cos}, {@code sin}, {@code sqrt}, with the precedence and associativity of Python
 * ({@code **} is right-associative and binds tighter than a unary minus on its left: {@code -2 ** 2 == -4}).
 *
 * <p>Numbers behave as in CPython: an int stays an int through {@code + - * // %} and through {@code **} with a
 * non-negative exponent (ints are unbounded), {@code /} is true division, {@code //} and {@code %} round towards
 * negative infinity ({@code 7 // -2 == -4}, {@code -7 % 3 == 2}), an int meets a float by becoming a float, and
 * {@code floor} returns an int, as Python's {@code math.floor} does. So {@code "epoch // 3"} is an int step
 * function and {@code "min(1.0, (epoch + 1) / 5)"} a float ramp, exactly as the Python lambdas would be.
 *
 * <p>{@link #applyAsDouble(int)} binds the variable as a Python int (what a scheduler passes as the epoch);
 * {@link #applyAsDouble(double)} binds it as a float (what {@code CyclicLR} passes to {@code scale_fn}). What
 * Python would raise ({@code ZeroDivisionError}, {@code math domain error}, overflow) becomes an
 * {@link ArithmeticException} whose message names the expression, the variable's value and the Python error.
 * Instances are immutable and thread-safe.
 */
public final class Formula implements IntToDoubleFunction, DoubleUnaryOperator {

    private final String expression;
    private final String variable;
    private final FormulaParser.Node root;

    private Formula(String expression, String variable, FormulaParser.Node root) {
        this.expression = expression;
        this.variable = variable;
        this.root = root;
    }

    /**
     * Parses {@code expression} as a Python expression in the single variable {@code variable}.
     *
     * @throws IllegalArgumentException if the text is not a valid expression of the grammar (the message names
     *     the expression, the position and what was expected), uses a name other than the variable, {@code pi}
     *     and the functions (the message lists the allowed names), or if {@code variable} is not an identifier
     *     or is one of the reserved names
     */
    public static Formula parse(String expression, String variable) {
        Objects.requireNonNull(expression, "expression");
        Objects.requireNonNull(variable, "variable");
        if (!variable.matches("[A-Za-z_][A-Za-z0-9_]*")) {
            throw new IllegalArgumentException("Invalid formula variable '" + variable
                    + "': expected a Python identifier such as 'epoch' or 'x'");
        }
        if (FormulaParser.reservedNames().contains(variable)) {
            throw new IllegalArgumentException("Invalid formula variable '" + variable + "': it is one of the names "
                    + FormulaParser.reservedNames() + " that formulas reserve");
        }
        if (expression.isBlank()) {
            throw new IllegalArgumentException("Invalid formula '" + expression
                    + "': expected an expression in '" + variable + "', found an empty text");
        }
        return new Formula(expression, variable, FormulaParser.parse(expression, variable));
    }

    /** Evaluates with the variable bound to the Python int {@code value}. */
    @Override
    public double applyAsDouble(int value) {
        return evaluate(PyNumber.ofInt(value), Integer.toString(value));
    }

    /** Evaluates with the variable bound to the Python float {@code value}. */
    @Override
    public double applyAsDouble(double value) {
        return evaluate(PyNumber.ofFloat(value), Double.toString(value));
    }

    private double evaluate(PyNumber value, String shown) {
        try {
            return root.eval(value).toDouble();
        } catch (PyNumber.PyError e) {
            throw new ArithmeticException("formula '" + expression + "' with " + variable + " = " + shown + ": "
                    + e.pythonType() + ": " + e.getMessage());
        }
    }

    /** The expression text as given. */
    public String expression() {
        return expression;
    }

    /** The name of the expression's variable. */
    public String variable() {
        return variable;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Formula f && f.expression.equals(expression) && f.variable.equals(variable);
    }

    @Override
    public int hashCode() {
        return Objects.hash(expression, variable);
    }

    /** The expression text, so that a formula prints as the Python source it came from. */
    @Override
    public String toString() {
        return expression;
    }
}
