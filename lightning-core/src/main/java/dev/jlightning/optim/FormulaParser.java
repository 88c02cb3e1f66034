package dev.jlightning.optim;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.BinaryOperator;
import java.util.function.UnaryOperator;

/**
 * Recursive-descent parser for {@link Formula}'s subset of Python expressions.
 *
 * <p>Follows the Python grammar's precedence levels ({@code a_expr}, {@code m_expr}, {@code u_expr},
 * {@code power}): {@code **} binds tighter than a unary minus on its left and is right-associative, and its
 * right operand may itself carry a unary sign ({@code 2 ** -1}).
 */
final class FormulaParser {

    /** A compiled expression node, evaluated against the value bound to the formula's variable. */
    interface Node {
        PyNumber eval(PyNumber variable);
    }

    private record Function(String name, int minArgs, int maxArgs) {
    }

    private static final Map<String, Function> FUNCTIONS = Map.of(
            "min", new Function("min", 2, Integer.MAX_VALUE),
            "max", new Function("max", 2, Integer.MAX_VALUE),
            "abs", new Function("abs", 1, 1),
            "floor", new Function("floor", 1, 1),
            "exp", new Function("exp", 1, 1),
            "log", new Function("log", 1, 2),
            "cos", new Function("cos", 1, 1),
            "sin", new Function("sin", 1, 1),
            "sqrt", new Function("sqrt", 1, 1));

    private static final String PI = "pi";
    /** Longer formulas are refused before parsing; a schedule needs a few dozen characters. */
    static final int MAX_LENGTH = 2000;
    /**
     * Deepest nesting of parentheses, calls, signs and powers, and deepest expression tree; CPython's parser stops
     * at 200 nested parentheses ("too many nested parentheses"). Both parsing and evaluation recurse, so these bounds
     * are what keep a crafted formula from overflowing the stack.
     */
    static final int MAX_DEPTH = 200;
    /** Deepest expression tree ({@code 1+1+...+1} is as deep as it is long). */
    static final int MAX_TREE_DEPTH = 500;

    private final String text;
    private final String variable;
    private int pos;
    private int nesting;
    private final Map<Node, Integer> depths = new java.util.IdentityHashMap<>();

    private FormulaParser(String text, String variable) {
        this.text = text;
        this.variable = variable;
    }

    /** Names a formula may use besides its variable, for error messages and variable-name validation. */
    static TreeSet<String> reservedNames() {
        TreeSet<String> names = new TreeSet<>(FUNCTIONS.keySet());
        names.add(PI);
        return names;
    }

    static Node parse(String text, String variable) {
        if (text.length() > MAX_LENGTH) {
            throw new IllegalArgumentException("Invalid formula '" + text.substring(0, 40) + "...': it is "
                    + text.length() + " characters long; at most " + MAX_LENGTH + " are accepted");
        }
        FormulaParser parser = new FormulaParser(text, variable);
        Node node = parser.parseSum();
        parser.skipSpace();
        if (parser.pos < text.length()) {
            throw parser.error("an operator (+ - * / // % **) or the end of the expression");
        }
        return node;
    }

    // ---- grammar levels -----------------------------------------------------------------------------------------

    /** a_expr: m_expr (('+' | '-') m_expr)*, left-associative. */
    private Node parseSum() {
        Node left = parseProduct();
        while (true) {
            skipSpace();
            if (accept("+")) {
                left = binary(left, parseProduct(), PyNumber::add);
            } else if (accept("-")) {
                left = binary(left, parseProduct(), PyNumber::subtract);
            } else {
                return left;
            }
        }
    }

    /** m_expr: u_expr (('*' | '/' | '//' | '%') u_expr)*, left-associative. */
    private Node parseProduct() {
        Node left = parseUnary();
        while (true) {
            skipSpace();
            if (accept("*")) {
                left = binary(left, parseUnary(), PyNumber::multiply);
            } else if (accept("//")) {
                left = binary(left, parseUnary(), PyNumber::floorDivide);
            } else if (accept("/")) {
                left = binary(left, parseUnary(), PyNumber::trueDivide);
            } else if (accept("%")) {
                left = binary(left, parseUnary(), PyNumber::modulo);
            } else {
                return left;
            }
        }
    }

    /** u_expr: power | '-' u_expr | '+' u_expr. */
    private Node parseUnary() {
        skipSpace();
        if (accept("-")) {
            return unary(nested(this::parseUnary), PyNumber::negate);
        }
        if (accept("+")) {
            return unary(nested(this::parseUnary), UnaryOperator.identity());
        }
        return parsePower();
    }

