package io.meridian.rag.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.api.Test;

/** PostgreSQL's text form of a tsvector, read into lexemes and their counts. */
class KeywordIndexTest {

    @Test
    void lexemesWithPositionsWeightsAndQuotes() {
        Map<String, Integer> terms = KeywordIndex.parse("'aerodynam':3,17,20 'wing':5A 'it''s':2 'stripped'");
        assertThat(terms).containsOnly(Map.entry("aerodynam", 3), Map.entry("wing", 1), Map.entry("it's", 1),
                Map.entry("stripped", 1));
    }
}
