package io.meridian.agent.service;

import java.time.Duration;
import java.util.Locale;

import jakarta.enterprise.context.ApplicationScoped;

import io.meridian.agent.domain.Run;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * agent-service's Prometheus series: runs by final status, steps per run, tool calls by outcome, model latency and
 * tokens per model.
 */
@ApplicationScoped
public class AgentMetrics {

    private final MeterRegistry registry;
    private final DistributionSummary stepsPerRun;

    AgentMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.stepsPerRun = DistributionSummary.builder("meridian.agent.run.steps").description("Steps of each ended run")
                .publishPercentiles(0.5, 0.95).register(registry);
    }

    void runEnded(Run.Status status, long steps) {
        Counter.builder("meridian.agent.runs").description("Runs that ended, by status")
                .tag("status", status.name().toLowerCase(Locale.ROOT)).register(registry).increment();
        stepsPerRun.record(steps);
    }

    void toolCalled(String tool, String outcome) {
        Counter.builder("meridian.agent.tool.calls").description("Tool calls by tool and outcome (ok, refused, error)")
                .tag("tool", tool).tag("outcome", outcome).register(registry).increment();
    }

    void modelCalled(String model, Duration latency, int inputTokens, int outputTokens, boolean failed) {
        Timer.builder("meridian.agent.model.latency").description("Model call latency")
                .tag("model", model).tag("outcome", failed ? "error" : "ok").publishPercentiles(0.5, 0.95)
                .register(registry).record(latency);
        Counter.builder("meridian.agent.model.tokens").description("Tokens by model and direction")
                .tag("model", model).tag("direction", "input").register(registry).increment(inputTokens);
        Counter.builder("meridian.agent.model.tokens").description("Tokens by model and direction")
                .tag("model", model).tag("direction", "output").register(registry).increment(outputTokens);
    }
}
