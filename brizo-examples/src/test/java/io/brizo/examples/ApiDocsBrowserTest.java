package io.brizo.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.brizo.http.Routes;
import io.brizo.testkit.OpenApiConformance;
import io.brizo.testkit.PublisherFiles;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code serve}'s Swagger UI page as a person sees it: headless Chromium (Debian's {@code
 * chromium}, installed by {@code test-servers/install-chromium.sh}) opens {@code /api/v1/docs} of a
 * running {@code serve}, runs its scripts, and every operation of the OpenAPI document must be
 * rendered. The page and its files come from {@code serve} alone (the webjar in its jar): the
 * browser is started with no network but the loopback.
 */
class ApiDocsBrowserTest {
    @TempDir
    Path work;

    @Test
    void theDocsPageRendersEveryOperationOfTheDocument() throws Exception {
        Path storage = Files.createDirectories(work.resolve("storage"));
        Path data = Files.writeString(storage.resolve("data.csv"), "a\n");
        String did = "did:op:" + "d0".repeat(32);
        Path assets = PublisherFiles.writeAsset(work.resolve("assets.json"), did, data.toUri(), "text/csv");
        Path grants = PublisherFiles.writeAccessGrant(
                work.resolve("grants.json"), "0d".repeat(32), did, "0x" + "1".repeat(40));
        try (ServeProcess serve = ServeProcess.start(
                Map.of(
                        "BRIZO_ASSETS", assets.toString(),
                        "BRIZO_GRANTS", grants.toString(),
                        "BRIZO_FILE_ROOTS", storage.toString()),
                work)) {
            String dom = dumpDom(URI.create(serve.uri() + Routes.DOCS));

            List<String> missing = new ArrayList<>();
            JsonNode paths = OpenApiConformance.document().get("paths");
            paths.fields().forEachRemaining(path -> path.getValue().fields().forEachRemaining(op -> {
                // Swagger UI gives each operation the element id operations-<tag>-<operationId>
                // (spaces of the tag as _), and its path in data-path.
                String tag = op.getValue().get("tags").get(0).asText().replace(' ', '_');
                String id = "id=\"operations-" + tag + "-"
                        + op.getValue().get("operationId").asText() + "\"";
                if (!dom.contains(id)) {
                    missing.add(op.getKey().toUpperCase(Locale.ROOT) + " " + path.getKey() + " (" + id + ")");
                }
            }));
            assertTrue(missing.isEmpty(), () -> "not rendered: " + missing + "\n" + tail(dom));
            assertTrue(dom.contains("Brizo for Java"), "the document's title is shown");
            assertTrue(dom.contains(serve.uri().toString()), "the server is the one the page was opened at");
        }
    }

    /** {@return the page's DOM after its scripts ran, as headless Chromium prints it} */
    private String dumpDom(URI page) throws Exception {
        Path profile = Files.createDirectories(work.resolve("chromium-profile"));
        Process chromium = new ProcessBuilder(
                        "chromium",
                        "--headless=new",
                        "--no-sandbox",
                        "--disable-gpu",
                        "--disable-dev-shm-usage",
                        "--no-first-run",
                        "--user-data-dir=" + profile,
                        // Nothing but this machine: the page must need no outside site.
                        "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
                        "--virtual-time-budget=15000",
                        "--dump-dom",
                        page.toString())
                .redirectError(work.resolve("chromium.err").toFile())
                .start();
        chromium.getOutputStream().close();
        String dom = new String(chromium.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(chromium.waitFor(60, TimeUnit.SECONDS), "chromium did not end");
        assertEquals(
                0,
                chromium.exitValue(),
                () -> "chromium failed: " + ServeProcess.tail(read(work.resolve("chromium.err"))));
        return dom;
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (java.io.IOException e) {
            return "(unreadable: " + e + ")";
        }
    }

    private static String tail(String text) {
        return ServeProcess.tail(text);
    }
}
