package io.brizo.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link ServeAbuse} on Jetty, the default server, and what only an asynchronous server holds. */
class ServeAbuseTest extends ServeAbuse {
    @Test
    void aThousandConsumersReadingOneBytePerSecondDoNotStopANewDownloadFromStartingWithinOneSecond() throws Exception {
        List<Socket> readers = new ArrayList<>();
        int peakThreads = threads();
        try {
            for (int i = 0; i < 1000; i++) {
                Socket socket = new Socket();
                // A small window, so the server's writes stall at once as a slow reader's would.
                socket.setReceiveBufferSize(4096);
                socket.connect(
                        new InetSocketAddress(serve.uri().getHost(), serve.uri().getPort()), 5000);
                socket.setSoTimeout(5000);
                send(socket, "GET " + consumePath + " HTTP/1.1\r\nHost: x\r\n\r\n");
                readers.add(socket);
            }
            int answered = 0;
            for (Socket socket : readers) {
                answered += statusLine(socket.getInputStream()).startsWith("HTTP/1.1 200") ? 1 : 0;
            }
            assertEquals(1000, answered, "slow readers whose download started");
            List<Double> starts = new ArrayList<>();
            for (int second = 0; second < 5; second++) {
                long tick = System.nanoTime();
                for (Socket socket : readers) {
                    assertTrue(socket.getInputStream().read() >= 0, "a slow reader's download ended");
                }
                peakThreads = Math.max(peakThreads, threads());
                starts.add(timeToFirstByte());
                Thread.sleep(Math.max(0, 1000 - (System.nanoTime() - tick) / 1_000_000));
            }
            peakThreads = Math.max(peakThreads, threads());
            String report = "a new download started after " + starts + " s with 1,000 slow readers connected;"
                    + " server threads at most " + peakThreads;
            System.out.println("[abuse] " + report);
            for (double seconds : starts) {
                assertTrue(seconds < 1.0, report);
            }
            assertTrue(download() < 10, "a whole download beside the slow readers; " + report);
            assertTrue(peakThreads < 200, "no thread per connection: " + report);
        } finally {
            for (Socket socket : readers) {
                socket.close();
            }
        }
    }
}
