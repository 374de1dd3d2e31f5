package io.meridian.agent.service;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.ollama.OllamaChatModel;
import dev.langchain4j.model.openai.OpenAiChatModel;
import io.meridian.agent.config.AgentConfig;
import io.meridian.platform.problem.ProblemException;

/**
 * The configured models (meridian.agent.models.*) with their live status, and the router that picks one for an
 * agent: by id or by routing class, falling back to another configured chat model when the chosen one is DOWN.
 * Status comes from a cheap call to each provider (OpenAI-compatible {@code GET /models}, Ollama {@code GET /api/tags},
 * rag-service's readiness for its in-process embedding model), remembered for a few seconds.
 */
@ApplicationScoped
public class ModelRegistry {

    private static final Logger LOG = Logger.getLogger(ModelRegistry.class);
    static final String WHAT_TO_SET = "set AGENT_CHAT_PROVIDER (openai or ollama), AGENT_CHAT_BASE_URL, AGENT_CHAT_MODEL "
            + "and, for OpenAI-compatible endpoints, AGENT_CHAT_API_KEY";

    public enum Status {
        UP, DOWN, UNCONFIGURED
    }

    /** A configured model. {@code chat} is null for embedding models and unconfigured entries. */
    public record Entry(String id, String provider, String kind, String name, boolean isDefault, List<String> classes,
            ChatModel chat, URI healthUrl, String apiKey) {

        boolean configured() {
            return !"none".equals(provider);
        }
    }

    /** A model as {@code GET /api/models} shows it. */
    public record ModelView(String id, String name, String provider, String kind, Status status, boolean isDefault,
            List<String> classes) {
    }

    /** The model picked for a run. */
    public record Choice(String id, String name, ChatModel chat) {
    }

    private record Checked(Status status, Instant at) {
    }

    private final List<Entry> entries = new ArrayList<>();
    private final Map<String, Checked> statuses = new ConcurrentHashMap<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final Duration statusTtl;

    ModelRegistry(AgentConfig config) {
        this.statusTtl = config.runs().modelStatusTtl();
        config.models().entrySet().stream().sorted(Map.Entry.comparingByKey())
                .forEach(e -> entries.add(entry(e.getKey(), e.getValue(), config.ragUrl())));
        LOG.infof("Models: %s", entries.isEmpty() ? "none" : String.join(", ", entries.stream()
                .map(e -> e.id() + " (" + e.kind() + ", " + (e.configured() ? e.provider() + " " + e.name() : "unconfigured") + ")")
                .toList()));
    }

    private static Entry entry(String id, AgentConfig.Model model, String ragUrl) {
        String provider = model.provider().strip().toLowerCase(Locale.ROOT);
        String kind = model.kind().strip().toLowerCase(Locale.ROOT);
        if (!Set.of("chat", "embedding").contains(kind)) {
            throw new IllegalArgumentException("meridian.agent.models." + id + ".kind must be chat or embedding, not " + kind);
        }
        String key = model.apiKey().filter(k -> !k.isBlank()).orElse(null);
        List<String> classes = "chat".equals(kind)
                ? model.classes().stream().map(String::strip).filter(c -> !c.isEmpty()).toList() : List.of();
        return switch (provider) {
            case "none" -> new Entry(id, provider, kind, model.name(), model.isDefault(), classes, null, null, null);
            case "openai" -> {
                String baseUrl = model.baseUrl().filter(u -> !u.isBlank()).orElse("https://api.openai.com/v1").replaceAll("/$", "");
                ChatModel chat = "chat".equals(kind) ? OpenAiChatModel.builder().baseUrl(baseUrl)
                        .apiKey(key == null ? "none" : key).modelName(model.name()).temperature(model.temperature())
                        .timeout(model.timeout()).maxRetries(0).build() : null;
                yield new Entry(id, provider, kind, model.name(), model.isDefault(), classes, chat,
                        URI.create(baseUrl + "/models"), key);
            }
            case "ollama" -> {
                String baseUrl = model.baseUrl().filter(u -> !u.isBlank()).orElse("http://127.0.0.1:11434").replaceAll("/$", "");
                ChatModel chat = "chat".equals(kind) ? OllamaChatModel.builder().baseUrl(baseUrl).modelName(model.name())
                        .temperature(model.temperature()).timeout(model.timeout()).maxRetries(0).build() : null;
                yield new Entry(id, provider, kind, model.name(), model.isDefault(), classes, chat,
                        URI.create(baseUrl + "/api/tags"), null);
            }
            case "local" -> {
                if (!"embedding".equals(kind)) {
                    throw new IllegalArgumentException("meridian.agent.models." + id + ": provider local is for embedding models");
                }
                yield new Entry(id, provider, kind, model.name(), model.isDefault(), classes, null,
                        URI.create(ragUrl.replaceAll("/$", "") + "/q/health/ready"), null);
            }
            default -> throw new IllegalArgumentException("meridian.agent.models." + id
                    + ".provider must be none, openai, ollama or local, not " + provider);
        };
    }

