package io.meridian.agent.config;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;

/** agent-service's settings (meridian.agent.*). */
@ConfigMapping(prefix = "meridian.agent")
public interface AgentConfig {

    /** The chat models, by id; a provider of {@code none} leaves an entry unconfigured. */
    Map<String, Model> models();

    Limits limits();

    Tools tools();

    Runs runs();

    Quota quota();

    /** What one user may hold or start, per deployment: past a quota the request is 409 naming it. */
    interface Quota {

        /** Agents of one user. */
        @WithDefault("100")
        long agents();

        /** Runs of one user queued or running at once (inline ones too); more wait for one of them to end. */
        @WithDefault("10")
        long runsInFlight();
    }

    /** The window of earlier turns a conversation replays to the model, in messages (a turn is two). */
    @WithDefault("20")
    int memoryWindow();

    /** rag-service, for the knowledge_search tool (RAG_SERVICE_URL). */
    @WithDefault("http://127.0.0.1:8082")
    String ragUrl();

    interface Model {

        /** none, openai (any OpenAI-compatible endpoint) or ollama. */
        @WithDefault("none")
        String provider();

        /** chat or embedding. */
        @WithDefault("chat")
        String kind();

        /** The name the provider knows the model by, for example gpt-4o-mini or llama3.1:8b. */
        String name();

        Optional<String> baseUrl();

        Optional<String> apiKey();

        /** Routing classes this model serves, for example fast and smart. */
        @WithDefault("fast,smart")
        List<String> classes();

        /** The model an agent gets when it names none. */
        @WithName("default")
        @WithDefault("false")
        boolean isDefault();

        @WithDefault("0.2")
        double temperature();

        /** The longest a single call may take (a run's own time limit may stop it sooner). */
        @WithDefault("60s")
        Duration timeout();
    }

    interface Limits {

        /** The default and the highest step limit (model calls per run). */
        @WithDefault("8")
        int defaultMaxSteps();

        @WithDefault("50")
        int maxSteps();

        /** The default and the highest wall-clock limit of a run. */
        @WithDefault("120s")
        Duration defaultTimeLimit();

        @WithDefault("900s")
        Duration maxTimeLimit();

        /** The longest one tool call may take. */
        @WithDefault("15s")
        Duration toolTimeout();

        /** Characters of a tool's result given to the model; the rest is cut, and the cut is said. */
        @WithDefault("4000")
        int toolResultChars();

        /** Characters of a run's input. */
        @WithDefault("20000")
        int inputChars();
    }

    interface Tools {

        /** Passages knowledge_search returns at most. */
        @WithDefault("5")
        int searchTopK();

        /** How long knowledge_search waits for rag-service. */
        @WithDefault("10s")
        Duration searchTimeout();
    }

    interface Runs {

        /** Runs one replica executes at once from the queue. */
        @WithDefault("4")
        int workers();

        /** A RUNNING run whose worker has shown no sign of life for its time limit plus this is taken as orphaned. */
        @WithDefault("60s")
        Duration staleGrace();

        /** Attempts of a run whose worker died before it is failed. */
        @WithDefault("2")
        int maxAttempts();

        /** How often the stale-run check runs. */
        @WithDefault("30s")
        String staleCheckEvery();

        /**
         * A run still QUEUED this long after its task was queued (a task lost to a dead-letter topic, say) is queued
         * again; a task delivered twice runs the run once (ADR 0016).
         */
        @WithDefault("PT10M")
        Duration requeueAfter();

        /**
         * The longest an inline run's response waits for it (below the gateway's timeout for agent routes, 120 s):
         * past it the answer is 202 with the run still RUNNING, and the run goes on to its own time limit.
         */
        @WithDefault("100s")
        Duration inlineWait();

        /** How long model statuses are remembered before they are checked again. */
        @WithDefault("10s")
        Duration modelStatusTtl();
    }
}
