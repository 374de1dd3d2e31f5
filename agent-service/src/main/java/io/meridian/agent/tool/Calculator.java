package io.meridian.agent.tool;

import java.util.Locale;
import java.util.Map;
import java.util.function.DoubleUnaryOperator;

/**
 * Arithmetic expressions, parsed and evaluated here by recursive descent: numbers, {@code + - * / % ^}, parentheses,
 * unary minus, the constants {@code pi} and {@code e}, and the functions {@code sqrt abs ln log10 exp sin cos tan
 * floor ceil round}. Nothing is ever handed to a script engine: whatever is not in this grammar is an error.
 */
public final class Calculator {

    /** Beyond this the input is refused: an expression for a calculator, not a program. */
    public static final int MAX_LENGTH = 500;
    private static final int MAX_DEPTH = 100;

    private static final Map<String, DoubleUnaryOperator> FUNCTIONS = Map.ofEntries(
            Map.entry("sqrt", Math::sqrt), Map.entry("abs", Math::abs), Map.entry("ln", Math::log),
            Map.entry("log10", Math::log10), Map.entry("exp", Math::exp), Map.entry("sin", Math::sin),
            Map.entry("cos", Math::cos), Map.entry("tan", Math::tan), Map.entry("floor", Math::floor),
            Map.entry("ceil", Math::ceil), Map.entry("round", x -> (double) Math.round(x)));
    private static final Map<String, Double> CONSTANTS = Map.of("pi", Math.PI, "e", Math.E);

    /** Thrown for an expression outside the grammar, with the position of the problem. */
    public static final class SyntaxError extends IllegalArgumentException {
        SyntaxError(String message) {
            super(message);
        }
    }

    private final String text;
    private int position;
    private int depth;

    private Calculator(String text) {
        this.text = text;
    }

    public static double evaluate(String expression) {
        if (expression == null || expression.isBlank()) {
            throw new SyntaxError("the expression is empty");
        }
        if (expression.length() > MAX_LENGTH) {
            throw new SyntaxError("the expression is longer than " + MAX_LENGTH + " characters");
        }
        Calculator parser = new Calculator(expression);
        double value = parser.sum();
        parser.skipSpaces();
        if (parser.position < expression.length()) {
            throw parser.error("unexpected '" + expression.charAt(parser.position) + "'");
        }
        if (Double.isNaN(value) || Double.isInfinite(value)) {
            throw new SyntaxError("the result is not a finite number");
        }
        return value;
    }

    /** The value as people write it: whole numbers without a fraction, others to 12 significant digits. */
    public static String format(double value) {
        if (value == Math.rint(value) && Math.abs(value) < 1e15) {
            return String.valueOf((long) value);
        }
        return new java.math.BigDecimal(value).round(new java.math.MathContext(12)).stripTrailingZeros().toPlainString();
    }

    private double sum() {
        double value = product();
        while (true) {
            if (eat('+')) {
                value += product();
            } else if (eat('-')) {
                value -= product();
            } else {
                return value;
            }
        }
    }

    private double product() {
        double value = unary();
        while (true) {
            if (eat('*')) {
                value *= unary();
            } else if (eat('/')) {
                double divisor = unary();
                if (divisor == 0) {
                    throw error("division by zero");
                }
                value /= divisor;
            } else if (eat('%')) {
                double divisor = unary();
                if (divisor == 0) {
                    throw error("division by zero");
                }
                value %= divisor;
            } else {
                return value;
            }
        }
    }

    private double unary() {
        if (eat('-')) {
            return -unary();
        }
        if (eat('+')) {
            return unary();
        }
        return power();
    }

    private double power() {
        double base = atom();
        if (eat('^')) {
            return Math.pow(base, unary()); // right-associative: 2^3^2 = 2^9
        }
        return base;
    }

    private double atom() {
        if (++depth > MAX_DEPTH) {
            throw error("too deeply nested");
        }
        try {
            skipSpaces();
            if (eat('(')) {
                double value = sum();
                expect(')');
                return value;
            }
            if (position < text.length() && (Character.isDigit(text.charAt(position)) || text.charAt(position) == '.')) {
                return number();
            }
            if (position < text.length() && Character.isLetter(text.charAt(position))) {
                String name = word();
                if (CONSTANTS.containsKey(name)) {
                    return CONSTANTS.get(name);
                }
                DoubleUnaryOperator function = FUNCTIONS.get(name);
                if (function == null) {
                    throw error("unknown name '" + name + "'");
                }
                expect('(');
                double argument = sum();
                expect(')');
                return function.applyAsDouble(argument);
            }
            throw error(position < text.length() ? "unexpected '" + text.charAt(position) + "'" : "the expression ends too soon");
        } finally {
            depth--;
        }
    }

    private double number() {
        int start = position;
        while (position < text.length() && (Character.isDigit(text.charAt(position)) || text.charAt(position) == '.')) {
            position++;
        }
        if (position < text.length() && (text.charAt(position) == 'e' || text.charAt(position) == 'E')
                && position + 1 < text.length() && (Character.isDigit(text.charAt(position + 1))
                        || text.charAt(position + 1) == '-' || text.charAt(position + 1) == '+')) {
            position += 2;
            while (position < text.length() && Character.isDigit(text.charAt(position))) {
                position++;
            }
        }
        try {
            return Double.parseDouble(text.substring(start, position));
        } catch (NumberFormatException e) {
            throw error("'" + text.substring(start, position) + "' is not a number");
        }
    }

    private String word() {
        int start = position;
        while (position < text.length() && Character.isLetterOrDigit(text.charAt(position))) {
            position++;
        }
        return text.substring(start, position).toLowerCase(Locale.ROOT);
    }

    private boolean eat(char expected) {
        skipSpaces();
        if (position < text.length() && text.charAt(position) == expected) {
            position++;
            return true;
        }
        return false;
    }

    private void expect(char expected) {
        if (!eat(expected)) {
            throw error("expected '" + expected + "'");
        }
    }

    private void skipSpaces() {
        while (position < text.length() && Character.isWhitespace(text.charAt(position))) {
            position++;
        }
    }

    private SyntaxError error(String message) {
        return new SyntaxError(message + " at position " + (position + 1));
    }
}
