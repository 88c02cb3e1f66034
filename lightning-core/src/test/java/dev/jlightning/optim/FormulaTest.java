package dev.jlightning.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.function.DoubleUnaryOperator;
import java.util.function.IntToDoubleFunction;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class FormulaTest {

    /**
     * Expression, variable type, variable value, and the value CPython 3 gives for {@code float(eval(expression))}
     * (printed with {@code repr}, so the doubles are exact).
     */
    private static final String[][] PYTHON_RESULTS = {
            {"epoch // 3", "int", "0", "0.0"},
            {"epoch // 3", "int", "1", "0.0"},
            {"epoch // 3", "int", "2", "0.0"},
            {"epoch // 3", "int", "3", "1.0"},
            {"epoch // 3", "int", "7", "2.0"},
            {"epoch // 3", "int", "-1", "-1.0"},
            {"epoch // 3", "int", "-4", "-2.0"},
            {"min(1.0, (epoch + 1) / 5)", "int", "0", "0.2"},
            {"min(1.0, (epoch + 1) / 5)", "int", "1", "0.4"},
            {"min(1.0, (epoch + 1) / 5)", "int", "4", "1.0"},
            {"min(1.0, (epoch + 1) / 5)", "int", "5", "1.0"},
            {"min(1.0, (epoch + 1) / 5)", "int", "9", "1.0"},
            {"0.95 ** epoch", "int", "0", "1.0"},
            {"0.95 ** epoch", "int", "1", "0.95"},
            {"0.95 ** epoch", "int", "2", "0.9025"},
            {"0.95 ** epoch", "int", "17", "0.4181203352191771"},
            {"0.95 ** epoch", "int", "100", "0.0059205292203339975"},
            {"7 // -2", "int", "0", "-4.0"},
            {"-7 % 3", "int", "0", "2.0"},
            {"7 % -3", "int", "0", "-2.0"},
            {"-7 // 2", "int", "0", "-4.0"},
            {"-2 ** 2", "int", "0", "-4.0"},
            {"2 ** -1", "int", "0", "0.5"},
            {"2 ** 3 ** 2", "int", "0", "512.0"},
            {"(-2) ** 3", "int", "0", "-8.0"},
            {"2 ** 100 / 3 ** 50", "int", "0", "1765780.963259017"},
            {"2 ** 70 // 3", "int", "0", "3.935305402391371e+20"},
            {"(2 ** 64 + 1) % 7", "int", "0", "3.0"},
            {"1 / 3", "int", "0", "0.3333333333333333"},
            {"epoch / 10", "int", "3", "0.3"},
            {"epoch / 10", "int", "7", "0.7"},
            {"-epoch ** 2", "int", "3", "-9.0"},
            {"7.5 // 2", "int", "0", "3.0"},
            {"-7.5 // 2", "int", "0", "-4.0"},
            {"7.5 % -2", "int", "0", "-0.5"},
            {"-0.5 % 1", "int", "0", "0.5"},
            {"5.0 // 0.1", "int", "0", "49.0"},
            {"1 % 0.1", "int", "0", "0.09999999999999995"},
            {"floor(epoch / 4) * 0.1", "int", "0", "0.0"},
            {"floor(epoch / 4) * 0.1", "int", "3", "0.0"},
            {"floor(epoch / 4) * 0.1", "int", "4", "0.1"},
            {"floor(epoch / 4) * 0.1", "int", "13", "0.30000000000000004"},
            {"exp(-0.1 * epoch)", "int", "0", "1.0"},
            {"exp(-0.1 * epoch)", "int", "5", "0.6065306597126334"},
            {"exp(-0.1 * epoch)", "int", "33", "0.036883167401239994"},
            {"log(243, 3)", "int", "0", "4.999999999999999"},
            {"floor(log(243, 3))", "int", "0", "4.0"},
            {"log(epoch + 1)", "int", "0", "0.0"},
            {"log(epoch + 1)", "int", "9", "2.302585092994046"},
            {"cos(pi * epoch / 50)", "int", "0", "1.0"},
            {"cos(pi * epoch / 50)", "int", "10", "0.8090169943749475"},
            {"cos(pi * epoch / 50)", "int", "25", "6.123233995736766e-17"},
            {"cos(pi * epoch / 50)", "int", "50", "-1.0"},
            {"cos(pi * epoch / 50)", "int", "77", "0.12533323356430423"},
            {"0.5 * (1 + cos(pi * epoch / 40))", "int", "0", "1.0"},
            {"0.5 * (1 + cos(pi * epoch / 40))", "int", "13", "0.7612492823579744"},
            {"0.5 * (1 + cos(pi * epoch / 40))", "int", "39", "0.001541333133436018"},
            {"sin(epoch)", "int", "1", "0.8414709848078965"},
            {"sin(epoch)", "int", "2", "0.9092974268256817"},
            {"sqrt(epoch)", "int", "2", "1.4142135623730951"},
            {"sqrt(epoch)", "int", "9", "3.0"},
            {"abs(epoch - 10) / 10", "int", "3", "0.7"},
            {"abs(epoch - 10) / 10", "int", "15", "0.5"},
            {"max(0.1, 1 - epoch / 20)", "int", "0", "1.0"},
            {"max(0.1, 1 - epoch / 20)", "int", "5", "0.75"},
            {"max(0.1, 1 - epoch / 20)", "int", "19", "0.1"},
            {"max(0.1, 1 - epoch / 20)", "int", "30", "0.1"},
            {"min(epoch / 10.0, 0.5 ** max(0, (epoch - 10) // 10))", "int", "0", "0.0"},
            {"min(epoch / 10.0, 0.5 ** max(0, (epoch - 10) // 10))", "int", "5", "0.5"},
            {"min(epoch / 10.0, 0.5 ** max(0, (epoch - 10) // 10))", "int", "9", "0.9"},
            {"min(epoch / 10.0, 0.5 ** max(0, (epoch - 10) // 10))", "int", "10", "1.0"},
            {"min(epoch / 10.0, 0.5 ** max(0, (epoch - 10) // 10))", "int", "19", "1.0"},
            {"min(epoch / 10.0, 0.5 ** max(0, (epoch - 10) // 10))", "int", "20", "0.5"},
            {"min(epoch / 10.0, 0.5 ** max(0, (epoch - 10) // 10))", "int", "35", "0.25"},
            {"min(epoch / 10.0, 0.5 ** max(0, (epoch - 10) // 10))", "int", "49", "0.125"},
            {"1e-3 * epoch + .5", "int", "4", "0.504"},
            {"1_000 * 2.", "int", "0", "2000.0"},
            {"1E3 - 5e-1", "int", "0", "999.5"},
            {"epoch % 7 / 7", "int", "0", "0.0"},
            {"epoch % 7 / 7", "int", "6", "0.8571428571428571"},
            {"epoch % 7 / 7", "int", "15", "0.14285714285714285"},
            {"0.1 ** (epoch // 30)", "int", "0", "1.0"},
            {"0.1 ** (epoch // 30)", "int", "29", "1.0"},
            {"0.1 ** (epoch // 30)", "int", "30", "0.1"},
            {"0.1 ** (epoch // 30)", "int", "95", "0.0010000000000000002"},
            {"1 / (1 + 0.01 * epoch)", "int", "3", "0.970873786407767"},
            {"1 / (1 + 0.01 * epoch)", "int", "100", "0.5"},
            {"(1 - epoch / 100) ** 0.9", "int", "0", "1.0"},
            {"(1 - epoch / 100) ** 0.9", "int", "37", "0.6597911630613656"},
            {"(1 - epoch / 100) ** 0.9", "int", "99", "0.015848931924611145"},
            {"+epoch - -1", "int", "4", "5.0"},
            {"min(1, 1.0)", "int", "0", "1.0"},
            {"max(1.0, 1)", "int", "0", "1.0"},
            {"2 ** 0.5", "int", "0", "1.4142135623730951"},
            {"10 ** -3", "int", "0", "0.001"},
            {"(-8) ** 2.0", "int", "0", "64.0"},
            {"floor(-2.5)", "int", "0", "-3.0"},
            {"abs(-3)", "int", "0", "3.0"},
            {"epoch * 1.5 // 1", "int", "3", "4.0"},
            {"1 / 2 ** (x - 1)", "float", "1.0", "1.0"},
            {"1 / 2 ** (x - 1)", "float", "2.0", "0.5"},
            {"1 / 2 ** (x - 1)", "float", "3.5", "0.17677669529663687"},
            {"0.99 ** x", "float", "0.0", "1.0"},
            {"0.99 ** x", "float", "10.0", "0.9043820750088044"},
            {"0.99 ** x", "float", "100.5", "0.36419758114158596"},
            {"x // 2", "float", "5.0", "2.0"},
            {"x // 2", "float", "-5.0", "-3.0"},
            {"x % 2", "float", "5.5", "1.5"},
            {"x % 2", "float", "-5.5", "0.5"},
            {"0.5 * (1 + sin(x * pi / 2))", "float", "0.25", "0.6913417161825449"},
            {"0.5 * (1 + sin(x * pi / 2))", "float", "1.0", "1.0"},
    };

    static Stream<Arguments> pythonResults() {
        return Stream.of(PYTHON_RESULTS).map(r -> Arguments.of(r[0], r[1], r[2], r[3]));
    }

    @ParameterizedTest(name = "{0} with {2} -> {3}")
    @MethodSource("pythonResults")
    void matchesCpythonBitForBit(String expression, String type, String value, String expected) {
        boolean isInt = type.equals("int");
        Formula f = Formula.parse(expression, isInt ? "epoch" : "x");
        double actual = isInt ? f.applyAsDouble(Integer.parseInt(value)) : f.applyAsDouble(Double.parseDouble(value));
        assertEquals(Double.parseDouble(expected), actual, 0.0, expression);
    }

    @Test
    void pythonIntAndFloatRules() {
        assertEquals(-4.0, eval("7 // -2", 0));
        assertEquals(2.0, eval("-7 % 3", 0));
        assertEquals(-4.0, eval("-2 ** 2", 0));
        assertEquals(0.5, eval("2 ** -1", 0));
        assertEquals(512.0, eval("2 ** 3 ** 2", 0));
        assertEquals(3.0, eval("epoch // 3", 10));
        assertEquals(0.4, eval("min(1.0, (epoch + 1) / 5)", 1));
        assertEquals(1.0, eval("min(1.0, (epoch + 1) / 5)", 9));
        assertEquals(Math.pow(0.95, 7), eval("0.95 ** epoch", 7));
    }

    @Test
    void intArithmeticIsUnboundedLikePythonInts() {
        // 2**100 overflows a long; Python keeps it exact, so 2**100 - 2**100 + 1 is exactly 1.
        assertEquals(1.0, eval("2 ** 100 - 2 ** 100 + 1", 0));
        assertEquals(Math.scalb(1.0, 100) / 3.0, eval("2 ** 100 / 3", 0), Math.ulp(Math.scalb(1.0, 100) / 3.0));
    }

    @Test
    void floorReturnsAnIntSoIntArithmeticFollows() {
        // floor(x) is an int, so floor(x) // 2 is int floor division, and floor(-0.5) is -1.
        assertEquals(-1.0, eval("floor(-0.5)", 0));
        assertEquals(2.0, eval("floor(epoch / 2) // 2", 9));
    }

    @Test
    void logWithBaseTruncatesLikeCpython() {
        // int(math.log(243, 3)) == 4 in CPython: the quotient of the two logs falls just below 5.
        assertEquals(4.0, eval("floor(log(243, 3))", 0));
    }

    @Test
    void variableBindsAsIntOrFloat() {
        Formula f = Formula.parse("x // 2", "x");
        IntToDoubleFunction asInt = f;
        DoubleUnaryOperator asFloat = f;
        assertEquals(2.0, asInt.applyAsDouble(5));
        assertEquals(2.0, asFloat.applyAsDouble(5.0));
        // An int and a float give different types in Python: 1 / 0 vs 1 / 0.0 raise different errors.
        Formula div = Formula.parse("1 // x", "x");
        assertTrue(assertThrows(ArithmeticException.class, () -> div.applyAsDouble(0)).getMessage()
                .contains("integer division or modulo by zero"));
        assertTrue(assertThrows(ArithmeticException.class, () -> div.applyAsDouble(0.0)).getMessage()
                .contains("float floor division by zero"));
    }

    @Test
    void divisionByZeroNamesTheExpressionAndValue() {
        Formula f = Formula.parse("1 / (epoch - 3)", "epoch");
        ArithmeticException e = assertThrows(ArithmeticException.class, () -> f.applyAsDouble(3));
        assertEquals("formula '1 / (epoch - 3)' with epoch = 3: ZeroDivisionError: division by zero", e.getMessage());
        assertThrows(ArithmeticException.class, () -> eval("epoch % 0", 1));
        assertThrows(ArithmeticException.class, () -> eval("1.0 / 0", 1));
        assertThrows(ArithmeticException.class, () -> eval("0 ** -1", 1));
    }

    @Test
    void mathDomainErrorsAreReported() {
        assertTrue(assertThrows(ArithmeticException.class, () -> eval("log(epoch)", 0)).getMessage()
                .contains("ValueError: math domain error"));
        assertTrue(assertThrows(ArithmeticException.class, () -> eval("sqrt(epoch - 5)", 0)).getMessage()
                .contains("math domain error"));
        assertTrue(assertThrows(ArithmeticException.class, () -> eval("exp(epoch)", 1000)).getMessage()
                .contains("OverflowError"));
        assertTrue(assertThrows(ArithmeticException.class, () -> eval("(-8) ** (1 / 3)", 0)).getMessage()
                .contains("fractional power"));
    }

    @Test
    void parseErrorsNameExpressionPositionAndExpectation() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Formula.parse("epoch +", "epoch"));
        assertEquals("Invalid formula 'epoch +': expected a number, a name or '(' at position 7, "
                + "found the end of the expression", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Formula.parse("(epoch + 1", "epoch"));
        assertTrue(e.getMessage().contains("expected ')' to close the '(' opened earlier at position 10"),
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Formula.parse("epoch 2", "epoch"));
        assertTrue(e.getMessage().contains("at position 6, found '2'"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Formula.parse("2 * * 3", "epoch"));
        assertTrue(e.getMessage().contains("position 4"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Formula.parse("1e", "epoch"));
        assertTrue(e.getMessage().contains("exponent"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Formula.parse("   ", "epoch"));
        assertTrue(e.getMessage().contains("empty"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Formula.parse("epoch if epoch else 1", "epoch"));
        assertTrue(e.getMessage().contains("position 6"), e.getMessage());
    }

    @Test
    void unknownNameListsTheAllowedOnes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Formula.parse("0.5 ** (step // 10)", "epoch"));
        assertEquals("Invalid formula '0.5 ** (step // 10)': unknown name 'step' at position 8; allowed names are "
                + "[abs, cos, epoch, exp, floor, log, max, min, pi, sin, sqrt]", e.getMessage());
    }

    @Test
    void wrongArgumentCountsAreRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Formula.parse("min(epoch)", "epoch"));
        assertTrue(e.getMessage().contains("min() at position 0 takes at least 2 arguments, got 1"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Formula.parse("cos(1, 2)", "epoch"));
        assertTrue(e.getMessage().contains("takes exactly 1 arguments, got 2"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Formula.parse("exp", "epoch"));
        assertTrue(e.getMessage().contains("'(' after the function name 'exp'"), e.getMessage());
        assertEquals(2.0, eval("max(1, 2,)", 0));
    }

    @Test
    void literalsFollowPython() {
        assertEquals(0.5, eval(".5", 0));
        assertEquals(5.0, eval("5.", 0));
        assertEquals(1000.0, eval("1_000", 0));
        assertEquals(0.001, eval("1e-3", 0));
        assertThrows(IllegalArgumentException.class, () -> Formula.parse("007", "epoch"));
        assertThrows(IllegalArgumentException.class, () -> Formula.parse("0x10", "epoch"));
        assertThrows(IllegalArgumentException.class, () -> Formula.parse("1j", "epoch"));
        assertEquals(0.0, eval("00", 0));
    }

    @Test
    void minAndMaxKeepTheFirstOfEqualsAndCompareIntsWithFloatsExactly() {
        // 2**53 + 1 is not representable as a double; Python still sees it as larger than 2.0**53.
        assertEquals(Math.scalb(1.0, 53), eval("max(2.0 ** 53, 2 ** 53 + 1) - 1", 0));
        assertEquals(1.0, eval("min(1, 1.0) // 1", 0));
    }

    @Test
    void variableNameMustBeAnIdentifierAndNotReserved() {
        assertThrows(IllegalArgumentException.class, () -> Formula.parse("1", "2x"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Formula.parse("1", "pi"));
        assertTrue(e.getMessage().contains("reserve"), e.getMessage());
    }

    @Test
    void keepsItsSourceText() {
        Formula f = Formula.parse("0.95 ** epoch", "epoch");
        assertEquals("0.95 ** epoch", f.toString());
        assertEquals("0.95 ** epoch", f.expression());
        assertEquals("epoch", f.variable());
        assertEquals(Formula.parse("0.95 ** epoch", "epoch"), f);
    }

    private static double eval(String expression, int epoch) {
        return Formula.parse(expression, "epoch").applyAsDouble(epoch);
    }
}
