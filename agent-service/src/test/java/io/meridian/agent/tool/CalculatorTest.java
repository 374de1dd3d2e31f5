package io.meridian.agent.tool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The calculator's grammar: precedence, associativity, functions, and refusal of anything else. */
class CalculatorTest {

    @Test
    void arithmeticFollowsTheUsualPrecedence() {
        assertThat(Calculator.evaluate("2 + 3 * 4")).isEqualTo(14);
        assertThat(Calculator.evaluate("(2 + 3) * 4")).isEqualTo(20);
        assertThat(Calculator.evaluate("2 ^ 3 ^ 2")).isEqualTo(512);
        assertThat(Calculator.evaluate("-2 ^ 2")).isEqualTo(-4);
        assertThat(Calculator.evaluate("10 % 4 - 7 / 2")).isEqualTo(-1.5);
        assertThat(Calculator.evaluate("1.5e3 + .5")).isEqualTo(1500.5);
    }

    @Test
    void functionsAndConstantsAreKnown() {
        assertThat(Calculator.evaluate("sqrt(16) + abs(-2)")).isEqualTo(6);
        assertThat(Calculator.evaluate("round(pi * 100)")).isEqualTo(314);
        assertThat(Calculator.evaluate("ln(e)")).isEqualTo(1);
        assertThat(Calculator.format(Calculator.evaluate("1 / 3"))).isEqualTo("0.333333333333");
        assertThat(Calculator.format(Calculator.evaluate("6 * 7"))).isEqualTo("42");
    }

    @Test
    void anythingOutsideTheGrammarIsRefused() {
        assertThatThrownBy(() -> Calculator.evaluate("java.lang.System.exit(0)")).isInstanceOf(Calculator.SyntaxError.class);
        assertThatThrownBy(() -> Calculator.evaluate("Runtime.getRuntime()")).hasMessageContaining("unknown name");
        assertThatThrownBy(() -> Calculator.evaluate("1 / 0")).hasMessageContaining("division by zero");
        assertThatThrownBy(() -> Calculator.evaluate("2 +")).hasMessageContaining("ends too soon");
        assertThatThrownBy(() -> Calculator.evaluate("(1")).hasMessageContaining("expected ')'");
        assertThatThrownBy(() -> Calculator.evaluate("1 2")).hasMessageContaining("unexpected '2'");
        assertThatThrownBy(() -> Calculator.evaluate("(".repeat(200) + "1" + ")".repeat(200))).hasMessageContaining("nested");
        assertThatThrownBy(() -> Calculator.evaluate("1+".repeat(300) + "1")).hasMessageContaining("longer than");
        assertThatThrownBy(() -> Calculator.evaluate("10 ^ 400")).hasMessageContaining("not a finite number");
    }
}