    /** Every model with its status, probed in parallel where the remembered one is stale. */
    public List<ModelView> list() {
        List<CompletableFuture<ModelView>> views = entries.stream()
                .map(e -> CompletableFuture.supplyAsync(() -> new ModelView(e.id(), e.name(), e.provider(), e.kind(),
                        status(e), e.isDefault(), e.classes())))
                .toList();
        return views.stream().map(CompletableFuture::join).toList();
    }

    /** Ids and routing classes an agent may name. */
    public Set<String> names() {
        Set<String> names = new LinkedHashSet<>();
        names.add("default");
        entries.stream().filter(e -> "chat".equals(e.kind())).forEach(e -> {
            names.add(e.id());
            names.addAll(e.classes());
        });
        return names;
    }

    public boolean anyChatConfigured() {
        return entries.stream().anyMatch(e -> "chat".equals(e.kind()) && e.configured());
    }

    /**
     * The model for an agent's {@code model} setting (an id, a routing class, or default): the named one or the
     * class's first, when UP; otherwise the first other configured chat model that is UP.
     *
     * @throws ProblemException 503 when no chat model is configured, or none is reachable
     */
    public Choice choose(String wanted) {
        List<Entry> chats = entries.stream().filter(e -> "chat".equals(e.kind()) && e.configured()).toList();
        if (chats.isEmpty()) {
            throw ProblemException.unavailable("No chat model is configured for agents: " + WHAT_TO_SET + ".");
        }
        String name = wanted == null || wanted.isBlank() ? "default" : wanted;
        List<Entry> order = new ArrayList<>(chats);
        order.sort(Comparator.comparingInt(e -> rank(e, name)));
        for (Entry candidate : order) {
            if (status(candidate) == Status.UP) {
                return new Choice(candidate.id(), candidate.name(), candidate.chat());
            }
        }
        throw ProblemException.unavailable("No chat model is reachable: " + String.join(", ",
                chats.stream().map(Entry::id).toList()) + " " + (chats.size() == 1 ? "is" : "are") + " DOWN.");
    }

    private static int rank(Entry entry, String wanted) {
        if (entry.id().equals(wanted)) {
            return 0;
        }
        if ("default".equals(wanted) && entry.isDefault()) {
            return 1;
        }
        if (entry.classes().contains(wanted)) {
            return 2;
        }
        return entry.isDefault() ? 3 : 4;
    }

    /** Tells the router a model failed to answer: it is DOWN until it is checked again. */
    public void markDown(String id) {
        statuses.put(id, new Checked(Status.DOWN, Instant.now()));
    }

    Status status(Entry entry) {
        if (!entry.configured()) {
            return Status.UNCONFIGURED;
        }
        Checked checked = statuses.get(entry.id());
        if (checked != null && checked.at().plus(statusTtl).isAfter(Instant.now())) {
            return checked.status();
        }
        Status status = probe(entry);
        if (checked == null || checked.status() != status) {
            LOG.infof("Model %s is %s", entry.id(), status);
        }
        statuses.put(entry.id(), new Checked(status, Instant.now()));
        return status;
    }

    private Status probe(Entry entry) {
        HttpRequest.Builder request = HttpRequest.newBuilder(entry.healthUrl()).timeout(Duration.ofSeconds(2)).GET();
        if (entry.apiKey() != null) {
            request.header("Authorization", "Bearer " + entry.apiKey());
        }
        try {
            HttpResponse<Void> response = http.send(request.build(), HttpResponse.BodyHandlers.discarding());
            return response.statusCode() / 100 == 2 ? Status.UP : Status.DOWN;
        } catch (java.io.IOException e) {
            return Status.DOWN;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Status.DOWN;
        }
    }
}
