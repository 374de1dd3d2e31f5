package io.meridian.agent;

import static io.meridian.agent.AgentFixtures.agent;
import static io.meridian.agent.AgentFixtures.run;
import static io.meridian.agent.AgentFixtures.user;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;

/**
 * knowledge_search calls rag-service as the run's user, with that user's own token, so it finds that user's documents
 * and never another's; a long result reaches the model cut to the configured size.
 */
@QuarkusTest
class KnowledgeSearchTest {

    @Test
    void knowledgeSearchFindsTheCallersDocumentsAndNotAnotherUsers() {
        var reader = user();
        var other = user();
        StandIns.rag.add(reader.id(), "Gannets", "Gannets dive into the sea at great speed.");
        StandIns.rag.add(other.id(), "Diary", "The gannets secret of the other user.");
        String agentId = agent(reader.token(), List.of("knowledge_search"), 4, 30);

        JsonPath run = run(reader.token(), agentId, "call knowledge_search {\"query\": \"gannets\"}");
        assertThat(run.getString("status")).isEqualTo("SUCCEEDED");
        assertThat(run.getString("steps[1].outcome")).isEqualTo("ok");
        assertThat(run.getString("steps[1].result")).contains("Gannets dive into the sea").doesNotContain("secret");
        assertThat(run.getString("output")).contains("Gannets dive into the sea");
        // rag-service was called with the reader's own token, exactly as they sent it.
        assertThat(StandIns.rag.authorizations).contains("Bearer " + reader.token());

        JsonPath nothing = run(reader.token(), agentId, "call knowledge_search {\"query\": \"diary secret\"}");
        assertThat(nothing.getString("steps[1].result")).startsWith("No passage matches");
    }

    @Test
    void aUserWithoutCollectionsIsToldThereIsNothingToSearch() {
        var reader = user();
        String agentId = agent(reader.token(), List.of("knowledge_search"), 4, 30);
        JsonPath run = run(reader.token(), agentId, "call knowledge_search {\"query\": \"anything\"}");
        assertThat(run.getString("steps[1].result")).isEqualTo("The user has no collections: nothing to search.");
    }

    @Test
    void aLongToolResultReachesTheModelCutToTheLimit() {
        var reader = user();
        StandIns.rag.add(reader.id(), "Long", "albatross " + "a".repeat(9_000));
        String agentId = agent(reader.token(), List.of("knowledge_search"), 4, 30);
        String marker = "albatross " + java.util.UUID.randomUUID();
        JsonPath run = run(reader.token(), agentId, "call knowledge_search {\"query\": \"" + marker + "\"}");
        assertThat(run.getString("steps[1].result").length()).isGreaterThan(9_000);
        List<JsonNode> requests = StandIns.primary.requestsFor(marker);
        JsonNode toolMessage = requests.get(requests.size() - 1).path("messages").findParents("tool_call_id").get(0);
        assertThat(toolMessage.path("content").asText()).hasSizeLessThan(4_100)
                .endsWith("[the result was cut at 4000 characters]");
    }
}
