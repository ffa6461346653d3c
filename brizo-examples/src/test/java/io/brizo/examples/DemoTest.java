package io.brizo.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class DemoTest {
    @Test
    void demoCompletesAConsumeRoundTripAndAComputeJobWhoseReceiptVerifiesAndSaysSo() throws Exception {
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        int code = Demo.run(new PrintStream(buffer, true, StandardCharsets.UTF_8));
        String output = buffer.toString(StandardCharsets.UTF_8);
        assertEquals(0, code, output);
        assertTrue(output.contains("Demo succeeded"), output);
        assertTrue(output.contains("HTTP 206"), output);
        assertTrue(output.contains("job log | found"), output);
        assertTrue(output.contains("ended SUCCEEDED"), output);
        // Needs a backend that keeps evidence of its jobs (the local backend does once it reports it).
        assertTrue(output.contains("receipt | "), output);
        assertTrue(output.contains("verify-receipt | receipt verified"), output);
        assertTrue(output.contains("the receipt verifies"), output);
    }
}
