package io.brizo.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
 * Micrometer is an optional dependency: core must load, build and serve without it. Runs {@link
 * NoMicrometerProgram} in a child JVM whose class path is this test's minus Micrometer and the
 * libraries only Micrometer brings.
 */
class NoMicrometerClassPathTest {
    /** Path parts of the jars Micrometer brings (as laid out in a Maven repository). */
    static final List<String> MICROMETER_ONLY =
            List.of("/io/micrometer/", "/org/hdrhistogram/", "/org/latencyutils/", "/org/jspecify/");

    @TempDir
    Path dir;

    @Test
    void coreBuildsAndServesARequestWithoutMicrometerOnTheClassPath() throws Exception {
        List<String> kept = new ArrayList<>();
        List<String> dropped = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            String unix = entry.replace(File.separatorChar, '/');
            (MICROMETER_ONLY.stream().anyMatch(unix::contains) ? dropped : kept).add(entry);
        }
        // Else the test would prove nothing: the class path it filters must have had Micrometer.
        assertTrue(dropped.stream().anyMatch(e -> e.contains("micrometer-core")), dropped::toString);

        Process child = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-cp",
                        String.join(File.pathSeparator, kept),
                        NoMicrometerProgram.class.getName(),
                        dir.toString())
                .redirectErrorStream(true)
                .start();
        child.getOutputStream().close();
        String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(child.waitFor(60, TimeUnit.SECONDS), output);

        assertEquals(0, child.exitValue(), output);
        assertTrue(output.contains("served: BrizoMetrics.none()"), output);
        assertFalse(output.contains("NoClassDefFoundError"), output);
    }
}
