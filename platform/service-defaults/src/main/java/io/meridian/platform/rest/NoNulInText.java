package io.meridian.platform.rest;

import java.io.IOException;

import jakarta.inject.Singleton;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.deser.std.StringDeserializer;
import com.fasterxml.jackson.databind.module.SimpleModule;

import io.quarkus.jackson.ObjectMapperCustomizer;

/**
 * Refuses text fields that contain U+0000 with a 400 naming the field: PostgreSQL cannot store NUL in text, and
 * such a value would otherwise fail only at the database, as a 500.
 */
@Singleton
public class NoNulInText implements ObjectMapperCustomizer {

    /** The field's value contains U+0000. */
    public static final class NulCharacterException extends JsonMappingException {
        NulCharacterException(JsonParser parser) {
            super(parser, "text must not contain NUL (U+0000)");
        }
    }

    @Override
    public void customize(ObjectMapper mapper) {
        mapper.registerModule(new SimpleModule("meridian-no-nul").addDeserializer(String.class, new StringDeserializer() {
            @Override
            public String deserialize(JsonParser parser, DeserializationContext context) throws IOException {
                String value = super.deserialize(parser, context);
                if (value != null && value.indexOf('\u0000') >= 0) {
                    throw new NulCharacterException(parser);
                }
                return value;
            }
        }));
    }
}
