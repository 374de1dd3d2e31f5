package io.meridian.agent.service;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.UserMessage;
import io.meridian.agent.config.AgentConfig;
import io.meridian.agent.domain.ConversationMessage;
import io.quarkus.panache.common.Page;
import io.quarkus.panache.common.Sort;

/**
 * The earlier turns of a user's conversation, as the model gets them: the last {@code memory-window} messages, oldest
 * first. A conversation belongs to one user; another user's run with the same id starts a conversation of its own.
 */
@ApplicationScoped
public class ConversationMemory {

    private final int window;

    ConversationMemory(AgentConfig config) {
        this.window = config.memoryWindow();
    }

    @Transactional
    public List<ChatMessage> recent(UUID owner, UUID conversationId) {
        List<ConversationMessage> newestFirst = ConversationMessage.<ConversationMessage>find(
                "ownerId = ?1 and conversationId = ?2", Sort.descending("id"), owner, conversationId)
                .page(Page.ofSize(window)).list();
        List<ChatMessage> messages = new ArrayList<>();
        for (ConversationMessage message : newestFirst) {
            messages.add("user".equals(message.role) ? UserMessage.from(message.content) : AiMessage.from(message.content));
        }
        Collections.reverse(messages);
        // A window that starts with the agent's answer has lost its question: drop it.
        if (!messages.isEmpty() && messages.get(0) instanceof AiMessage) {
            messages.remove(0);
        }
        return messages;
    }
}
