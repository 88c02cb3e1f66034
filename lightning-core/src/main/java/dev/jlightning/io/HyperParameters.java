package dev.jlightning.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.LinkedHashMap;
import java.util.Map;

/** Hyperparameters as the JSON text JLightning stores in safetensors {@code __metadata__}. */
final class HyperParameters {

    private static final ObjectMapper JSON = new ObjectMapper();

    private HyperParameters() {
    }

    static String toJson(Map<String, Object> hparams) {
        try {
            return JSON.writeValueAsString(hparams);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("hyperparameters cannot be written as JSON: " + e.getOriginalMessage());
        }
    }

    static Map<String, Object> fromJson(String where, String json) {
        try {
            return JSON.readValue(json, new TypeReference<LinkedHashMap<String, Object>>() { });
        } catch (JsonProcessingException e) {
            throw new WeightsFileException(where + " is not a JSON object: " + e.getOriginalMessage());
        }
    }
}
