package dev.jlightning.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Formula strings cannot overflow the stack or be read differently from Python: long and deeply nested formulas are
 * refused with a message that says which limit they pass, non-ASCII digits are a syntax error as in Python, and a
 * seeded stream of random formulas only ever parses, evaluates or fails with the documented exceptions.
 */
class FormulaLimitsTest {

    private static IllegalArgumentException refused(String formula) {
        return assertThrows(IllegalArgumentException.class, () -> Formula.parse(formula, "epoch"));
    }

    @Test
    void formulasLongerThanTheLimitAreRefusedBeforeParsing() {
        for (String f : new String[] {"(".repeat(100_000) + "epoch" + ")".repeat(100_000), "-".repeat(100_000) + "1",
            "1+".repeat(200_000) + "1", "2**".repeat(5000) + "2", "max(".repeat(3000) + "1"}) {
            IllegalArgumentException e = refused(f);
            assertTrue(e.getMessage().contains("characters long; at most 2000 are accepted"), e.getMessage());
        }
    }

    @Test
    void nestingDeeperThanPythonsParenthesisLimitIsRefused() {
        assertEquals(1.0, Formula.parse("(".repeat(150) + "epoch" + ")".repeat(150), "epoch").applyAsDouble(1));
        for (String f : new String[] {"(".repeat(250) + "epoch" + ")".repeat(250), "-".repeat(300) + "1",
            "2**".repeat(300) + "2", "max(".repeat(250) + "1" + ",1)".repeat(250)}) {
            IllegalArgumentException e = refused(f);
            assertTrue(e.getMessage().contains("more than 200 deep"), e.getMessage());
        }
    }

    @Test
    void expressionTreesDeeperThanTheLimitAreRefused() {
        assertEquals(401.0, Formula.parse("1" + "+1".repeat(400), "epoch").applyAsDouble(0));
        IllegalArgumentException e = refused("1" + "+1".repeat(600));
        assertTrue(e.getMessage().contains("more than 500 operations deep"), e.getMessage());
    }

    @Test
    void nonAsciiDigitsAreASyntaxErrorAsInPython() {
        IllegalArgumentException e = refused("\u0663");
        assertTrue(e.getMessage().contains("expected a number, a name or '('"), e.getMessage());
        refused("epoch * \u0663");
        refused("1\u0663");
        refused("1.\u0663");
        assertEquals(3.0, Formula.parse("3", "epoch").applyAsDouble(0));
    }

    /** A grammatical expression up to {@code depth} deep (deep ones cross the limits). */
    private static String expression(Random random, int depth) {
        if (depth == 0 || (depth <= 8 && random.nextInt(4) == 0)) {
            String[] atoms = {"epoch", "0", "1", "3", "0.5", "2.0", "1e-3", "pi", "10**20"};
            return atoms[random.nextInt(atoms.length)];
        }
        String[] ops = {" + ", " - ", " * ", " / ", " // ", " % ", " ** "};
        return switch (random.nextInt(5)) {
            // deep expressions grow along one side only, so their length stays linear in their depth
            case 0, 1 -> expression(random, depth - 1) + ops[random.nextInt(ops.length)]
                    + expression(random, depth > 8 ? 0 : depth - 1);
            case 2 -> "-" + expression(random, depth - 1);
            case 3 -> "(" + expression(random, depth - 1) + ")";
            default -> new String[] {"min(", "max(", "abs(", "floor(", "exp(", "log(", "sqrt(", "cos("}[
                    random.nextInt(8)] + expression(random, depth - 1) + (random.nextBoolean() ? ", 1)" : ")");
        };
    }

    @Test
    void randomFormulasParseEvaluateOrFailWithTheDocumentedExceptions() {
        String[] tokens = {"epoch", "1", "0", "2.5", "1e308", "10**400", "+", "-", "*", "/", "//", "%", "**", "(",
            ")", "min(", "max(", ",", "abs(", "floor(", "exp(", "log(", "sqrt(", "cos(", "pi", " ", "\u0663", "_",
            "e", ".", "(((((", ")))))", "-----", "2**2**2**"};
        Random random = new Random(20261205L);
        int parsed = 0;
        for (int n = 0; n < 5000; n++) {
            String text;
            if (random.nextBoolean()) {
                StringBuilder sb = new StringBuilder();
                int length = 1 + random.nextInt(random.nextInt(10) == 0 ? 400 : 12);
                for (int i = 0; i < length; i++) {
                    sb.append(tokens[random.nextInt(tokens.length)]);
                }
                text = sb.toString();
            } else {
                text = expression(random, random.nextInt(10) == 0 ? 300 : 6);
            }
            Formula f;
            try {
                f = Formula.parse(text, "epoch");
            } catch (IllegalArgumentException e) {
                assertTrue(e.getMessage() != null && e.getMessage().startsWith("Invalid formula"), text + ": " + e);
                continue;
            } catch (Throwable t) {
                fail("parsing '" + text + "' threw " + t);
                return;
            }
            parsed++;
            for (int epoch = 0; epoch < 4; epoch++) {
                try {
                    f.applyAsDouble(epoch);
                } catch (ArithmeticException e) {
                    assertTrue(e.getMessage().startsWith("formula '"), e.getMessage());
                } catch (Throwable t) {
                    fail("evaluating '" + text + "' at epoch " + epoch + " threw " + t);
                }
            }
        }
        assertTrue(parsed > 1500, "only " + parsed + " of 5000 random formulas parsed; the generator is too hostile");
    }
}
