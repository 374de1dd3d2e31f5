package io.meridian.rag.service;

import java.util.Locale;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.ollama.OllamaChatModel;
import dev.langchain4j.model.ollama.OllamaStreamingChatModel;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.langchain4j.model.openai.OpenAiStreamingChatModel;
import io.meridian.rag.config.RagConfig;

/**
 * The configured chat model, plain and streaming, built with LangChain4j from {@code meridian.rag.chat.*}
 * (environment: RAG_CHAT_PROVIDER, RAG_CHAT_BASE_URL, RAG_CHAT_API_KEY, RAG_CHAT_MODEL); none when the provider is
 * {@code none}, and then answers are extractive.
 */
@ApplicationScoped
public class ChatModels {

    private static final Logger LOG = Logger.getLogger(ChatModels.class);

    private final RagConfig.Chat config;
    private final ChatModel chat;
    private final StreamingChatModel streaming;

    ChatModels(RagConfig config) {
        this.config = config.chat();
        String provider = this.config.provider().strip().toLowerCase(Locale.ROOT);
        switch (provider) {
            case "openai" -> {
                String baseUrl = this.config.baseUrl().orElse("https://api.openai.com/v1");
                String key = this.config.apiKey().orElse("none");
                chat = OpenAiChatModel.builder().baseUrl(baseUrl).apiKey(key).modelName(this.config.model())
                        .temperature(this.config.temperature()).timeout(this.config.timeout()).build();
                streaming = OpenAiStreamingChatModel.builder().baseUrl(baseUrl).apiKey(key).modelName(this.config.model())
                        .temperature(this.config.temperature()).timeout(this.config.timeout()).build();
            }
            case "ollama" -> {
                String baseUrl = this.config.baseUrl().orElse("http://127.0.0.1:11434");
                chat = OllamaChatModel.builder().baseUrl(baseUrl).modelName(this.config.model())
                        .temperature(this.config.temperature()).timeout(this.config.timeout()).build();
                streaming = OllamaStreamingChatModel.builder().baseUrl(baseUrl).modelName(this.config.model())
                        .temperature(this.config.temperature()).timeout(this.config.timeout()).build();
            }
            case "none" -> {
                chat = null;
                streaming = null;
            }
            default -> throw new IllegalArgumentException("meridian.rag.chat.provider must be none, openai or ollama, not "
                    + provider);
        }
        LOG.infof("Answers: %s", chat == null ? "extractive (no chat model configured)"
                : provider + " model " + this.config.model());
    }

    public Optional<ChatModel> chat() {
        return Optional.ofNullable(chat);
    }

    public Optional<StreamingChatModel> streaming() {
        return Optional.ofNullable(streaming);
    }

    public String modelName() {
        return config.model();
    }
}
