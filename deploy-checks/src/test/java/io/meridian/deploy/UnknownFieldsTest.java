package io.meridian.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesResource;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;

/**
 * Every object of every overlay read into the Kubernetes API's typed models (fabric8): a field the API does not have
 * (a typo such as {@code readinesProbe}, a field at the wrong level) lands in a model's additional properties, and is
 * reported with its path. The schema validation of check.mjs does not catch those. Custom resources (Strimzi,
 * CloudNativePG) have no model here and are left to check.mjs.
 */
class UnknownFieldsTest {

    private final KubernetesSerialization serialization = new KubernetesSerialization();

    @Test
    void noRenderedObjectHasAFieldTheKubernetesApiDoesNotKnow() {
        List<String> unknown = new ArrayList<>();
        int typed = 0;
        for (Path overlay : Repository.overlays()) {
            for (HasMetadata object : objects(Repository.render(overlay))) {
                if (object instanceof GenericKubernetesResource) {
                    continue;
                }
                typed++;
                collect(object, overlay.getFileName() + ":" + object.getKind() + "/" + object.getMetadata().getName(), unknown);
            }
        }
        assertThat(typed).as("typed objects read").isGreaterThan(50);
        assertThat(unknown).as("fields the Kubernetes API does not have").isEmpty();
    }

    @Test
    void aMisspelledFieldIsCaught() {
        String deployment = """
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: typo}
                spec:
                  selector: {matchLabels: {a: b}}
                  template:
                    metadata: {labels: {a: b}}
                    spec:
                      containers:
                        - name: c
                          image: i:1
                          readinesProbe: {httpGet: {path: /q/health/ready, port: 8080}}
                """;
        List<String> unknown = new ArrayList<>();
        objects(deployment).forEach(o -> collect(o, "Deployment/typo", unknown));
        assertThat(unknown).containsExactly("Deployment/typo.spec.template.spec.containers[0].readinesProbe");
    }

    private List<HasMetadata> objects(String yaml) {
        Object parsed = serialization.unmarshal(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)));
        if (parsed instanceof Collection<?> many) {
            return many.stream().map(HasMetadata.class::cast).toList();
        }
        if (parsed instanceof io.fabric8.kubernetes.api.model.KubernetesList list) {
            return list.getItems();
        }
        return List.of((HasMetadata) parsed);
    }

    /** Walks the model's getters; every non-empty additional-properties map is a field the API does not know. */
    private static void collect(Object node, String path, List<String> unknown) {
        if (node instanceof Collection<?> items) {
            int i = 0;
            for (Object item : items) {
                collect(item, path + "[" + i++ + "]", unknown);
            }
            return;
        }
        if (node instanceof Map<?, ?> map) {
            map.forEach((key, value) -> collect(value, path + "." + key, unknown));
            return;
        }
        if (!(node instanceof KubernetesResource)) {
            return;
        }
        for (Method getter : node.getClass().getMethods()) {
            if (getter.getParameterCount() != 0 || !getter.getName().startsWith("get") || getter.getDeclaringClass() == Object.class) {
                continue;
            }
            Object value;
            try {
                value = getter.invoke(node);
            } catch (ReflectiveOperationException e) {
                continue;
            }
            if (getter.getName().equals("getAdditionalProperties")) {
                ((Map<?, ?>) value).keySet().forEach(key -> unknown.add(path + "." + key));
                continue;
            }
            String field = Character.toLowerCase(getter.getName().charAt(3)) + getter.getName().substring(4);
            collect(value, path + "." + field, unknown);
        }
    }
}