    /** Parses one nesting level deeper, refusing formulas nested past {@link #MAX_DEPTH}. */
    private Node nested(java.util.function.Supplier<Node> parse) {
        enter();
        try {
            return parse.get();
        } finally {
            nesting--;
        }
    }

    private void enter() {
        if (++nesting > MAX_DEPTH) {
            throw new IllegalArgumentException("Invalid formula '" + abbreviated() + "': it nests parentheses, calls,"
                    + " signs or powers more than " + MAX_DEPTH + " deep (at position " + pos + ")");
        }
    }

    private String abbreviated() {
        return text.length() > 60 ? text.substring(0, 60) + "..." : text;
    }


    /** power: primary ['**' u_expr], so {@code 2 ** 3 ** 2 == 2 ** 9} and {@code -2 ** 2 == -4}. */
    private Node parsePower() {
        Node base = parsePrimary();
        skipSpace();
        if (accept("**")) {
            Node exponent = nested(this::parseUnary);
            return binary(base, exponent, PyNumber::power);
        }
        return base;
    }

    private Node parsePrimary() {
        skipSpace();
        if (pos >= text.length()) {
            throw error("a number, a name or '('");
        }
        char c = text.charAt(pos);
        if (c == '(') {
            pos++;
            enter();
            try {
                Node inner = parseSum();
                skipSpace();
                expect(")", "')' to close the '(' opened earlier");
                return inner;
            } finally {
                nesting--;
            }
        }
        if (isDigit(c) || (c == '.' && pos + 1 < text.length() && isDigit(text.charAt(pos + 1)))) {
            return parseNumber();
        }
        if (Character.isLetter(c) || c == '_') {
            return parseName();
        }
        throw error("a number, a name or '('");
    }

    private Node parseName() {
        int start = pos;
        while (pos < text.length() && (Character.isLetterOrDigit(text.charAt(pos)) || text.charAt(pos) == '_')) {
            pos++;
        }
        String name = text.substring(start, pos);
        if (name.equals(variable)) {
            return v -> v;
        }
        if (name.equals(PI)) {
            PyNumber pi = PyNumber.ofFloat(Math.PI);
            return v -> pi;
        }
        Function function = FUNCTIONS.get(name);
        if (function == null) {
            TreeSet<String> allowed = reservedNames();
            allowed.add(variable);
            throw new IllegalArgumentException("Invalid formula '" + text + "': unknown name '" + name
                    + "' at position " + start + "; allowed names are " + allowed);
        }
        skipSpace();
        expect("(", "'(' after the function name '" + name + "'");
        return parseCall(function, start);
    }

    private Node parseCall(Function function, int start) {
        enter();
        try {
            return parseCallInner(function, start);
        } finally {
            nesting--;
        }
    }

    private Node parseCallInner(Function function, int start) {
        List<Node> args = new ArrayList<>();
        skipSpace();
        if (!accept(")")) {
            while (true) {
                args.add(parseSum());
                skipSpace();
                if (accept(")")) {
                    break;
                }
                expect(",", "',' or ')' in the arguments of " + function.name());
                skipSpace();
                if (accept(")")) {
                    break; // Python allows a trailing comma in a call
                }
            }
        }
        if (args.size() < function.minArgs() || args.size() > function.maxArgs()) {
            String accepted = function.minArgs() == function.maxArgs() ? "exactly " + function.minArgs()
                    : function.maxArgs() == Integer.MAX_VALUE ? "at least " + function.minArgs()
                    : function.minArgs() + " or " + function.maxArgs();
            throw new IllegalArgumentException("Invalid formula '" + text + "': " + function.name() + "() at position "
                    + start + " takes " + accepted + " arguments, got " + args.size());
        }
        return call(function.name(), args.toArray(new Node[0]));
    }

    /** Python numeric literals: ints (with '_' separators), floats with a fraction and/or an exponent. */
    private Node parseNumber() {
        int start = pos;
        boolean isFloat = false;
        digits(true);
        if (pos < text.length() && text.charAt(pos) == '.') {
            isFloat = true;
            pos++;
            if (pos < text.length() && isDigit(text.charAt(pos))) {
                digits(false);
            }
        }
        if (pos < text.length() && (text.charAt(pos) == 'e' || text.charAt(pos) == 'E')) {
            int mark = pos;
            pos++;
            if (pos < text.length() && (text.charAt(pos) == '+' || text.charAt(pos) == '-')) {
                pos++;
            }
            if (pos >= text.length() || !isDigit(text.charAt(pos))) {
                pos = mark + 1;
                throw error("digits in the exponent of the number starting at position " + start);
            }
            digits(false);
            isFloat = true;
        }
        if (pos < text.length() && (Character.isLetter(text.charAt(pos)) || text.charAt(pos) == '_')) {
            throw error("an operator after the number starting at position " + start
                    + " (only decimal int and float literals are accepted)");
        }
        String literal = text.substring(start, pos).replace("_", "");
        PyNumber value;
        if (isFloat) {
            value = PyNumber.ofFloat(Double.parseDouble(literal));
        } else {
            if (literal.length() > 1 && literal.charAt(0) == '0' && !literal.chars().allMatch(ch -> ch == '0')) {
                pos = start;
                throw error("a number without leading zeros (Python rejects '" + literal + "')");
            }
            value = PyNumber.ofInt(new BigInteger(literal));
        }
        return v -> value;
    }

