package io.brizo.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Swagger UI's webjar is an optional dependency: without it the API still serves its document, and
 * the docs page answers a JSON 404 saying what to add. Runs {@link NoSwaggerUiProgram} in a child
 * JVM whose class path is this test's minus the webjar.
 */
class NoSwaggerUiClassPathTest {
    @TempDir
    Path dir;

    @Test
    void withoutTheWebjarTheDocsPageSaysWhatToAddAndTheDocumentIsServed() throws Exception {
        List<String> kept = new ArrayList<>();
        List<String> dropped = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            (entry.replace(File.separatorChar, '/').contains("/org/webjars/") ? dropped : kept).add(entry);
        }
        // Else the test would prove nothing: the class path it filters must have had the webjar.
        assertTrue(dropped.stream().anyMatch(e -> e.contains("swagger-ui")), dropped::toString);

        Process child = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-cp",
                        String.join(File.pathSeparator, kept),
                        NoSwaggerUiProgram.class.getName(),
                        dir.toString())
                .redirectErrorStream(true)
                .start();
        child.getOutputStream().close();
        String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(child.waitFor(60, TimeUnit.SECONDS), output);
        assertEquals(0, child.exitValue(), output);
        assertTrue(output.contains("docs: 404 application/json"), output);
        assertTrue(output.contains("\"error\":\"NOT_FOUND\""), output);
        assertTrue(output.contains("add the dependency org.webjars:swagger-ui"), output);
        assertTrue(output.contains("spec: 200"), output);
    }
}
