package io.brizo.compute.local;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ProcessTreeTest {
    @Test
    void killNamingFindsAMarkerAfterAnEmptyArgument() throws Exception {
        String marker = "brizo-marker-" + System.nanoTime();
        // The shell stays (two commands), with "" as $0 and the marker as $1 on its command line.
        Process p = new ProcessBuilder("sh", "-c", "sleep 30; :", "", marker).start();
        try {
            assertTrue(ProcessTree.commandLine(p.pid()).contains(marker));
            assertTrue(ProcessTree.killNaming(marker, Duration.ofSeconds(5)));
            assertFalse(ProcessTree.isRunning(p.toHandle()));
        } finally {
            p.destroyForcibly();
            p.waitFor();
        }
    }

    @Test
    void commandLineOfAProcessThatIsGoneIsEmpty() throws Exception {
        Process p = new ProcessBuilder("true").start();
        p.waitFor();
        assertTrue(ProcessTree.commandLine(p.pid()).isEmpty());
    }
}