    private void digits(boolean allowEmpty) {
        int start = pos;
        while (pos < text.length()) {
            char c = text.charAt(pos);
            if (isDigit(c)) {
                pos++;
            } else if (c == '_' && pos > start && pos + 1 < text.length() && isDigit(text.charAt(pos + 1))) {
                pos++;
            } else {
                break;
            }
        }
        if (!allowEmpty && pos == start) {
            throw error("digits");
        }
    }

    /** Python's number literals use ASCII digits only ("٣" is a SyntaxError there), unlike Character.isDigit. */
    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    // ---- node builders --------------------------------------------------------------------------------------

    private Node binary(Node left, Node right, BinaryOperator<PyNumber> op) {
        return deeper(v -> op.apply(left.eval(v), right.eval(v)), left, right);
    }

    private Node unary(Node operand, UnaryOperator<PyNumber> op) {
        return deeper(v -> op.apply(operand.eval(v)), operand);
    }

    /** Records {@code node}'s depth (one more than its deepest child) and refuses trees deeper than the limit. */
    private Node deeper(Node node, Node... children) {
        int depth = 1;
        for (Node c : children) {
            depth = Math.max(depth, depths.getOrDefault(c, 1) + 1);
        }
        if (depth > MAX_TREE_DEPTH) {
            throw new IllegalArgumentException("Invalid formula '" + abbreviated() + "': its expression is more than "
                    + MAX_TREE_DEPTH + " operations deep (at position " + pos + "); evaluating it would recurse that deep");
        }
        depths.put(node, depth);
        return node;
    }

    private Node call(String name, Node[] args) {
        return deeper(callNode(name, args), args);
    }

    private Node callNode(String name, Node[] args) {
        switch (name) {
            case "min":
                return v -> {
                    PyNumber best = args[0].eval(v);
                    for (int i = 1; i < args.length; i++) {
                        PyNumber next = args[i].eval(v);
                        if (PyNumber.lessThan(next, best)) {
                            best = next;
                        }
                    }
                    return best;
                };
            case "max":
                return v -> {
                    PyNumber best = args[0].eval(v);
                    for (int i = 1; i < args.length; i++) {
                        PyNumber next = args[i].eval(v);
                        if (PyNumber.greaterThan(next, best)) {
                            best = next;
                        }
                    }
                    return best;
                };
            case "abs":
                return unary(args[0], PyNumber::abs);
            case "floor":
                return unary(args[0], PyNumber::floor);
            case "exp":
                return unary(args[0], PyNumber::exp);
            case "log":
                return args.length == 1 ? unary(args[0], PyNumber::log) : binary(args[0], args[1], PyNumber::log);
            case "cos":
                return unary(args[0], PyNumber::cos);
            case "sin":
                return unary(args[0], PyNumber::sin);
            case "sqrt":
                return unary(args[0], PyNumber::sqrt);
            default:
                throw new IllegalStateException("function table and builder disagree on " + name);
        }
    }

    // ---- lexing helpers ---------------------------------------------------------------------------------------

    private void skipSpace() {
        while (pos < text.length() && Character.isWhitespace(text.charAt(pos))) {
            pos++;
        }
    }

    private boolean peek(String token) {
        return text.startsWith(token, pos);
    }

    /** Consumes {@code token}; a single '*' or '/' never eats the first half of '**' or '//'. */
    private boolean accept(String token) {
        if (!text.startsWith(token, pos)) {
            return false;
        }
        if ((token.equals("*") && peek("**")) || (token.equals("/") && peek("//"))) {
            return false;
        }
        pos += token.length();
        return true;
    }

    private void expect(String token, String what) {
        if (!accept(token)) {
            throw error(what);
        }
    }

    private IllegalArgumentException error(String expected) {
        String found = pos >= text.length() ? "the end of the expression" : "'" + text.charAt(pos) + "'";
        return new IllegalArgumentException("Invalid formula '" + text + "': expected " + expected + " at position "
                + pos + ", found " + found);
    }
}
